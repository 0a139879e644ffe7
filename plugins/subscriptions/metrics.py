"""Subscriptions' part of `GET /admin/metrics`: MRR and its movements, counts, churn and tiers per currency,
read from `subscription_changes` alone (two grouped statements), and the subscriptions revenue stream and
checkouts as SQL for the kernel to combine (docs/metrics.md, "Subscriptions")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.parts import MetricsPart, checkout_rows, revenue_rows
from core.analytics.rollup import Daily, rolled
from core.analytics.schemas import MrrMovements, SubscriptionBucket, SubscriptionSeries, ratio
from core.analytics.series import Series, cumulative
from core.db import scoped
from plugins.subscriptions.models import (
    SubscriptionChange,
    SubscriptionCheckout,
    SubscriptionInvoice,
    SubscriptionReversal,
)
from tenants.registry import Tenant

STREAM = "subscriptions"
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
C = SubscriptionChange


def _part(status: str) -> Any:
    """The change of the run rate counted under `status` (`active` in MRR, `past_due` in past-due MRR)."""
    return case((C.status == status, C.arr_after), else_=0) - case((C.previous_status == status, C.arr_before), else_=0)


def _earning(arr: Any) -> Any:
    return case((arr > 0, 1), else_=0)


# The history's sums by day (core/analytics/rollup.py). A change may be recorded after its day closed (a late
# Stripe event, a backfill): `history.record` marks its day, read live until rebuilt.
CHANGES = Daily(
    "subscriptions.changes",
    C,
    C.occurred_at,
    (C.currency, C.kind),
    (
        func.sum(_part("active")),
        func.sum(_part("past_due")),
        func.sum(_earning(C.arr_after) - _earning(C.arr_before)),
        func.sum(C.arr_after - C.arr_before),
        func.count(),
    ),
    marked=True,
)
# Subscribers joining a tier (earning after the change) and leaving one (earning before it).
JOINED = Daily(
    "subscriptions.tiers_joined",
    C,
    C.occurred_at,
    (C.currency, C.tier),
    (func.count(),),
    (C.arr_after > 0,),
    marked=True,
)
LEFT = Daily(
    "subscriptions.tiers_left",
    C,
    C.occurred_at,
    (C.currency, C.previous_tier),
    (func.count(),),
    (C.arr_before > 0,),
    marked=True,
)

HISTORY = (CHANGES.family, JOINED.family, LEFT.family)


class _Currency:
    """One currency's running sums while the rows are read."""

    def __init__(self, size: int) -> None:
        self.opening = {"active": 0, "past_due": 0, "count": 0}
        self.active, self.past_due, self.count = [0] * size, [0] * size, [0] * size
        self.movements = {kind: [0] * size for kind in MOVEMENTS}
        self.kinds = {kind: [0] * size for kind in ("new", "reactivation", "churn")}
        self.tiers_opening: dict[str, int] = defaultdict(int)
        self.tiers: dict[str, list[int]] = defaultdict(lambda: [0] * size)


async def subscription_series(session: AsyncSession, tenant: Tenant, series: Series) -> dict[str, SubscriptionSeries]:
    """Every currency's subscription metrics over the series' buckets."""
    size = len(series.starts)
    found: dict[str, _Currency] = {}
    for key, currency, kind, active, past_due, count, arr, n in await rolled(
        session, tenant, series, CHANGES, start=None, end=series.until
    ):
        if series.currency is not None and currency != series.currency:
            continue
        row = found.setdefault(currency, _Currency(size))
        if series.is_before(key):
            row.opening["active"] += int(active)
            row.opening["past_due"] += int(past_due)
            row.opening["count"] += int(count)
            continue
        i = series.index_of(key)
        if i is None:
            continue
        row.active[i] += int(active)
        row.past_due[i] += int(past_due)
        row.count[i] += int(count)
        if kind in row.movements:
            row.movements[kind][i] += abs(int(arr))
        if kind in row.kinds:
            row.kinds[kind][i] += int(n)
    await _tiers(session, tenant, series, found)
    return {currency: _series_of(series, found[currency]) for currency in sorted(found)}


async def _tiers(session: AsyncSession, tenant: Tenant, series: Series, found: dict[str, _Currency]) -> None:
    """Subscribers by tier: +1 on the tier a change leaves earning, -1 on the tier it took that from."""
    for moves, sign in ((JOINED, 1), (LEFT, -1)):
        for key, currency, tier, n in await rolled(session, tenant, series, moves, start=None, end=series.until):
            row = found.get(currency)
            if row is None or tier is None:
                continue
            if series.is_before(key):
                row.tiers_opening[tier] += sign * int(n)
            elif (i := series.index_of(key)) is not None:
                row.tiers[tier][i] += sign * int(n)


def _series_of(series: Series, row: _Currency) -> SubscriptionSeries:
    active = cumulative(row.opening["active"], row.active)
    past_due = cumulative(row.opening["past_due"], row.past_due)
    count = cumulative(row.opening["count"], row.count)
    tiers = {tier: cumulative(row.tiers_opening.get(tier, 0), row.tiers[tier]) for tier in row.tiers}
    for tier, opening in row.tiers_opening.items():
        tiers.setdefault(tier, [opening] * len(series.starts))

    def bucket(start: Any, end: Any, i: int | None, opening_count: int) -> SubscriptionBucket:
        def total(values: list[int]) -> int:
            return sum(values) if i is None else values[i]

        last = len(series.starts) - 1 if i is None else i
        moved = {kind: total(values) for kind, values in row.movements.items()}
        net = moved["new"] + moved["expansion"] + moved["reactivation"] - moved["contraction"] - moved["churn"]
        canceled = total(row.kinds["churn"])
        return SubscriptionBucket(
            start=start,
            end=end,
            mrr=active[last] // 12,
            arr=active[last],
            past_due_mrr=past_due[last] // 12,
            movements=MrrMovements(**{kind: arr // 12 for kind, arr in moved.items()}, net=_twelfth(net)),
            active=count[last],
            new=total(row.kinds["new"]),
            reactivated=total(row.kinds["reactivation"]),
            canceled=canceled,
            churn_rate=ratio(canceled, opening_count),
            subscribers_by_tier={tier: values[last] for tier, values in sorted(tiers.items()) if values[last]},
        )

    buckets = [
        bucket(*series.bounds(i), i, count[i - 1] if i else row.opening["count"]) for i in range(len(series.starts))
    ]
    return SubscriptionSeries(buckets, bucket(series.since, series.until, None, row.opening["count"]))


def _twelfth(arr: int) -> int:
    """An annual figure as monthly, floored toward zero (a net loss of 18/12 is -1, not -2)."""
    return arr // 12 if arr >= 0 else -(-arr // 12)


def subscription_part(tenant: Tenant, series: Series, subscriptions: dict[str, SubscriptionSeries]) -> MetricsPart:
    """The plugin's contribution: its metrics, its paid invoices and their refunds and lost disputes as revenue,
    its checkouts."""
    paid = SubscriptionInvoice
    invoices = revenue_rows(
        customer_id=paid.customer_id,
        currency=paid.currency,
        at=paid.paid_at,
        amount=paid.amount_paid,
        kind="payment",
        stream=STREAM,
    ).where(*series.window(paid.paid_at), *series.currencies(paid.currency))
    back = SubscriptionReversal
    refunds = revenue_rows(
        customer_id=back.customer_id,
        currency=back.currency,
        at=back.occurred_at,
        amount=back.amount,
        kind="refund",
        stream=STREAM,
    ).where(
        back.kind == "refund",
        back.status == "succeeded",
        *series.window(back.occurred_at),
        *series.currencies(back.currency),
    )
    # A dispute counts when lost, at its close (as the token packages' do).
    disputes = revenue_rows(
        customer_id=back.customer_id,
        currency=back.currency,
        at=back.closed_at,
        amount=back.amount,
        kind="dispute",
        stream=STREAM,
    ).where(
        back.kind == "dispute", back.status == "lost", *series.window(back.closed_at), *series.currencies(back.currency)
    )
    started = SubscriptionCheckout
    checkouts = checkout_rows(at=started.created_at, completed=started.status == "complete", stream=STREAM)
    return MetricsPart(
        revenue=[
            scoped(invoices, paid, tenant.slug),
            scoped(refunds, back, tenant.slug),
            scoped(disputes, back, tenant.slug),
        ],
        checkouts=[scoped(checkouts.where(*series.window(started.created_at)), started, tenant.slug)],
        subscriptions=subscriptions,
    )
