"""Wire shapes for customers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from core.fields import Examples, Metadata

Email = Annotated[str, msgspec.Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class CustomerUpsert(msgspec.Struct, forbid_unknown_fields=True):
    """The customer as the tenant app knows it: created on the first `PUT`, merged on the next ones."""

    email: Annotated[Email | None, msgspec.Meta(description="Where Stripe sends receipts; null: left as it is.")] = None
    name: (
        Annotated[str, msgspec.Meta(max_length=255, description="The name on invoices; null: left as it is.")] | None
    ) = None
    metadata: Metadata = {}

    schema_examples: ClassVar[Examples] = (
        {"email": "ada@example.com"},
        {"email": "ops@acme.example", "name": "Acme Ops", "metadata": {"plan_source": "signup"}},
    )


class Customer(msgspec.Struct):
    """A tenant app's customer, and the Stripe customer Tollgate keeps for it."""

    id: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    email: Annotated[str | None, msgspec.Meta(description="The customer's email; null: none given.")]
    name: Annotated[str | None, msgspec.Meta(description="The customer's name; null: none given.")]
    metadata: Annotated[dict[str, str], msgspec.Meta(description="The tenant app's string pairs, as given.")]
    stripe_customer_id: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "The Stripe customer (`cus_...`) in the tenant's account; null until a first payment needs one."
            )
        ),
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When Tollgate first saw the customer.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "user-1",
            "email": "ada@example.com",
            "name": None,
            "metadata": {},
            "stripe_customer_id": "cus_R2kT8fXq1bLm3A",
            "created_at": "2026-03-01T08:00:00Z",
        },
    )


class CustomerErasure(msgspec.Struct):
    """What an erasure did; a repeated DELETE of the same customer id answers the same."""

    customer: Annotated[
        str, msgspec.Meta(description="The pseudonym that replaced the app's customer id in every table.")
    ]
    erased_at: Annotated[dt.datetime, msgspec.Meta(description="When the customer was erased.")]
    rows: Annotated[dict[str, int], msgspec.Meta(description="Rows rewritten (or deleted: stored answers) per table.")]
    settled: Annotated[
        dict[str, dict[str, Any]],
        msgspec.Meta(description="What each plugin ended first, by plugin (the subscriptions canceled)."),
    ]
    stripe_customer_deletion: Annotated[
        Literal["requested", "none"],
        msgspec.Meta(
            description=(
                "`requested`: the Stripe customer is deleted on the tenant's account once the erasure is "
                "committed (Stripe keeps its own legal records); `none`: the customer had none."
            )
        ),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "erased_5f0c2d9a41b7e3c8a9d04e1f",
            "erased_at": "2026-12-06T08:00:00Z",
            "rows": {"customers": 1, "credit_accounts": 1, "credit_grants": 2, "ledger_entries": 5},
            "settled": {"subscriptions": {"canceled": ["sub_1QxY2bLkdIwHu7ix"]}},
            "stripe_customer_deletion": "requested",
        },
    )


class CustomerExport(msgspec.Struct):
    """Everything Tollgate holds on one customer (GDPR articles 15 and 20), one list of rows per table."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    customer: Annotated[Customer, msgspec.Meta(description="The customer's profile and Stripe customer id.")]
    exported_at: Annotated[dt.datetime, msgspec.Meta(description="When the export was read.")]
    tables: Annotated[
        dict[str, list[dict[str, Any]]],
        msgspec.Meta(
            description=(
                "The customer's rows by table (`customers`, `credit_grants`, `ledger_entries`, `subscriptions`, "
                "`token_package_orders`, `webhook_events`, `audit_records`, ...), every column as stored; "
                "stored Stripe events and notices as JSON."
            )
        ),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "tenant": "automate",
            "customer": Customer.schema_examples[0],
            "exported_at": "2026-12-06T08:00:00Z",
            "tables": {
                "credit_accounts": [
                    {"id": "01939a1e-7c2b-7d11-9a31-5b7e2c9d4f10", "customer": "user-1", "balance": 150}
                ],
                "ledger_entries": [{"kind": "grant", "amount": 200, "balance_after": 200, "reason": "welcome"}],
                "subscriptions": [{"stripe_subscription_id": "sub_1QxY2bLkdIwHu7ix", "tier": "basic"}],
            },
        },
    )
