"""Wire shapes of token packages: the packs on sale, orders and their payments, refunds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.lists import Page
from core.money import Currency
from plugins.token_packages.config import Expiry, RefundPolicy

OrderStatus = Literal["pending", "processing", "succeeded", "failed", "expired", "refunded", "partially_refunded"]
RefundStatus = Literal["pending", "succeeded", "failed"]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=2048)]


class PackagePrice(msgspec.Struct):
    currency: str
    # Minor units (fen, cents); `display_amount` and `unit_price` are decimal strings in major units.
    amount: int
    display_amount: str
    unit_price: str


class Package(msgspec.Struct):
    id: str
    name: str
    description: str | None
    credits: int
    bonus_credits: int
    total_credits: int
    interval: str | None
    # None: the credits never expire.
    expires_after: Expiry | None
    prices: list[PackagePrice]


class PackageList(Page[Package]):
    """The packs on sale, answered whole, with every currency one is sold in."""

    currencies: list[str]
    default_currency: str | None


class OrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    package: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    success_url: Url
    currency: Currency | None = None
    cancel_url: Url | None = None
    # The code the customer typed (`SPRING20`) or a promotion code id (`promo_...`).
    promotion_code: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None


class Dispute(msgspec.Struct):
    id: str
    status: str
    amount: int
    currency: str
    # Credits the disputed amount bought; taken back when it opened; given back (won) or also taken (lost).
    credits: int
    credits_held: int
    credits_restored: int
    credits_clawed_back: int


class Payment(msgspec.Struct):
    id: str
    invoice_id: str | None
    payment_intent_id: str | None
    amount: int
    currency: str
    credits: int
    credits_expire_at: dt.datetime | None
    paid_at: dt.datetime
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    amount_refunded: int
    credits_clawed_back: int
    dispute: Dispute | None


class Refund(msgspec.Struct):
    id: str
    order_id: str
    payment_id: str
    status: RefundStatus
    source: Literal["api", "stripe"]
    amount: int
    requested_amount: int | None
    currency: str
    policy: str
    credits: int
    credits_clawed_back: int
    credits_from_grant: int
    credits_from_balance: int
    credits_as_debt: int
    reason: str | None
    stripe_refund_id: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: dt.datetime
    succeeded_at: dt.datetime | None


class Order(msgspec.Struct):
    id: str
    customer: str
    package: str
    package_name: str
    status: OrderStatus
    currency: str
    amount: int
    amount_discount: int
    amount_paid: int
    amount_refunded: int
    credits: int
    bonus_credits: int
    credits_granted: int
    credits_clawed_back: int
    interval: str | None
    promotion_code: str | None
    payment_url: str | None
    checkout_session_id: str | None
    subscription_id: str | None
    failure_code: str | None
    failure_message: str | None
    created_at: dt.datetime
    paid_at: dt.datetime | None
    payments: list[Payment]
    refunds: list[Refund]


class RefundCreate(msgspec.Struct, forbid_unknown_fields=True):
    """`amount` in minor units (None: all that is left to refund); `payment` picks a recurring pack's period."""

    amount: Annotated[int, msgspec.Meta(gt=0)] | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    payment: str | None = None
    # Overrides the tenant's `refund_policy` for this refund.
    policy: RefundPolicy | None = None
