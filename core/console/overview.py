"""The figures behind a tenant's overview page: the revenue analytics of `GET /admin/metrics`
(`core.analytics`) for the last twelve buckets, in the shape the page and its charts read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.analytics.schemas import Metrics
from core.analytics.series import INTERVALS, Interval, Series
from core.analytics.service import read_metrics
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant

__all__ = ["INTERVALS", "Bucket", "Interval", "Overview", "from_metrics", "overview"]
# Losses drawn below the axis in the MRR chart.
LOSSES = ("contraction", "churn")


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    end: dt.datetime

    def label(self, interval: str) -> str:
        if interval == "month":
            return f"{self.start:%Y-%m}"
        if interval == "week":
            return f"{self.start:%G-W%V}"
        return f"{self.start:%m-%d}"


@dataclass
class Overview:
    """A tenant's figures over the window's buckets: series are lists aligned with `buckets`."""

    tenant: str
    interval: str
    buckets: list[Bucket]
    # granted, consumed, expired, clawed_back: credits per bucket.
    credits: dict[str, list[int]] = field(default_factory=dict)
    # currency -> stream (subscriptions, token_packages, payg) -> minor units per bucket.
    revenue: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # currency -> MRR at each bucket's end, and what moved it per bucket (losses negative).
    mrr: dict[str, list[int]] = field(default_factory=dict)
    movements: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # Credits customers hold at the window's end; what the unspent prepaid ones cost, per currency (now).
    outstanding: int = 0
    liability: dict[str, int] = field(default_factory=dict)
    # "<tier> (<currency>)" -> subscriptions bringing revenue at the window's end.
    subscribers_by_tier: dict[str, int] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return [bucket.label(self.interval) for bucket in self.buckets]


async def overview(
    session: AsyncSession, tenant: Tenant, interval: Interval, plugins: Plugins, kernel: Kernel
) -> Overview:
    """The tenant's overview for the twelve buckets of `interval` ending now, as `GET /admin/metrics` answers."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    series = Series.of(None, None, interval, None, now=clock.now(), dialect=dialect)
    return from_metrics(await read_metrics(session, tenant, series, plugins, kernel))


def from_metrics(metrics: Metrics) -> Overview:
    credit = metrics.credits
    result = Overview(
        tenant=metrics.tenant,
        interval=metrics.interval,
        buckets=[Bucket(b.start, b.end) for b in credit.series],
        credits={
            "granted": [b.granted for b in credit.series],
            "consumed": [b.consumed for b in credit.series],
            "expired": [b.expired for b in credit.series],
            "clawed_back": [b.clawed_back for b in credit.series],
        },
        outstanding=credit.totals.outstanding,
        liability=dict(credit.prepaid_value),
    )
    for currency, revenue in sorted(metrics.revenue.items()):
        streams = sorted({s for b in revenue.series for s in b.gross_by_stream})
        result.revenue[currency] = {s: [b.gross_by_stream.get(s, 0) for b in revenue.series] for s in streams}
    for currency, subscriptions in sorted(metrics.subscriptions.items()):
        buckets = subscriptions.series
        result.mrr[currency] = [b.mrr for b in buckets]
        result.movements[currency] = {
            name: [(-1 if name in LOSSES else 1) * getattr(b.movements, name) for b in buckets]
            for name in ("new", "expansion", "reactivation", "contraction", "churn")
        }
        for tier, n in subscriptions.totals.subscribers_by_tier.items():
            result.subscribers_by_tier[f"{tier} ({currency.upper()})"] = n
    return result
