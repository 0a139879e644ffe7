"""Revenue per currency from every plugin's money rows (`MetricsPart.revenue`), combined in one `UNION ALL`:
sums by bucket, stream and kind, and distinct paying customers per bucket and over the window."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import distinct, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.schemas import RevenueBucket, RevenueSeries
from core.analytics.series import Series

COLUMNS = ("customer_id", "currency", "at", "amount", "kind", "stream")


def combined(statements: Sequence[Any], columns: Sequence[str]) -> Any:
    """Plugins' statements as one subquery, each re-selected by its labels (so column order cannot differ)."""
    parts = []
    for statement in statements:
        sub = statement.subquery()
        parts.append(select(*(sub.c[name] for name in columns)))
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()


class _Sums:
    def __init__(self, size: int) -> None:
        self.by_stream: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        self.refunds, self.disputes, self.orders, self.customers = [0] * size, [0] * size, [0] * size, [0] * size
        self.window_customers = 0


async def revenue_series(session: AsyncSession, series: Series, statements: Sequence[Any]) -> dict[str, RevenueSeries]:
    if not statements:
        return {}
    size = len(series.starts)
    rows = combined(statements, COLUMNS)
    bucket = series.bucket(rows.c.at)
    sums = select(bucket, rows.c.currency, rows.c.kind, rows.c.stream, func.sum(rows.c.amount), func.count()).group_by(
        bucket, rows.c.currency, rows.c.kind, rows.c.stream
    )
    paying = rows.c.kind == "payment"
    per_bucket = (
        select(bucket, rows.c.currency, func.count(distinct(rows.c.customer_id)))
        .where(paying)
        .group_by(bucket, rows.c.currency)
    )
    per_window = (
        select(rows.c.currency, func.count(distinct(rows.c.customer_id))).where(paying).group_by(rows.c.currency)
    )
    found: dict[str, _Sums] = defaultdict(lambda: _Sums(size))
    for key, currency, kind, stream, amount, n in await session.execute(sums):
        i = series.index_of(key)
        if i is None:
            continue
        row = found[currency]
        if kind == "payment":
            row.by_stream[stream][i] += int(amount)
            row.orders[i] += int(n)
        elif kind == "refund":
            row.refunds[i] += int(amount)
        elif kind == "dispute":
            row.disputes[i] += int(amount)
    for key, currency, customers in await session.execute(per_bucket):
        if (i := series.index_of(key)) is not None:
            found[currency].customers[i] = int(customers)
    for currency, customers in await session.execute(per_window):
        found[currency].window_customers = int(customers)
    return {currency: _series_of(series, found[currency]) for currency in sorted(found)}


def _bucket(
    start: Any, end: Any, streams: dict[str, int], *, refunds: int, disputes: int, orders: int, payers: int
) -> RevenueBucket:
    gross = sum(streams.values())
    net = gross - refunds - disputes
    return RevenueBucket(
        start=start,
        end=end,
        gross=gross,
        gross_by_stream={stream: amount for stream, amount in sorted(streams.items()) if amount},
        refunds=refunds,
        disputes=disputes,
        net=net,
        orders=orders,
        average_order_value=gross // orders if orders else None,
        paying_customers=payers,
        arpu=net // payers if payers else None,
    )


def _series_of(series: Series, row: _Sums) -> RevenueSeries:
    buckets = [
        _bucket(
            *series.bounds(i),
            {stream: values[i] for stream, values in row.by_stream.items()},
            refunds=row.refunds[i],
            disputes=row.disputes[i],
            orders=row.orders[i],
            payers=row.customers[i],
        )
        for i in range(len(series.starts))
    ]
    totals = _bucket(
        series.since,
        series.until,
        {stream: sum(values) for stream, values in row.by_stream.items()},
        refunds=sum(row.refunds),
        disputes=sum(row.disputes),
        orders=sum(row.orders),
        payers=row.window_customers,
    )
    return RevenueSeries(buckets, totals)
