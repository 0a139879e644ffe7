"""The `data` of the token_packages plugin's notices to tenant apps, as `notify` checks and the document shows it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

import msgspec

from core.fields import Examples


class OrderPaid(msgspec.Struct, forbid_unknown_fields=True):
    """`order.paid`: a package order was paid; its credits are granted."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    order: Annotated[str, msgspec.Meta(description="The order's id.")]
    package: Annotated[str, msgspec.Meta(description="The package's id.")]
    payment: Annotated[str, msgspec.Meta(description="The payment's id (one per paid checkout or invoice).")]
    invoice: Annotated[str | None, msgspec.Meta(description="The Stripe invoice paid; null: a one-off checkout.")]
    amount: Annotated[int, msgspec.Meta(description="Minor units paid.")]
    currency: Annotated[str, msgspec.Meta(description="ISO currency code, lower case.")]
    credits: Annotated[int, msgspec.Meta(description="Credits granted.")]
    credits_expire_at: Annotated[dt.datetime | None, msgspec.Meta(description="When they expire; null: never.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "order": "5f0c2a1e-8b7d-4c3a-9e6f-2d1b0a9c8e7f",
            "package": "starter",
            "payment": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "invoice": None,
            "amount": 1000,
            "currency": "usd",
            "credits": 500,
            "credits_expire_at": None,
        },
    )


class OrderRefunded(msgspec.Struct, forbid_unknown_fields=True):
    """`order.refunded`: an order was refunded, fully or in part; its credits are clawed back."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    order: Annotated[str, msgspec.Meta(description="The order's id.")]
    refund: Annotated[str, msgspec.Meta(description="The refund's id.")]
    status: Annotated[str, msgspec.Meta(description="The order's status after it (`refunded`, `partially_refunded`).")]
    amount: Annotated[int, msgspec.Meta(description="Minor units refunded.")]
    currency: Annotated[str, msgspec.Meta(description="ISO currency code, lower case.")]
    credits_clawed_back: Annotated[int, msgspec.Meta(description="Credits the ledger took back.")]
    source: Annotated[str, msgspec.Meta(description="`api` (asked through Tollgate) or `stripe` (made elsewhere).")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "order": "5f0c2a1e-8b7d-4c3a-9e6f-2d1b0a9c8e7f",
            "refund": "9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "status": "refunded",
            "amount": 1000,
            "currency": "usd",
            "credits_clawed_back": 500,
            "source": "api",
        },
    )
