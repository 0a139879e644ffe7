"""Operations over the series: Stripe events by status and their processing lag, notifications delivered
to the tenant app, checkouts started and completed (`MetricsPart.checkouts`), bucketed by when each began."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, case, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.revenue import combined
from core.analytics.rollup import Daily, rolled
from core.analytics.schemas import OperationsBucket, OperationsSeries, ratio
from core.analytics.series import Series
from core.db import scoped
from core.inbox.models import WebhookEvent
from core.notifications.models import DELIVERED, Notification
from tenants.registry import Tenant

PERCENTILES = (0.5, 0.95)


async def operation_series(
    session: AsyncSession, tenant: Tenant, series: Series, checkouts: Sequence[Any]
) -> OperationsSeries:
    size = len(series.starts)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    events = await rolled(session, tenant, series, EVENTS, start=series.since, end=series.until)
    for key, status, n in events:
        if (i := series.index_of(key)) is not None:
            counts["received"][i] += int(n)
            counts[status][i] += int(n)
    lags, window_lags = await _lags(session, tenant, series)
    bucket = series.bucket(Notification.created_at)
    notices = scoped(
        select(bucket, func.count(), func.sum(case((Notification.status == DELIVERED, 1), else_=0)))
        .where(*series.window(Notification.created_at))
        .group_by(bucket),
        Notification,
        tenant.slug,
    )
    for key, n, delivered in await session.execute(notices):
        if (i := series.index_of(key)) is not None:
            counts["notifications"][i] += int(n)
            counts["delivered"][i] += int(delivered or 0)
    if checkouts:
        rows = combined(checkouts, ("at", "completed", "stream"))
        bucket = series.bucket(rows.c.at)
        started = select(bucket, func.count(), func.sum(rows.c.completed)).group_by(bucket)
        for key, n, completed in await session.execute(started):
            if (i := series.index_of(key)) is not None:
                counts["checkouts"][i] += int(n)
                counts["completed"][i] += int(completed or 0)

    def of(start: Any, end: Any, i: int | None, lag: tuple[int | None, int | None]) -> OperationsBucket:
        def total(name: str) -> int:
            values = counts[name]
            return sum(values) if i is None else values[i]

        return OperationsBucket(
            start=start,
            end=end,
            events_received=total("received"),
            events_processed=total("processed"),
            events_ignored=total("ignored"),
            events_dead=total("dead"),
            lag_p50_ms=lag[0],
            lag_p95_ms=lag[1],
            notifications=total("notifications"),
            notifications_delivered=total("delivered"),
            notification_success=ratio(total("delivered"), total("notifications")),
            checkouts_started=total("checkouts"),
            checkouts_completed=total("completed"),
            checkout_conversion=ratio(total("completed"), total("checkouts")),
        )

    return OperationsSeries(
        series=[of(*series.bounds(i), i, lags.get(i, (None, None))) for i in range(size)],
        totals=of(series.since, series.until, None, window_lags),
    )


def _lag_ms(dialect: str) -> Any:
    """Milliseconds from an event's receipt to its processing (constants in the SQL text: the lag is grouped by)."""
    if dialect == "postgresql":
        lag = func.extract("epoch", WebhookEvent.processed_at - WebhookEvent.created_at) * literal_column("1000")
        return cast(lag, Float)
    return (func.julianday(WebhookEvent.processed_at) - func.julianday(WebhookEvent.created_at)) * literal_column(
        "86400000"
    )


def _ms(value: Any) -> int | None:
    return None if value is None else round(float(value))


def _ms_key(value: Any) -> str | None:
    return None if value is None else str(_ms(value))


# An event's status (and its lag) changes after its day closes (processed late, dead, replayed): its
# `updated_at` moves with every change, and a day with a change since the rollup's watermark is read live.
EVENTS = Daily(
    "inbox.events",
    WebhookEvent,
    WebhookEvent.created_at,
    (WebhookEvent.status,),
    (func.count(),),
    changed=WebhookEvent.updated_at,
)


def lag_counts(dialect: str) -> Daily:
    """Processed events by their lag in whole milliseconds: percentiles are not sums, but a nearest-rank
    percentile of the rounded lags is the rounded percentile of the lags, and counts per lag add up."""
    return Daily(
        "inbox.lags",
        WebhookEvent,
        WebhookEvent.created_at,
        (_lag_ms(dialect),),
        (func.count(),),
        where=(WebhookEvent.processed_at.is_not(None),),
        changed=WebhookEvent.updated_at,
        key_of=_ms_key,
    )


Lags = tuple[int | None, int | None]


async def _lags(session: AsyncSession, tenant: Tenant, series: Series) -> tuple[dict[int, Lags], Lags]:
    """p50 and p95 of the processing lag per bucket and over the window (nearest rank), from the counts of
    events per millisecond of lag."""
    daily = lag_counts(series.dialect)
    by_bucket: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    every: dict[int, int] = defaultdict(int)
    for key, ms, n in await rolled(session, tenant, series, daily, start=series.since, end=series.until):
        if (i := series.index_of(key)) is not None:
            by_bucket[i][int(ms)] += int(n)
            every[int(ms)] += int(n)
    return {i: _ranked(counts) for i, counts in by_bucket.items()}, _ranked(every)


def _ranked(counts: dict[int, int]) -> Lags:
    """The nearest-rank percentiles of values given as counts per value."""
    total = sum(counts.values())
    if not total:
        return None, None
    ranked = sorted(counts.items())
    found: list[int | None] = []
    for p in PERCENTILES:
        rank, seen = max(math.ceil(p * total), 1), 0
        for value, n in ranked:
            seen += n
            if seen >= rank:
                found.append(value)
                break
    return found[0], found[1]
