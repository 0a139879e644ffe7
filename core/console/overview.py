"""The figures behind a tenant's overview page, in one shape whatever computes them.

`overview()` is the one place that asks for them. Today it asks `GET /admin/figures`'s service once per
bucket (credits granted, consumed and expired; money taken per stream and currency; subscribers by tier);
the revenue analytics of issue 21 §1 (`core.analytics`: MRR and its movements, the prepaid liability)
will answer here instead, in the same shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.figures import read_figures
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
BUCKETS = 12


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    end: dt.datetime

    def label(self, interval: Interval) -> str:
        if interval == "month":
            return f"{self.start:%Y-%m}"
        if interval == "week":
            return f"{self.start:%G-W%V}"
        return f"{self.start:%m-%d}"


@dataclass
class Overview:
    """A tenant's figures over the last `BUCKETS` buckets: series are lists aligned with `buckets`."""

    tenant: str
    interval: Interval
    buckets: list[Bucket]
    # granted, consumed, expired, clawed_back: credits per bucket.
    credits: dict[str, list[int]] = field(default_factory=dict)
    # currency -> stream (the plugin that took it) -> minor units per bucket.
    revenue: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # currency -> MRR at each bucket's end, and its movements (new, expansion, ...) per bucket; empty when
    # nothing computes them.
    mrr: dict[str, list[int]] = field(default_factory=dict)
    movements: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # Credits customers hold now (spendable, held, owed), and what the unspent prepaid ones cost, per currency.
    outstanding: dict[str, int] = field(default_factory=dict)
    liability: dict[str, int] = field(default_factory=dict)
    subscribers_by_tier: dict[str, int] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [bucket.label(self.interval) for bucket in self.buckets]


def truncate(at: dt.datetime, interval: Interval) -> dt.datetime:
    """The start of the bucket holding `at` (UTC midnight; Monday for weeks; the 1st for months)."""
    day = at.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def step(start: dt.datetime, interval: Interval, n: int) -> dt.datetime:
    if interval == "day":
        return start + dt.timedelta(days=n)
    if interval == "week":
        return start + dt.timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return start.replace(year=months // 12, month=months % 12 + 1)


def last_buckets(now: dt.datetime, interval: Interval, count: int = BUCKETS) -> list[Bucket]:
    """The `count` buckets ending with the one holding `now` (the last one cut at `now`)."""
    first = step(truncate(now, interval), interval, 1 - count)
    starts = [step(first, interval, n) for n in range(count)]
    return [Bucket(start, min(step(start, interval, 1), now)) for start in starts]


async def overview(
    session: AsyncSession, tenant: Tenant, interval: Interval, plugins: Plugins, kernel: Kernel
) -> Overview:
    """The tenant's overview for the last twelve buckets of `interval`."""
    buckets = last_buckets(clock.now(), interval)
    result = Overview(tenant=tenant.slug, interval=interval, buckets=buckets)
    size = len(buckets)
    result.credits = {name: [0] * size for name in ("granted", "consumed", "expired", "clawed_back")}
    for i, bucket in enumerate(buckets):
        figures = await _figures(
            session=session, tenant=tenant, plugins=plugins, kernel=kernel, since=bucket.start, until=bucket.end
        )
        fold(result, i, figures, latest=i == size - 1)
    return result


def fold(result: Overview, i: int, figures: dict[str, dict[str, Any]], *, latest: bool) -> None:
    """Put one bucket's `/admin/figures` answer into the overview; the latest bucket also gives what is now."""
    # The ledger's block (the kernel's `core.ledger`) is the one with credit movements.
    ledger = next((block for block in figures.values() if "movements" in block), {})
    moved = {kind: int(m.get("credits", 0)) for kind, m in ledger.get("movements", {}).items()}
    result.credits["granted"][i] = int(ledger.get("credits_issued", 0))
    # Spent, or held less what holds gave back (a capture moves nothing).
    result.credits["consumed"][i] = -(moved.get("spend", 0) + moved.get("hold", 0) + moved.get("release", 0))
    result.credits["expired"][i] = -moved.get("expire", 0)
    result.credits["clawed_back"][i] = -moved.get("clawback", 0)
    for stream, block in figures.items():
        for currency, amount in (block.get("revenue") or {}).items():
            per_stream = result.revenue.setdefault(currency, {})
            per_stream.setdefault(stream, [0] * len(result.buckets))[i] = int(amount)
    if latest:
        result.outstanding = {k: int(v) for k, v in ledger.get("outstanding", {}).items() if k != "accounts"}
        for block in figures.values():
            # The subscriptions plugin's live subscriptions: {tier: {status: count}}.
            for tier, by_status in (block.get("live_by_tier") or {}).items():
                for status, n in by_status.items():
                    result.subscribers_by_tier[f"{tier} ({status})"] = int(n)


async def _figures(
    *,
    session: AsyncSession,
    tenant: Tenant,
    plugins: Plugins,
    kernel: Kernel,
    since: dt.datetime,
    until: dt.datetime,
) -> dict[str, dict[str, Any]]:
    """`GET /admin/figures`'s answer for one window, from its own service."""
    answer = await read_figures.fn(
        tenant=tenant, db_session=session, plugins=plugins, kernel=kernel, since=since, until=until
    )
    return answer.figures  # type: ignore[no-any-return]
