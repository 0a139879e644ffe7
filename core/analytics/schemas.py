"""The wire schemas of `GET /admin/metrics`: per-currency time series and period totals (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

import msgspec

from core.fields import Examples

Start = Annotated[dt.datetime, msgspec.Meta(description="The bucket's start (included), cut to the window.")]
End = Annotated[dt.datetime, msgspec.Meta(description="The bucket's end (excluded), cut to the window.")]
Minor = Annotated[int, msgspec.Meta(description="Money in the currency's minor units (1 for JPY, cents for USD).")]


class Ratio(msgspec.Struct):
    """An exact ratio of two counts, and the same in basis points (floored; null when nothing to divide by)."""

    numerator: Annotated[int, msgspec.Meta(description="What is counted (the canceled, the delivered...).")]
    denominator: Annotated[int, msgspec.Meta(description="What it is counted out of; 0 when nothing was.")]
    basis_points: Annotated[int | None, msgspec.Meta(description="numerator x 10000 / denominator, floored.")]


def ratio(numerator: int, denominator: int) -> Ratio:
    return Ratio(numerator, denominator, numerator * 10000 // denominator if denominator else None)


class MrrMovements(msgspec.Struct):
    """What moved MRR (active and past-due together) within a bucket, in minor units per month."""

    new: Annotated[int, msgspec.Meta(description="From subscriptions starting to bring revenue.")]
    expansion: Annotated[int, msgspec.Meta(description="From upgrades, more seats, shorter-to-dearer plans.")]
    contraction: Annotated[int, msgspec.Meta(description="Lost to downgrades (positive number).")]
    churn: Annotated[int, msgspec.Meta(description="Lost to subscriptions that stopped bringing revenue (positive).")]
    reactivation: Annotated[int, msgspec.Meta(description="From customers coming back after a churn.")]
    net: Annotated[int, msgspec.Meta(description="new + expansion + reactivation - contraction - churn.")]


class SubscriptionBucket(msgspec.Struct):
    """Subscriptions in one currency over one bucket (or, as `totals`, the whole window)."""

    start: Start
    end: End
    mrr: Annotated[Minor, msgspec.Meta(description="MRR of `active` subscriptions at the end (ARR / 12, floored).")]
    arr: Annotated[Minor, msgspec.Meta(description="Annual run rate of `active` subscriptions at the end (exact).")]
    past_due_mrr: Annotated[Minor, msgspec.Meta(description="MRR of `past_due` subscriptions at the end.")]
    movements: Annotated[MrrMovements, msgspec.Meta(description="What moved MRR in the bucket.")]
    active: Annotated[int, msgspec.Meta(description="Subscriptions bringing revenue (active or past due) at the end.")]
    new: Annotated[int, msgspec.Meta(description="Subscriptions starting to bring revenue (not after a churn).")]
    reactivated: Annotated[int, msgspec.Meta(description="Subscriptions of returning customers.")]
    canceled: Annotated[int, msgspec.Meta(description="Subscriptions that stopped bringing revenue (churned).")]
    churn_rate: Annotated[Ratio, msgspec.Meta(description="`canceled` / subscriptions active at the start.")]
    subscribers_by_tier: Annotated[
        dict[str, int], msgspec.Meta(description="Subscriptions bringing revenue at the end, by tier.")
    ]


Buckets = msgspec.Meta(description="One entry per bucket, oldest first.")
Totals = msgspec.Meta(description="The whole window: flows summed, stocks at its end, ratios over it.")


class SubscriptionSeries(msgspec.Struct):
    """One currency's subscription metrics: a bucket per interval, and the window's totals."""

    series: Annotated[list[SubscriptionBucket], Buckets]
    totals: Annotated[SubscriptionBucket, Totals]


class RevenueBucket(msgspec.Struct):
    """Money taken in one currency over one bucket (or the whole window), by when it moved."""

    start: Start
    end: End
    gross: Annotated[Minor, msgspec.Meta(description="Payments received, every stream.")]
    gross_by_stream: Annotated[
        dict[str, int], msgspec.Meta(description="Payments by stream: subscriptions, token_packages, payg.")
    ]
    refunds: Annotated[Minor, msgspec.Meta(description="Refunds made in the bucket, whatever period they repay.")]
    disputes: Annotated[Minor, msgspec.Meta(description="Disputed money lost in the bucket.")]
    net: Annotated[Minor, msgspec.Meta(description="gross - refunds - disputes.")]
    orders: Annotated[int, msgspec.Meta(description="Payments received (a paid invoice, order or purchase each).")]
    average_order_value: Annotated[Minor | None, msgspec.Meta(description="gross / orders, floored.")]
    paying_customers: Annotated[int, msgspec.Meta(description="Distinct customers with a payment.")]
    arpu: Annotated[Minor | None, msgspec.Meta(description="net / paying customers, floored.")]


class RevenueSeries(msgspec.Struct):
    """One currency's revenue: a bucket per interval, and the window's totals."""

    series: Annotated[list[RevenueBucket], Buckets]
    totals: Annotated[RevenueBucket, Totals]


class CreditsBucket(msgspec.Struct):
    """Credits (counts, every currency alike) moved over one bucket (or the whole window)."""

    start: Start
    end: End
    granted: Annotated[int, msgspec.Meta(description="Credits granted.")]
    granted_by_source: Annotated[
        dict[str, int], msgspec.Meta(description="Credits granted by grant source (docs/metrics.md maps them).")
    ]
    granted_by_plugin: Annotated[
        dict[str, int],
        msgspec.Meta(
            description=(
                "Credits granted by the plugin whose grant source it is: subscriptions (allowances), "
                "token_packages (packages), payg, core.ledger (admin grants and adjustments)."
            )
        ),
    ]
    consumed: Annotated[int, msgspec.Meta(description="Spent or held, less released holds and spend refunds.")]
    expired: Annotated[int, msgspec.Meta(description="Lapsed unspent (breakage).")]
    clawed_back: Annotated[int, msgspec.Meta(description="Taken back after a refund or a dispute.")]
    adjusted: Annotated[
        int, msgspec.Meta(description="Taken by negative admin adjustments (a positive one is a grant).")
    ]
    outstanding: Annotated[int, msgspec.Meta(description="Credits customers hold at the end (spendable balance).")]


class LiabilityBucket(msgspec.Struct):
    """What the unspent prepaid credits of one currency were worth over one bucket, and what moved it.

    opening + added - consumed - clawed_back - expired = closing, exactly (docs/metrics.md: the rounding)."""

    start: Start
    end: End
    opening: Annotated[Minor, msgspec.Meta(description="Unspent paid credits' worth at the start (purchase price).")]
    added: Annotated[Minor, msgspec.Meta(description="Worth of the credits bought (package orders, PAYG purchases).")]
    consumed: Annotated[
        Minor, msgspec.Meta(description="Worth released by credits spent or captured, less spend refunds.")
    ]
    clawed_back: Annotated[Minor, msgspec.Meta(description="Worth taken back by refunds and disputes (clawbacks).")]
    expired: Annotated[Minor, msgspec.Meta(description="Worth of credits that lapsed unspent (breakage).")]
    closing: Annotated[Minor, msgspec.Meta(description="Unspent paid credits' worth at the end.")]


class LiabilitySeries(msgspec.Struct):
    """One currency's prepaid liability: a bucket per interval, and the window's (opening at `since`,
    closing at `until`, movements summed)."""

    series: Annotated[list[LiabilityBucket], Buckets]
    totals: Annotated[LiabilityBucket, Totals]


class CreditsSeries(msgspec.Struct):
    """Credits: a bucket per interval, the window's totals, and the money value of what is left unspent."""

    series: Annotated[list[CreditsBucket], Buckets]
    totals: Annotated[CreditsBucket, Totals]
    prepaid_value: Annotated[
        dict[str, int],
        msgspec.Meta(
            description=(
                "Unspent credits bought with money, valued at what they cost, per currency (minor units): the "
                "deferred revenue. As of now, not of the window's end."
            )
        ),
    ]
    prepaid_liability: Annotated[
        dict[str, LiabilitySeries],
        msgspec.Meta(
            description=(
                "The same liability over the window, per currency: its worth at each bucket's start and end and "
                "what moved it (credits bought, consumed, clawed back, expired), in minor units."
            )
        ),
    ]


class OperationsBucket(msgspec.Struct):
    """How Stripe's events, the tenant app's notifications and checkouts went over one bucket."""

    start: Start
    end: End
    events_received: Annotated[int, msgspec.Meta(description="Stripe events stored (by receipt).")]
    events_processed: Annotated[int, msgspec.Meta(description="Of those, processed by a handler.")]
    events_ignored: Annotated[int, msgspec.Meta(description="Received with no handler for their type.")]
    events_dead: Annotated[int, msgspec.Meta(description="Given up after every retry (dead letters).")]
    lag_p50_ms: Annotated[int | None, msgspec.Meta(description="Median time from receipt to processed.")]
    lag_p95_ms: Annotated[int | None, msgspec.Meta(description="95th percentile of the same.")]
    notifications: Annotated[int, msgspec.Meta(description="Notifications created for the tenant app.")]
    notifications_delivered: Annotated[int, msgspec.Meta(description="Of those, delivered to the tenant app.")]
    notification_success: Annotated[Ratio, msgspec.Meta(description="Delivered / created.")]
    checkouts_started: Annotated[
        int, msgspec.Meta(description="Subscription checkouts, package orders and PAYG purchases started.")
    ]
    checkouts_completed: Annotated[int, msgspec.Meta(description="Of those, paid.")]
    checkout_conversion: Annotated[Ratio, msgspec.Meta(description="Completed / started.")]


class OperationsSeries(msgspec.Struct):
    """Operations: a bucket per interval, and the window's totals."""

    series: Annotated[list[OperationsBucket], Buckets]
    totals: Annotated[OperationsBucket, Totals]


def _example() -> dict[str, Any]:
    """One month of a small tenant: two new basic subscriptions in usd (one yearly), credits of a pack bought
    earlier (in cny) being spent."""
    window = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}
    moved = {"new": 1833, "expansion": 0, "contraction": 0, "churn": 0, "reactivation": 0, "net": 1833}
    subscriptions = {
        **window,
        "mrr": 1833,
        "arr": 22000,
        "past_due_mrr": 0,
        "movements": moved,
        "active": 2,
        "new": 2,
        "reactivated": 0,
        "canceled": 0,
        "churn_rate": {"numerator": 0, "denominator": 0, "basis_points": None},
        "subscribers_by_tier": {"basic": 2},
    }
    revenue = {
        **window,
        "gross": 11000,
        "gross_by_stream": {"subscriptions": 11000},
        "refunds": 0,
        "disputes": 0,
        "net": 11000,
        "orders": 2,
        "average_order_value": 5500,
        "paying_customers": 2,
        "arpu": 5500,
    }
    credit = {
        **window,
        "granted": 0,
        "granted_by_source": {},
        "granted_by_plugin": {},
        "consumed": 300,
        "expired": 0,
        "clawed_back": 0,
        "adjusted": 0,
        "outstanding": 800,
    }
    # 300 of 1100 credits bought for 10000 fen spent: floor(1100 x 10000 / 1100) - floor(800 x ...) = 2728 released.
    liability = {**window, "opening": 10000, "added": 0, "consumed": 2728, "clawed_back": 0, "expired": 0}
    liability["closing"] = 7272
    operations = {
        **window,
        "events_received": 12,
        "events_processed": 11,
        "events_ignored": 1,
        "events_dead": 0,
        "lag_p50_ms": 40,
        "lag_p95_ms": 180,
        "notifications": 4,
        "notifications_delivered": 4,
        "notification_success": {"numerator": 4, "denominator": 4, "basis_points": 10000},
        "checkouts_started": 4,
        "checkouts_completed": 3,
        "checkout_conversion": {"numerator": 3, "denominator": 4, "basis_points": 7500},
    }
    return {
        "tenant": "fiko",
        "since": "2026-03-01T00:00:00Z",
        "until": "2026-04-01T00:00:00Z",
        "interval": "month",
        "currencies": ["cny", "usd"],
        "subscriptions": {"usd": {"series": [subscriptions], "totals": subscriptions}},
        "revenue": {"usd": {"series": [revenue], "totals": revenue}},
        "credits": {
            "series": [credit],
            "totals": credit,
            "prepaid_value": {"cny": 7272},
            "prepaid_liability": {"cny": {"series": [liability], "totals": liability}},
        },
        "operations": {"series": [operations], "totals": operations},
    }


class Metrics(msgspec.Struct):
    """A tenant's metrics over a window, bucketed by day, ISO week or calendar month (UTC), per currency."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    since: Annotated[dt.datetime, msgspec.Meta(description="The window's start (included).")]
    until: Annotated[dt.datetime, msgspec.Meta(description="The window's end (excluded).")]
    interval: Annotated[str, msgspec.Meta(description="day | week | month.")]
    currencies: Annotated[list[str], msgspec.Meta(description="Every currency with a figure (or the one asked).")]
    subscriptions: Annotated[
        dict[str, SubscriptionSeries], msgspec.Meta(description="Subscription metrics per currency (no conversion).")
    ]
    revenue: Annotated[dict[str, RevenueSeries], msgspec.Meta(description="Revenue per currency (no conversion).")]
    credits: Annotated[CreditsSeries, msgspec.Meta(description="Credits granted, used and left (every currency).")]
    operations: Annotated[OperationsSeries, msgspec.Meta(description="Stripe events, notifications, checkouts.")]

    schema_examples: ClassVar[Examples] = (_example(),)
