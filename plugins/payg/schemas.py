"""Wire shapes and the per-tenant settings block (`tenants.<slug>.payg`) of pay-as-you-go."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.money import Currency

Positive = Annotated[int, msgspec.Meta(gt=0)]
PriceName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
PurchaseStatus = Literal["pending", "succeeded", "failed"]


class CreditPrice(msgspec.Struct, forbid_unknown_fields=True):
    """`unit_amount` minor units buy `credits` credits (a purchase is rounded up to the minor unit)."""

    unit_amount: Positive
    credits: Positive = 1


class CreditPack(msgspec.Struct, forbid_unknown_fields=True):
    """A named price bought by quantity: each unit costs `unit_amount` and gives `credits`."""

    currency: Currency
    unit_amount: Positive
    credits: Positive
    name: str | None = None


class PaygConfig(msgspec.Struct, forbid_unknown_fields=True):
    """`tenants.<slug>.payg`."""

    prices: dict[Currency, CreditPrice] = {}
    packs: dict[PriceName, CreditPack] = {}
    min_credits: Positive = 1
    max_credits: Positive = 1_000_000
    max_quantity: Positive = 100
    # Purchased credits expire this many days after the payment (None: never).
    expires_in_days: Positive | None = 180
    priority: Annotated[int, msgspec.Meta(ge=0, le=100)] = 50

    def __post_init__(self) -> None:
        if self.min_credits > self.max_credits:
            raise ValueError("min_credits is above max_credits")


class CreditPurchaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Either `credits` (with `currency` when several are offered) or `price` and `quantity`."""

    credits: Positive | None = None
    currency: Currency | None = None
    price: PriceName | None = None
    quantity: Positive | None = None


class CreditPriceOption(msgspec.Struct):
    currency: str
    unit_amount: int
    credits: int


class CreditPackOption(msgspec.Struct):
    price: str
    name: str | None
    currency: str
    unit_amount: int
    credits: int
    source: Literal["settings", "catalog"]


class CreditPrices(msgspec.Struct):
    prices: list[CreditPriceOption]
    packs: list[CreditPackOption]
    min_credits: int
    max_credits: int
    max_quantity: int
    expires_in_days: int | None


class CreditPurchase(msgspec.Struct):
    id: str
    customer: str
    status: PurchaseStatus
    credits: int
    amount: int
    currency: str
    price: str | None
    quantity: int | None
    payment_intent_id: str | None
    # Only in the answer to the POST (and its idempotent replays): the frontend confirms with it.
    client_secret: str | None
    grant_id: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: dt.datetime
    paid_at: dt.datetime | None
