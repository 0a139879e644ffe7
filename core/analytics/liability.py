"""The prepaid liability over a series, per currency: what the unspent credits bought with money were worth
at each bucket's start and end, and what moved it (purchases, consumption, clawbacks, expiry).

A paid grant with `r` credits unspent is worth `floor(r x paid / bought)`. Its credits move by allocations
(`credit_allocations`, each tied to a ledger entry and its time); within a bucket they are taken in the
order of `STEPS` and each step counts the change of the grant's worth it makes. So every bucket, per
currency, reconciles exactly: opening + added - consumed - clawed_back - expired = closing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.revenue import combined
from core.analytics.schemas import LiabilityBucket, LiabilitySeries
from core.analytics.series import Series
from core.db import scoped
from core.ledger.models import CreditAllocation, CreditGrant, LedgerEntry
from tenants.registry import Tenant

COLUMNS = ("currency", "grant_id", "paid", "bought")
# Allocation kind -> (the liability figure it moves, the sign of its change to the grant's unspent credits).
# A `repay` is debt taken out of a new grant: clawed back, as the grant's own counters say.
ALLOCATIONS = {
    "consume": ("consumed", -1),
    "restore": ("consumed", 1),
    "clawback": ("clawed_back", -1),
    "repay": ("clawed_back", -1),
    "expire": ("expired", -1),
}
# The order a grant's moves within one bucket are valued in: the purchase first, expiry last (a grant
# expires what is left after the bucket's spending).
STEPS = ("added", "consumed", "clawed_back", "expired")


@dataclass
class _Grant:
    currency: str
    paid: int
    bought: int
    amount: int
    remaining: int
    created: int | None  # the bucket the grant was bought in; None when before the window (or after it)
    before_window: bool
    # bucket -> figure -> credits moved (signed: what it did to the unspent credits)
    moves: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    since_opened: int = 0  # credits moved since the window opened, after its end included

    def worth(self, unspent: int) -> int:
        return unspent * self.paid // self.bought


async def liability_series(
    session: AsyncSession, tenant: Tenant, series: Series, statements: Sequence[Any], now_value: Mapping[str, int]
) -> dict[str, LiabilitySeries]:
    """`statements`: the plugins' `prepaid` rows; `now_value`: their worth now per currency (`prepaid_value`).

    Only grants bought or moved since the window opened are read one by one; every other paid grant is
    worth the same all window long, which is its part of `now_value`.
    """
    if not statements:
        return {}
    size = len(series.starts)
    paid = combined(statements, COLUMNS)
    paid_ids = select(paid.c.grant_id)
    if series.currency is not None:
        paid_ids = paid_ids.where(paid.c.currency == series.currency)
    period = series.period(LedgerEntry.created_at)
    moved = scoped(
        select(CreditAllocation.grant_id, period, CreditAllocation.kind, func.sum(CreditAllocation.amount))
        .join(LedgerEntry, LedgerEntry.id == CreditAllocation.entry_id)
        .where(
            LedgerEntry.created_at >= series.since,
            CreditAllocation.kind.in_(ALLOCATIONS),
            CreditAllocation.grant_id.in_(paid_ids),
        )
        .group_by(CreditAllocation.grant_id, period, CreditAllocation.kind),
        CreditAllocation,
        tenant.slug,
    )
    touched_ids = scoped(
        select(CreditAllocation.grant_id)
        .join(LedgerEntry, LedgerEntry.id == CreditAllocation.entry_id)
        .where(LedgerEntry.created_at >= series.since, CreditAllocation.grant_id.in_(paid_ids)),
        CreditAllocation,
        tenant.slug,
    )
    grants_read = scoped(
        select(
            paid.c.grant_id,
            paid.c.currency,
            paid.c.paid,
            paid.c.bought,
            CreditGrant.amount,
            CreditGrant.remaining,
            CreditGrant.created_at,
        )
        .join(CreditGrant, CreditGrant.id == paid.c.grant_id)
        .where(or_(CreditGrant.created_at >= series.since, CreditGrant.id.in_(touched_ids))),
        CreditGrant,
        tenant.slug,
    )
    if series.currency is not None:
        grants_read = grants_read.where(paid.c.currency == series.currency)
    grants: dict[UUID, _Grant] = {}
    for grant_id, currency, paid_amount, bought, amount, remaining, created_at in await session.execute(grants_read):
        grants[grant_id] = _Grant(
            currency=currency,
            paid=int(paid_amount),
            bought=int(bought),
            amount=int(amount),
            remaining=int(remaining),
            created=_index(series, created_at),
            before_window=created_at < series.since,
        )
    for grant_id, key, kind, n in await session.execute(moved):
        grant = grants.get(grant_id)
        if grant is None:
            continue
        figure, sign = ALLOCATIONS[kind]
        grant.since_opened += sign * int(n)
        if (i := series.index_of(key)) is not None:
            grant.moves[i][figure] += sign * int(n)
    return _walk(series, size, grants, now_value)


def _index(series: Series, at: Any) -> int | None:
    """The bucket `at` falls in, or None outside the window."""
    if at < series.since or at >= series.until:
        return None
    return max(i for i, start in enumerate(series.starts) if start <= at)


def _walk(
    series: Series, size: int, grants: Mapping[UUID, _Grant], now_value: Mapping[str, int]
) -> dict[str, LiabilitySeries]:
    # Per currency: the worth of the untouched grants (constant), then each touched grant's at the opening.
    opening: dict[str, int] = defaultdict(int, now_value)
    flows: dict[str, dict[str, list[int]]] = defaultdict(lambda: {step: [0] * size for step in STEPS})
    for grant in grants.values():
        opening[grant.currency] -= grant.worth(grant.remaining)
        unspent = grant.remaining - grant.since_opened if grant.before_window else 0
        opening[grant.currency] += grant.worth(unspent)
        if grant.created is not None:
            grant.moves[grant.created]["added"] += grant.amount
        for i in sorted(grant.moves):
            for step in STEPS:
                n = grant.moves[i].get(step, 0)
                if n:
                    change = grant.worth(unspent + n) - grant.worth(unspent)
                    flows[grant.currency][step][i] += change if step == "added" else -change
                    unspent += n
    result: dict[str, LiabilitySeries] = {}
    for currency in sorted(set(opening) | set(flows)):
        moved = flows[currency]
        buckets, start = [], opening[currency]
        for i in range(size):
            buckets.append(_bucket(*series.bounds(i), start, {step: moved[step][i] for step in STEPS}))
            start = buckets[-1].closing
        totals = _bucket(series.since, series.until, opening[currency], {step: sum(moved[step]) for step in STEPS})
        if totals.opening or totals.closing or any(any(values) for values in moved.values()):
            result[currency] = LiabilitySeries(series=buckets, totals=totals)
    return result


def _bucket(start: dt.datetime, end: dt.datetime, opening: int, moved: Mapping[str, int]) -> LiabilityBucket:
    return LiabilityBucket(
        start=start,
        end=end,
        opening=opening,
        added=moved["added"],
        consumed=moved["consumed"],
        clawed_back=moved["clawed_back"],
        expired=moved["expired"],
        closing=opening + moved["added"] - moved["consumed"] - moved["clawed_back"] - moved["expired"],
    )
