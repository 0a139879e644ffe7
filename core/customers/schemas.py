"""Wire shapes for customers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

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
