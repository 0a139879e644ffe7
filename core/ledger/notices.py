"""The `data` of the ledger's notices to tenant apps (`credits.*`), as `notify` checks and the document shows it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

import msgspec

from core.fields import Examples


class CreditsGranted(msgspec.Struct, forbid_unknown_fields=True):
    """`credits.granted`: credits were granted to a customer."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    grant_id: Annotated[str, msgspec.Meta(description="The grant's id.")]
    credits: Annotated[int, msgspec.Meta(description="Credits granted.")]
    source: Annotated[str, msgspec.Meta(description="Where they come from (`purchase`, `subscription`, `admin`).")]
    source_ref: Annotated[str, msgspec.Meta(description="The source's own reference (an order, an invoice).")]
    expires_at: Annotated[dt.datetime | None, msgspec.Meta(description="When they expire; null: never.")]
    balance: Annotated[int, msgspec.Meta(description="The customer's balance after the grant.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "grant_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "credits": 500,
            "source": "purchase",
            "source_ref": "5f0c2a1e-8b7d-4c3a-9e6f-2d1b0a9c8e7f",
            "expires_at": None,
            "balance": 580,
        },
    )


class CreditsLow(msgspec.Struct, forbid_unknown_fields=True):
    """`credits.low`: a spend took the customer's balance below the tenant's threshold."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    balance: Annotated[int, msgspec.Meta(description="The balance after the spend.")]
    threshold: Annotated[int, msgspec.Meta(description="The tenant's `notifications.credits_low_threshold`.")]

    schema_examples: ClassVar[Examples] = ({"customer": "acme", "balance": 80, "threshold": 100},)


class CreditsExpiringSoon(msgspec.Struct, forbid_unknown_fields=True):
    """`credits.expiring_soon`: a grant's unspent credits expire within the tenant's warning window."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    grant_id: Annotated[str, msgspec.Meta(description="The grant's id.")]
    credits: Annotated[int, msgspec.Meta(description="Credits of the grant still unspent.")]
    expires_at: Annotated[dt.datetime, msgspec.Meta(description="When they expire.")]
    source: Annotated[str, msgspec.Meta(description="Where the grant came from.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "grant_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "credits": 120,
            "expires_at": "2026-04-01T00:00:00Z",
            "source": "purchase",
        },
    )
