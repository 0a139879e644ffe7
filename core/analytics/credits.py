"""Credits over the series from the ledger: grants by source, entries by kind, the outstanding balance at
each bucket's end, and the money value of unspent prepaid credits (`MetricsPart.prepaid`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.revenue import combined
from core.analytics.schemas import CreditsBucket, CreditsSeries
from core.analytics.series import Series, cumulative
from core.db import scoped
from core.ledger.models import CreditAccount, CreditGrant, LedgerEntry
from tenants.registry import Tenant

# Entry kinds by figure: a hold counts as consumed when placed, its release gives the rest back.
CONSUMING = ("spend", "hold", "capture", "release", "refund")
FIGURES = {"expire": "expired", "clawback": "clawed_back", "adjust": "adjusted"}
# A grant whose source no loaded plugin declares (`tollgate ledger verify` reports those too).
UNDECLARED = "undeclared"


async def credit_series(
    session: AsyncSession, tenant: Tenant, series: Series, prepaid: Sequence[Any], origins: Mapping[str, str]
) -> CreditsSeries:
    """`origins`: each grant source's declaring plugin (`tollgate_grant_sources`), for `granted_by_plugin`."""
    size = len(series.starts)
    granted = scoped(
        select(series.bucket(CreditGrant.created_at), CreditGrant.source, func.sum(CreditGrant.amount))
        .where(*series.window(CreditGrant.created_at))
        .group_by(series.bucket(CreditGrant.created_at), CreditGrant.source),
        CreditGrant,
        tenant.slug,
    )
    by_source: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    for key, source, amount in await session.execute(granted):
        if (i := series.index_of(key)) is not None:
            by_source[source][i] += int(amount)
    # One pass over the entries since the window opened; the balance before it is today's less those.
    period = series.period(LedgerEntry.created_at)
    moved = scoped(
        select(
            period,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount),
            func.sum(case((LedgerEntry.amount < 0, LedgerEntry.amount), else_=0)),
        )
        .where(LedgerEntry.created_at >= series.since)
        .group_by(period, LedgerEntry.kind),
        LedgerEntry,
        tenant.slug,
    )
    flows: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    deltas, since_opened = [0] * size, 0
    for key, kind, amount, taken in await session.execute(moved):
        since_opened += int(amount)
        if (i := series.index_of(key)) is None:
            continue
        deltas[i] += int(amount)
        figure = "consumed" if kind in CONSUMING else FIGURES.get(kind)
        if figure is not None:
            # A positive adjustment is a grant (source `adjustment`): only what adjustments took counts here.
            flows[figure][i] -= int(taken) if kind == "adjust" else int(amount)
    balance = scoped(select(func.coalesce(func.sum(CreditAccount.balance), 0)), CreditAccount, tenant.slug)
    opening = int(await session.scalar(balance) or 0) - since_opened
    outstanding = cumulative(opening, deltas)

    def bucket(start: Any, end: Any, i: int | None) -> CreditsBucket:
        def total(values: list[int]) -> int:
            return sum(values) if i is None else values[i]

        sources = {source: total(values) for source, values in sorted(by_source.items()) if total(values)}
        by_plugin: dict[str, int] = defaultdict(int)
        for source, credits_granted in sources.items():
            by_plugin[origins.get(source, UNDECLARED)] += credits_granted
        return CreditsBucket(
            start=start,
            end=end,
            granted=sum(sources.values()),
            granted_by_source=sources,
            granted_by_plugin=dict(sorted(by_plugin.items())),
            consumed=total(flows["consumed"]),
            expired=total(flows["expired"]),
            clawed_back=total(flows["clawed_back"]),
            adjusted=total(flows["adjusted"]),
            outstanding=outstanding[-1 if i is None else i],
        )

    return CreditsSeries(
        series=[bucket(*series.bounds(i), i) for i in range(size)],
        totals=bucket(series.since, series.until, None),
        prepaid_value=await _prepaid(session, series, prepaid),
    )


async def _prepaid(session: AsyncSession, series: Series, statements: Sequence[Any]) -> dict[str, int]:
    if not statements:
        return {}
    rows = combined(statements, ("currency", "value"))
    statement = select(rows.c.currency, func.sum(rows.c.value)).group_by(rows.c.currency)
    if series.currency is not None:
        statement = statement.where(rows.c.currency == series.currency)
    return {currency: int(value) for currency, value in await session.execute(statement) if value}
