"""The payments timeline's wire shape."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples


class CustomerPayment(msgspec.Struct):
    """One movement of money between the customer and the tenant, through Tollgate."""

    id: Annotated[str, msgspec.Meta(description="The Stripe object (`in_`, `pi_`, `re_`, `du_`) or Tollgate's row id.")]
    kind: Annotated[
        Literal["payment", "refund", "dispute"],
        msgspec.Meta(description="`payment`: the customer paid; `refund`, `dispute`: money given (or held) back."),
    ]
    source: Annotated[
        str, msgspec.Meta(description="What it paid for: `subscriptions`, `token_packages`, `payg` (the plugin).")
    ]
    amount: Annotated[int, msgspec.Meta(description="Minor units, positive whatever the direction.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217, lowercase.")]
    status: Annotated[
        str | None,
        msgspec.Meta(
            description="`succeeded`, a refund's `pending`/`failed`, a dispute's Stripe status (`won`, `lost`)."
        ),
    ]
    occurred_at: Annotated[dt.datetime, msgspec.Meta(description="When it was paid, refunded or disputed.")]
    reference: Annotated[
        str | None, msgspec.Meta(description="The invoice (`in_`), token package order or credit purchase it concerns.")
    ]
    description: Annotated[str | None, msgspec.Meta(description="What was bought: the tier, package or credits.")]
    receipt_url: Annotated[
        str | None,
        msgspec.Meta(description="Stripe's receipt of the charge (refunds show on it); null where none is kept."),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "in_1QxYz",
            "kind": "payment",
            "source": "subscriptions",
            "amount": 999,
            "currency": "usd",
            "status": "succeeded",
            "occurred_at": "2026-12-01T09:30:00Z",
            "reference": "in_1QxYz",
            "description": "basic",
            "receipt_url": "https://pay.stripe.com/receipts/payment/CAcaFwoV",
        },
    )
