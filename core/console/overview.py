"""The figures behind a tenant's overview page: the revenue analytics of `GET /admin/metrics`
(`core.analytics`) for the last twelve buckets, in the shape the page and its charts read, and the
charts themselves."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.analytics.schemas import (
    CreditsSeries,
    LiabilitySeries,
    Metrics,
    OperationsSeries,
    RevenueSeries,
    SubscriptionSeries,
)
from core.analytics.series import INTERVALS, Interval, Series
from core.analytics.service import read_metrics
from core.console.charts import bar_chart, money
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant

__all__ = ["INTERVALS", "Bucket", "Interval", "Overview", "charts", "from_metrics", "overview"]
# Losses drawn below the axis in the MRR and liability charts.
LOSSES = ("contraction", "churn", "consumed", "clawed_back", "expired")
MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churn")
LIABILITY_MOVES = ("added", "consumed", "clawed_back", "expired")
EVENTS = ("received", "processed", "ignored", "dead")


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


def _signed(name: str, value: int) -> int:
    return -value if name in LOSSES else value


@dataclass
class Overview:
    """A tenant's figures over the window's buckets: series are lists aligned with `buckets`; the tables
    read the metrics' own buckets (`subscriptions`, `revenue_series`, `liability_series`, `operations`)."""

    tenant: str
    interval: str
    buckets: list[Bucket]
    # The currency asked for (None: every one) and the currencies with a figure.
    currency: str | None = None
    currencies: list[str] = field(default_factory=list)
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
    # currency -> what moved the liability per bucket (bought up, the rest below the axis).
    liability_moves: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    # "<tier> (<currency>)" -> subscriptions bringing revenue at the window's end.
    subscribers_by_tier: dict[str, int] = field(default_factory=dict)
    # Stripe events received / processed / ignored / dead, and checkouts started / completed, per bucket.
    events: dict[str, list[int]] = field(default_factory=dict)
    checkouts: dict[str, list[int]] = field(default_factory=dict)
    # The metrics' own series, as the API answers them, for the tables.
    credit_series: CreditsSeries | None = None
    subscriptions: dict[str, SubscriptionSeries] = field(default_factory=dict)
    revenue_series: dict[str, RevenueSeries] = field(default_factory=dict)
    liability_series: dict[str, LiabilitySeries] = field(default_factory=dict)
    operations: OperationsSeries | None = None

    @property
    def labels(self) -> list[str]:
        return [bucket.label(self.interval) for bucket in self.buckets]


async def overview(
    session: AsyncSession,
    tenant: Tenant,
    interval: Interval,
    plugins: Plugins,
    kernel: Kernel,
    *,
    currency: str | None = None,
) -> Overview:
    """The tenant's overview for the twelve buckets of `interval` ending now, as `GET /admin/metrics` answers
    (with `currency`, as `?currency=` answers: that currency's figures only, never converted)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    series = Series.of(None, None, interval, currency, now=clock.now(), dialect=dialect)
    return from_metrics(await read_metrics(session, tenant, series, plugins, kernel), currency)


def from_metrics(metrics: Metrics, currency: str | None = None) -> Overview:
    credit, operations = metrics.credits, metrics.operations
    result = Overview(
        tenant=metrics.tenant,
        interval=metrics.interval,
        buckets=[Bucket(b.start, b.end) for b in credit.series],
        currency=currency,
        currencies=list(metrics.currencies),
        credits={
            "granted": [b.granted for b in credit.series],
            "consumed": [b.consumed for b in credit.series],
            "expired": [b.expired for b in credit.series],
            "clawed_back": [b.clawed_back for b in credit.series],
        },
        outstanding=credit.totals.outstanding,
        liability=dict(credit.prepaid_value),
        events={
            "received": [b.events_received for b in operations.series],
            "processed": [b.events_processed for b in operations.series],
            "ignored": [b.events_ignored for b in operations.series],
            "dead": [b.events_dead for b in operations.series],
        },
        checkouts={
            "started": [b.checkouts_started for b in operations.series],
            "completed": [b.checkouts_completed for b in operations.series],
        },
        credit_series=credit,
        subscriptions=dict(sorted(metrics.subscriptions.items())),
        revenue_series=dict(sorted(metrics.revenue.items())),
        liability_series=dict(sorted(credit.prepaid_liability.items())),
        operations=operations,
    )
    for code, revenue in result.revenue_series.items():
        streams = sorted({s for b in revenue.series for s in b.gross_by_stream})
        result.revenue[code] = {s: [b.gross_by_stream.get(s, 0) for b in revenue.series] for s in streams}
    for code, subscriptions in result.subscriptions.items():
        buckets = subscriptions.series
        result.mrr[code] = [b.mrr for b in buckets]
        result.movements[code] = {
            name: [_signed(name, getattr(b.movements, name)) for b in buckets] for name in MOVEMENTS
        }
        for tier, n in subscriptions.totals.subscribers_by_tier.items():
            result.subscribers_by_tier[f"{tier} ({code.upper()})"] = n
    for code, liability in result.liability_series.items():
        result.liability_moves[code] = {
            name: [_signed(name, getattr(b, name)) for b in liability.series] for name in LIABILITY_MOVES
        }
    return result


def charts(figures: Overview) -> list[tuple[str, Markup]]:
    """Each chart of the page with its heading: credits, the prepaid liability, revenue, MRR and its
    movements per currency, then Stripe events and checkouts."""
    labels, interval = figures.labels, figures.interval
    drawn = [("Credits", bar_chart(f"Credits per {interval}", labels, figures.credits))]
    for code, moves in figures.liability_moves.items():
        shown = functools.partial(money, currency=code)
        title = f"Prepaid liability moved ({code.upper()})"
        drawn.append((title, bar_chart(f"Prepaid liability moved {code}", labels, moves, shown)))
    for code, streams in figures.revenue.items():
        shown = functools.partial(money, currency=code)
        drawn.append((f"Revenue by stream ({code.upper()})", bar_chart(f"Revenue {code}", labels, streams, shown)))
    for code, mrr in figures.mrr.items():
        shown = functools.partial(money, currency=code)
        drawn.append((f"MRR ({code.upper()})", bar_chart(f"MRR {code}", labels, {"MRR": mrr}, shown)))
        moved = figures.movements[code]
        drawn.append((f"MRR movements ({code.upper()})", bar_chart(f"MRR movements {code}", labels, moved, shown)))
    drawn.append(("Stripe events", bar_chart(f"Stripe events per {interval}", labels, figures.events)))
    drawn.append(("Checkouts", bar_chart(f"Checkouts per {interval}", labels, figures.checkouts)))
    return drawn
