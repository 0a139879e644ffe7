"""The tenant's `subscriptions` block: its tiers, the free default tier, dunning grace, checkout limits.

Tiers are a list, cheapest first; a tier's price ids are not here but in the tenant's secrets
(`prices`, keys `<tier>/<interval>` or `<tier>/<interval>/<currency>`) or, when product_sync is
enabled, in the synced catalog's `plan_tier` metadata. A tier's `prices` say what it costs, for
`tollgate stripe connect --prices` to set up in Stripe and put into the secrets.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.money import Currency
from tenants.registry import Tenant

PLUGIN = "subscriptions"

TierId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Interval = Literal["month", "year"]
Flag = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Model = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
MAX_CREDITS = 10**12
DEFAULT_CURRENCY = "usd"


class TierAmount(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """What a tier costs every `interval`, in minor units; its secrets key names the currency when one is given."""

    interval: Interval
    unit_amount: Annotated[int, msgspec.Meta(ge=1, le=99_999_999)]
    # None: usd, and the key is `<tier>/<interval>` (a checkout naming no currency takes it).
    currency: Currency | None = None

    @property
    def charged_in(self) -> str:
        return self.currency or DEFAULT_CURRENCY

    def key(self, tier: str) -> str:
        """Its name in the tenant's secrets (`prices`): `<tier>/<interval>[/<currency>]`."""
        return f"{tier}/{self.interval}" + (f"/{self.currency}" if self.currency else "")


class Tier(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One plan: what it grants each month and which models and feature flags come with it."""

    id: TierId
    name: Text
    credits_per_month: Annotated[int, msgspec.Meta(ge=0, le=MAX_CREDITS)] = 0
    unlimited: bool = False
    models: list[Model] = []
    features: dict[Flag, bool] = {}
    # Marketing lines for a pricing page ("200 generations per month").
    highlights: list[Text] = []
    trial_days: Annotated[int, msgspec.Meta(ge=0, le=730)] = 0
    # What it costs; set up in Stripe by `tollgate stripe connect --prices`.
    prices: list[TierAmount] = []

    @property
    def monthly_limit(self) -> int | None:
        """Credits a month, None for unlimited."""
        return None if self.unlimited else self.credits_per_month

    def outranks(self, other: Tier) -> bool:
        """True when this tier grants more a month than `other` (unlimited beats any number)."""
        if self.unlimited or other.unlimited:
            return self.unlimited and not other.unlimited
        return self.credits_per_month > other.credits_per_month


class CheckoutRateLimit(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """At most `count` checkouts per customer in any `per_seconds` window."""

    count: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 5
    per_seconds: Annotated[int, msgspec.Meta(ge=1, le=86_400)] = 60


class SubscriptionsConfig(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """`tenants.<slug>.subscriptions`."""

    tiers: Annotated[list[Tier], msgspec.Meta(min_length=1)]
    # The tier of every customer without a paid subscription; it needs no Stripe price.
    default_tier: TierId = "free"
    # How long a past_due subscription keeps its tier before it is restricted to the default one.
    grace_period_days: Annotated[int, msgspec.Meta(ge=0, le=90)] = 3
    checkout_rate_limit: CheckoutRateLimit = CheckoutRateLimit()
    # Let the customer type a promotion code on Stripe's page when the request names none.
    allow_promotion_codes: bool = True
    # Yearly plans: the allowance month by month (a scheduled job) or twelve months' worth at once.
    yearly_allowance: Literal["monthly", "upfront"] = "monthly"

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for tier in self.tiers:
            if tier.id in seen:
                raise ValueError(f"tier {tier.id!r} is declared twice")
            seen.add(tier.id)
            if tier.unlimited and tier.credits_per_month:
                raise ValueError(f"tier {tier.id!r} is unlimited and cannot also set credits_per_month")
            sold = [(price.interval, price.charged_in) for price in tier.prices]
            if len(set(sold)) < len(sold):
                raise ValueError(f"tier {tier.id!r} has two prices for one interval and currency")
        if self.default_tier not in seen:
            raise ValueError(f"default_tier {self.default_tier!r} is not one of the tiers ({', '.join(sorted(seen))})")
        if self.default.trial_days:
            raise ValueError(f"the default tier {self.default_tier!r} is free and has no trial_days")
        if self.default.prices:
            raise ValueError(f"the default tier {self.default_tier!r} is free and has no prices")

    def tier(self, tier_id: str | None) -> Tier | None:
        return next((tier for tier in self.tiers if tier.id == tier_id), None)

    @property
    def default(self) -> Tier:
        tier = self.tier(self.default_tier)
        assert tier is not None
        return tier

    def lowest_with_model(self, model: str) -> Tier | None:
        """The first tier (cheapest first, as declared) that offers `model`."""
        return next((tier for tier in self.tiers if model in tier.models), None)


def config_of(tenant: Tenant) -> SubscriptionsConfig:
    return tenant.plugin_config(PLUGIN, SubscriptionsConfig)


# What `tollgate tenants add` writes for a new tenant: the free tier alone, to be added to.
STARTER = {"default_tier": "free", "tiers": [{"id": "free", "name": "Free", "credits_per_month": 0}]}
