"""Wire shapes of the subscriptions plugin: what clients send (`*Create`, `*Update`) and what it answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.lists import Page
from core.money import Currency
from plugins.subscriptions.config import Interval, TierId

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=r"^https?://")]
PromotionCode = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
# What a customer holds: a Stripe status, or "free" on the default tier without a subscription.
PlanStatus = str


class TierPriceInfo(msgspec.Struct):
    interval: Interval
    currency: str | None
    # Minor units; None when the amount cannot be read right now.
    unit_amount: int | None
    price_id: str
    # The price's own `credit_amount` metadata (product_sync): credits per billing period instead of the tier's.
    credits_per_period: int | None = None


class TierInfo(msgspec.Struct):
    id: str
    name: str
    credits_per_month: int | None
    is_unlimited: bool
    is_default: bool
    models: list[str]
    features: dict[str, bool]
    highlights: list[str]
    trial_days: int
    prices: list[TierPriceInfo]


class TierList(Page[TierInfo]):
    """The tiers on offer, answered whole, and the one a customer without a plan is on."""

    default_tier: str


class CheckoutCreate(msgspec.Struct, forbid_unknown_fields=True):
    tier: TierId
    success_url: Url
    interval: Interval = "month"
    cancel_url: Url | None = None
    # The code a customer types (e.g. "LAUNCH20") or a Stripe promotion code id (`promo_...`).
    promotion_code: PromotionCode | None = None
    currency: Currency | None = None


class Checkout(msgspec.Struct):
    checkout_url: str
    session_id: str
    tier: str
    interval: str
    price_id: str
    trial_days: int


class PortalCreate(msgspec.Struct, forbid_unknown_fields=True):
    return_url: Url


class Portal(msgspec.Struct):
    portal_url: str


class SubscriptionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A plan change (tier and/or interval, prorated by Stripe) or undoing a cancellation at period end."""

    tier: TierId | None = None
    interval: Interval | None = None
    cancel_at_period_end: Literal[False] | None = None


class Subscription(msgspec.Struct):
    customer: str
    tier: str
    tier_name: str
    status: PlanStatus
    subscription_id: str | None
    interval: str | None
    # Every credit the customer can spend now (plan, purchases, grants); the ledger's balance.
    credits_remaining: int
    credits_per_month: int | None
    is_unlimited: bool
    current_period_start: dt.datetime
    current_period_end: dt.datetime
    cancel_at_period_end: bool
    trial_end: dt.datetime | None
    # past_due beyond the grace period (or unpaid): the default tier's entitlements apply.
    restricted: bool
    grace_ends_at: dt.datetime | None
    models: list[str]
    features: dict[str, bool]


class Usage(msgspec.Struct):
    customer: str
    tier: str
    is_unlimited: bool
    period_start: dt.datetime
    period_end: dt.datetime
    # Credits the plan granted for this period (None on an unlimited tier).
    allowance: int | None
    # Credits used this period: of the allowance, or (unlimited) every recorded spend.
    used: int
    remaining: int | None
    # Whole percent of the allowance used, rounded down (None on an unlimited tier).
    percentage: int | None


class ModelAccess(msgspec.Struct):
    customer: str
    model: str
    allowed: bool
    tier: str
    # None when allowed; else `model_not_in_tier` (with the cheapest tier that has it) or `unknown_model`.
    code: str | None
    available_in: str | None
    message: str


class ReconcileRequest(msgspec.Struct):
    tenant: str
    queued: bool


class Drift(msgspec.Struct):
    """What a reconcile found different between one local subscription and Stripe (`field: [local, stripe]`)."""

    subscription: str
    customer: str
    changes: dict[str, tuple[str, str]]
    error: str | None = None
