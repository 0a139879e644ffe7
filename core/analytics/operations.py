"""Operations over the series: Stripe events by status and their processing lag, notifications delivered
to the tenant app, checkouts started and completed (`MetricsPart.checkouts`), bucketed by when each began."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, case, cast, func, select, within_group
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.revenue import combined
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
    bucket = series.bucket(WebhookEvent.created_at)
    events = scoped(
        select(bucket, WebhookEvent.status, func.count())
        .where(*series.window(WebhookEvent.created_at))
        .group_by(bucket, WebhookEvent.status),
        WebhookEvent,
        tenant.slug,
    )
    for key, status, n in await session.execute(events):
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


def _lag_ms(series: Series) -> Any:
    """Milliseconds from an event's receipt to its processing."""
    if series.dialect == "postgresql":
        return func.extract("epoch", WebhookEvent.processed_at - WebhookEvent.created_at) * 1000
    return (func.julianday(WebhookEvent.processed_at) - func.julianday(WebhookEvent.created_at)) * 86_400_000


Lags = tuple[int | None, int | None]


async def _lags(session: AsyncSession, tenant: Tenant, series: Series) -> tuple[dict[int, Lags], Lags]:
    """p50 and p95 of the processing lag per bucket and over the window (nearest rank).

    PostgreSQL computes them (`percentile_disc`); SQLite, the embedded shape, has no percentile
    function, so its lags are read and ranked here.
    """
    conditions = [*series.window(WebhookEvent.created_at), WebhookEvent.processed_at.is_not(None)]
    lag = _lag_ms(series)
    if series.dialect == "postgresql":
        pct = [within_group(func.percentile_disc(p), cast(lag, Float)) for p in PERCENTILES]
        bucket = series.bucket(WebhookEvent.created_at)
        per_bucket = scoped(select(bucket, *pct).where(*conditions).group_by(bucket), WebhookEvent, tenant.slug)
        whole = scoped(select(*pct).where(*conditions), WebhookEvent, tenant.slug)
        found = {
            i: (_ms(p50), _ms(p95))
            for key, p50, p95 in await session.execute(per_bucket)
            if (i := series.index_of(key)) is not None
        }
        p50, p95 = (await session.execute(whole)).one()
        return found, (_ms(p50), _ms(p95))
    bucket = series.bucket(WebhookEvent.created_at)
    rows = scoped(select(bucket, lag).where(*conditions), WebhookEvent, tenant.slug)
    by_bucket: dict[int, list[float]] = defaultdict(list)
    every: list[float] = []
    for key, value in await session.execute(rows):
        if (i := series.index_of(key)) is not None:
            by_bucket[i].append(float(value))
            every.append(float(value))
    return {i: _ranked(values) for i, values in by_bucket.items()}, _ranked(every)


def _ranked(values: list[float]) -> Lags:
    if not values:
        return None, None
    values.sort()
    return tuple(_ms(values[max(math.ceil(p * len(values)) - 1, 0)]) for p in PERCENTILES)  # type: ignore[return-value]


def _ms(value: Any) -> int | None:
    return None if value is None else round(float(value))
