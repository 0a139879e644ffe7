"""Credits over the series from the ledger: grants by source, entries by kind, the outstanding balance at
each bucket's end, and the money value of unspent prepaid credits (`MetricsPart.prepaid`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.liability import liability_series
from core.analytics.revenue import combined
from core.analytics.rollup import Daily, rolled
from core.analytics.schemas import CreditsBucket, CreditsSeries
from core.analytics.series import Series, cumulative
from core.ledger.models import CreditGrant, LedgerEntry
from tenants.registry import Tenant

# Entry kinds by figure: a hold counts as consumed when placed, its release gives the rest back.
CONSUMING = ("spend", "hold", "capture", "release", "refund")
FIGURES = {"expire": "expired", "clawback": "clawed_back", "adjust": "adjusted"}
# A grant whose source no loaded plugin declares (`tollgate ledger verify` reports those too).
UNDECLARED = "undeclared"
# Grants and entries are dated when written and never change: their closed days are rolled up for good.
GRANTS = Daily(
    "ledger.grants", CreditGrant, CreditGrant.created_at, (CreditGrant.source,), (func.sum(CreditGrant.amount),)
)
ENTRIES = Daily(
    "ledger.entries",
    LedgerEntry,
    LedgerEntry.created_at,
    (LedgerEntry.kind,),
    (func.sum(LedgerEntry.amount), func.sum(case((LedgerEntry.amount < 0, LedgerEntry.amount), else_=0))),
)


async def credit_series(
    session: AsyncSession, tenant: Tenant, series: Series, prepaid: Sequence[Any], origins: Mapping[str, str]
) -> CreditsSeries:
    """`origins`: each grant source's declaring plugin (`tollgate_grant_sources`), for `granted_by_plugin`."""
    size = len(series.starts)
    by_source: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    for key, source, amount in await rolled(session, tenant, series, GRANTS, start=series.since, end=series.until):
        if (i := series.index_of(key)) is not None:
            by_source[source][i] += int(amount)
    # Every entry before the window's end: the balance at its start is the sum of those before it (a balance
    # is the sum of its account's entries: `tollgate ledger verify`, entries_sum).
    flows: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    deltas, opening = [0] * size, 0
    for key, kind, amount, taken in await rolled(session, tenant, series, ENTRIES, start=None, end=series.until):
        if series.is_before(key):
            opening += int(amount)
            continue
        if (i := series.index_of(key)) is None:
            continue
        deltas[i] += int(amount)
        figure = "consumed" if kind in CONSUMING else FIGURES.get(kind)
        if figure is not None:
            # A positive adjustment is a grant (source `adjustment`): only what adjustments took counts here.
            flows[figure][i] -= int(taken) if kind == "adjust" else int(amount)
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

    prepaid_value = await _prepaid(session, series, prepaid)
    return CreditsSeries(
        series=[bucket(*series.bounds(i), i) for i in range(size)],
        totals=bucket(series.since, series.until, None),
        prepaid_value=prepaid_value,
        prepaid_liability=await liability_series(session, tenant, series, prepaid, prepaid_value),
    )


async def _prepaid(session: AsyncSession, series: Series, statements: Sequence[Any]) -> dict[str, int]:
    if not statements:
        return {}
    rows = combined(statements, ("currency", "value"))
    statement = select(rows.c.currency, func.sum(rows.c.value)).group_by(rows.c.currency)
    if series.currency is not None:
        statement = statement.where(rows.c.currency == series.currency)
    return {currency: int(value) for currency, value in await session.execute(statement) if value}
