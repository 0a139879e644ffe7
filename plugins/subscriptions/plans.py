"""A customer's plan as of now: the tier held, whether it is in good standing, and what it entitles to.

A past_due subscription keeps its tier for the tenant's grace period, counted from the first failed
renewal; after that, and for `unpaid` or `paused` ones, the default tier's entitlements apply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plugins.subscriptions.config import SubscriptionsConfig, Tier
from plugins.subscriptions.models import IN_GOOD_STANDING, Subscription

FREE = "free"


@dataclass(frozen=True)
class Plan:
    customer: str
    # The tier the customer holds (the default one without a subscription) ...
    tier: Tier
    # ... and the tier whose entitlements apply now (the default one when restricted).
    effective: Tier
    status: str
    subscription: Subscription | None
    restricted: bool
    grace_ends_at: dt.datetime | None
    # What the effective tier grants: its credits a month (None: unlimited) and feature flags, which a
    # synced price's `credit_amount` and `feature_flags` metadata may replace and extend.
    credits_per_month: int | None
    features: dict[str, bool]

    def entitlements(self) -> dict[str, Any]:
        """The `tollgate_entitlements` answer: tier, models, feature flags and the monthly credit limit."""
        return {
            "tier": self.effective.id,
            "models": list(self.effective.models),
            "features": dict(self.features),
            "limits": {"credits_per_month": self.credits_per_month},
            "status": self.status,
            "restricted": self.restricted,
        }


def plan_of(config: SubscriptionsConfig, customer: str, row: Subscription | None, now: dt.datetime) -> Plan:
    """The plan of `customer`, whose holding subscription (if any) is `row`."""
    default = config.default
    tier = config.tier(row.tier) if row is not None else None
    if row is None or tier is None:
        return Plan(customer, default, default, FREE, None, False, None, default.monthly_limit, dict(default.features))
    grace_ends_at = None
    if row.status in IN_GOOD_STANDING:
        restricted = False
    elif row.status == "past_due" and row.past_due_since is not None:
        grace_ends_at = row.past_due_since + dt.timedelta(days=config.grace_period_days)
        restricted = now >= grace_ends_at
    else:
        restricted = True
    effective = default if restricted else tier
    return Plan(
        customer,
        tier,
        effective,
        row.status,
        row,
        restricted,
        grace_ends_at,
        effective.monthly_limit,
        dict(effective.features),
    )


def monthly_of(tier: Tier, interval: str, period_credits: int | None) -> int | None:
    """Credits a month of `tier` billed every `interval` gives (None: unlimited); `period_credits`, a
    synced price's `credit_amount` for the whole period, wins over the tier's."""
    if tier.unlimited:
        return None
    if period_credits is not None:
        return period_credits // 12 if interval == "year" else period_credits
    return tier.credits_per_month


def priced(plan: Plan, row: Subscription, feature_flags: Sequence[str]) -> Plan:
    """The unrestricted plan of the subscription `row` with what its price gives: the price's
    `feature_flags` over the tier's features, and the credits a month of its `credit_amount` (kept on
    the row)."""
    features = {**plan.features, **dict.fromkeys(feature_flags, True)}
    monthly = monthly_of(plan.tier, row.interval, row.period_credits)
    return dataclasses.replace(plan, credits_per_month=monthly, features=features)
