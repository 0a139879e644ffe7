"""The metrics rollup: figures that add up by UTC day, summed once per closed day and read back for the whole
days of a window; the window's cut edges, today and the days whose rows changed since are read live by the
same grouping, so both halves give the same sums (docs/metrics.md, "Speed").

A family (`Daily`) is one grouped aggregate of one tenant-owned table: up to two keys, up to five sums,
rows dated by a column that never changes. Its rows may change later only if it names the column every
change bumps (`changed`): a day holding a row changed at or after the family's watermark is read live, and
rebuilt by the next fill. A fill (the daily job, or a request that finds closed days missing) takes the
family's state row as a lock, so two fills queue and the second finds nothing left to do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal_column, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from core import clock
from core.analytics.models import KEYS, SUMS, MetricsRollup, MetricsRollupChange, MetricsRollupState
from core.analytics.series import Series
from core.db import TenantOwned, insert_for, scoped
from tenants.registry import Tenant

UTC = dt.UTC
DAY = dt.timedelta(days=1)
# A day is rolled up once it has been over this long: a row is committed within this time of the time it
# carries (its insertion or change), so a day's rows, and the rows changed before a watermark, are all
# visible to a fill that runs this long after.
SETTLE = dt.timedelta(minutes=15)
R = MetricsRollup
S = MetricsRollupState
M = MetricsRollupChange

Span = tuple[dt.datetime | None, dt.datetime | None]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Daily:
    """One family of daily sums: `select(day, *keys, *sums) ... where(*where) group by day, *keys`."""

    family: str
    model: type[TenantOwned]
    # The time a row is counted at: set when the row is written, never changed.
    at: Any
    keys: tuple[Any, ...]
    sums: tuple[Any, ...]
    where: tuple[Any, ...] = ()
    # The column every later change of a row bumps (None: rows never change once their day is over).
    changed: Any | None = None
    # Rows written late are marked by their writer (`mark_changed`) rather than found by `changed`.
    marked: bool = False
    # A key's value as stored (text); the lag keys round their milliseconds here.
    key_of: Callable[[Any], str | None] = _text

    def __post_init__(self) -> None:
        assert len(self.keys) <= KEYS, "the rollup has two keys"
        assert len(self.sums) <= SUMS, "the rollup has five sums"


def floor_day(at: dt.datetime) -> dt.datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _ceil_day(at: dt.datetime) -> dt.datetime:
    day = floor_day(at)
    return day if day == at else day + DAY


def day_of(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL naming the UTC day a timestamp falls in (a timestamp on PostgreSQL, `YYYY-MM-DD` on SQLite)."""
    if dialect == "postgresql":
        return func.date_trunc(literal_column("'day'"), column, literal_column("'UTC'"))
    return func.date(column)


def _as_day(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC)
    return dt.datetime.fromisoformat(str(value)[:10]).replace(tzinfo=UTC)


def within(column: Any, spans: Sequence[Span]) -> ColumnElement[bool]:
    """SQL keeping `column` in any of `spans` (`[start, end)`, None: unbounded)."""
    parts = []
    for start, end in spans:
        bounds = [column >= start] if start is not None else []
        bounds += [column < end] if end is not None else []
        parts.append(and_(*bounds) if bounds else true())
    return or_(*parts)


def skipped_days(built_until: dt.datetime, excluded: set[dt.datetime], cuts: Sequence[dt.datetime]) -> set[dt.datetime]:
    """The days before `built_until` read live though rolled up: `excluded` ones, and those a bucket edge cuts."""
    return {day for day in excluded | {floor_day(cut) for cut in cuts if cut != floor_day(cut)} if day < built_until}


def split(
    start: dt.datetime | None,
    end: dt.datetime | None,
    built_until: dt.datetime | None,
    excluded: set[dt.datetime],
    cuts: Sequence[dt.datetime],
) -> tuple[list[Span], list[Span]]:
    """`[start, end)` as the spans read from the rollup (whole days before `built_until`, none of them cut by
    a bucket edge in `cuts` nor `excluded`) and the spans read live (the rest)."""
    rolled: list[Span] = []
    if built_until is not None:
        low = None if start is None else _ceil_day(start)
        high = built_until if end is None else min(floor_day(end), built_until)
        skipped = skipped_days(built_until, excluded, cuts)
        cursor = low
        for day in sorted(d for d in skipped if (low is None or d >= low) and d < high):
            if cursor is None or cursor < day:
                rolled.append((cursor, day))
            cursor = day + DAY
        if cursor is None or cursor < high:
            rolled.append((cursor, high))
    live: list[Span] = []
    edge = start
    for first, after in rolled:
        if first is not None and (edge is None or edge < first):
            live.append((edge, first))
        edge = after
    if end is None or edge is None or edge < end:
        live.append((edge, end))
    return rolled, merged(live)


Sums = dict[tuple[Any, ...], list[int]]


def _covered(day: dt.datetime, spans: Sequence[Span]) -> bool:
    return any((low is None or low <= day) and (high is None or day < high) for low, high in spans)


async def _grouped(
    session: AsyncSession, tenant: Tenant, daily: Daily, *, bucket: Any, spans: Sequence[Span], into: Sums
) -> None:
    """The family's rows in `spans`, grouped by `bucket` and its keys, added to `into`."""
    statement = scoped(
        select(bucket, *daily.keys, *daily.sums)
        .where(*daily.where, within(daily.at, spans))
        .group_by(bucket, *daily.keys),
        daily.model,
        tenant.slug,
    )
    n = len(daily.keys)
    for row in await session.execute(statement):
        sums = into[(row[0], *(daily.key_of(value) for value in row[1 : 1 + n]))]
        for j, value in enumerate(row[1 + n :]):
            sums[j] += int(value or 0)


def _sums(daily: Daily) -> Sums:
    return defaultdict(lambda: [0] * len(daily.sums))


# What one session learned of the rollup: each family's state, the changed days found, the fills' time.
_SEEN = "tollgate.metrics_rollup"
# Set on the daily task's session: its fills rebuild the changed days too (a request's only read them live).
_REBUILD = "tollgate.metrics_rollup.rebuild"


def rebuilding(session: AsyncSession) -> None:
    """Make every fill in `session` rebuild the days changed since the rollup's watermark."""
    session.info[_REBUILD] = True


@dataclass
class _Seen:
    states: dict[str, tuple[dt.datetime | None, dt.datetime | None]]
    changed: dict[tuple[Any, ...], set[dt.datetime]]
    # Writers' marks by family: (mark id, day).
    marks: dict[str, list[tuple[Any, dt.datetime]]]
    stamp: dt.datetime | None = None
    # Every family's rolled-up sums for one series (`_rolled_up`).
    rolled_up: tuple[Series, dict[str, list[tuple[Any, ...]]]] | None = None


async def _seen(session: AsyncSession, tenant: Tenant) -> _Seen:
    """Every family's state and marks for the tenant, read once per session (two statements for all)."""
    seen: dict[str, _Seen] = session.info.setdefault(_SEEN, {})
    if tenant.slug not in seen:
        statement = scoped(select(S.family, S.built_until, S.watermark), S, tenant.slug)
        states = {family: (until, mark) for family, until, mark in await session.execute(statement)}
        marks: dict[str, list[tuple[Any, dt.datetime]]] = defaultdict(list)
        for mark_id, family, day in await session.execute(scoped(select(M.id, M.family, M.day), M, tenant.slug)):
            marks[family].append((mark_id, _as_day(day)))
        seen[tenant.slug] = _Seen(states, {}, marks)
    return seen[tenant.slug]


async def mark_changed(session: AsyncSession, tenant_id: str, families: Sequence[str], at: dt.datetime) -> None:
    """Say a row dated `at` of these families was written now, in the writer's transaction: its day, if over,
    is read live until rebuilt. A row of today needs none (today is never rolled up before it ends)."""
    day = floor_day(at)
    if day >= floor_day(clock.now()):
        return
    now = clock.now()
    rows = [{"tenant_id": tenant_id, "family": f, "day": day, "created_at": now, "updated_at": now} for f in families]
    await session.execute(insert(M), rows)


async def _locked_state(
    session: AsyncSession, tenant: Tenant, family: str
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Take the family's state row as the fill's lock (created first if missing) and read it as committed."""
    now = clock.now()
    await session.execute(
        insert_for(session, S)
        .values(tenant_id=tenant.slug, family=family, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["tenant_id", "family"])
    )
    # A second fill waits here until the first commits, then reads what it built.
    await session.execute(scoped(update(S).where(S.family == family).values(updated_at=now), S, tenant.slug))
    statement = scoped(select(S.built_until, S.watermark).where(S.family == family), S, tenant.slug)
    until, mark = (await session.execute(statement)).one()
    return until, mark


async def _changed_days(
    session: AsyncSession,
    tenant: Tenant,
    daily: Daily,
    *,
    dialect: str,
    built_until: dt.datetime | None,
    watermark: dt.datetime | None,
) -> set[dt.datetime]:
    """Rolled-up days holding a row changed at or after the watermark (whatever it changed into), or marked by
    its writer. Families of one table filled together share their watermark, and so this statement."""
    if built_until is None:
        return set()
    seen = await _seen(session, tenant)
    marked = {day for _, day in seen.marks.get(daily.family, ()) if day < built_until}
    if daily.changed is None or watermark is None:
        return marked
    asked = (daily.model.__tablename__, str(daily.changed), str(daily.at), built_until, watermark)
    if asked not in seen.changed:
        day = day_of(daily.at, dialect)
        statement = scoped(
            select(day).where(daily.changed >= watermark, daily.at < built_until).group_by(day),
            daily.model,
            tenant.slug,
        )
        seen.changed[asked] = {_as_day(value) for value in (await session.scalars(statement))}
    return seen.changed[asked] | marked


def merged(spans: Sequence[Span]) -> list[Span]:
    """Spans in order with the ones that touch made one (a run of changed days is one range, not many)."""
    out: list[Span] = []
    for low, high in spans:
        if out and out[-1][1] is not None and out[-1][1] == low:
            out[-1] = (out[-1][0], high)
        else:
            out.append((low, high))
    return out


async def fill(
    session: AsyncSession, tenant: Tenant, daily: Daily, dialect: str
) -> tuple[dt.datetime | None, set[dt.datetime]]:
    """Roll up the family's closed days not yet rolled up and, then or in the daily task's session
    (`rebuilding`), the days changed since; returns how far the rollup reaches and the days to read live
    before it. Safe twice and side by side."""
    rebuild = bool(session.info.get(_REBUILD))
    settled = floor_day(clock.now() - SETTLE)
    seen = await _seen(session, tenant)
    built_until, watermark = seen.states.get(daily.family, (None, None))
    changed = await _changed_days(session, tenant, daily, dialect=dialect, built_until=built_until, watermark=watermark)
    if built_until is not None and built_until >= settled and not (rebuild and changed):
        return built_until, changed
    built_until, watermark = await _locked_state(session, tenant, daily.family)
    seen.rolled_up = None
    # Rows changed before this, less the time a commit may take, are all visible from here on. One time
    # for the session: families of one table then share their watermark (an earlier one only reads more live).
    if seen.stamp is None:
        seen.stamp = clock.now()
    changed = await _changed_days(session, tenant, daily, dialect=dialect, built_until=built_until, watermark=watermark)
    start = built_until
    if start is None:
        first = await session.scalar(scoped(select(func.min(daily.at)), daily.model, tenant.slug))
        start = settled if first is None else min(floor_day(first), settled)
    spans = merged([*((day, day + DAY) for day in sorted(changed) if day < start), (start, settled)])
    spans = [(low, high) for low, high in spans if low is None or high is None or low < high]
    if spans:
        await session.execute(scoped(delete(R).where(R.family == daily.family, within(R.day, spans)), R, tenant.slug))
        found = _sums(daily)
        await _grouped(session, tenant, daily, bucket=day_of(daily.at, dialect), spans=spans, into=found)
        rows = [
            {
                "tenant_id": tenant.slug,
                "family": daily.family,
                "day": _as_day(key[0]),
                **{f"key_{i + 1}": key[1 + i] if i < len(key) - 1 else None for i in range(KEYS)},
                **{f"sum_{i + 1}": sums[i] if i < len(sums) else 0 for i in range(SUMS)},
            }
            for key, sums in found.items()
        ]
        if rows:
            await session.execute(insert(R), rows)
        # Marks read before this rebuild stand for rows it counted: they go. A mark written since stays.
        done = [(mark_id, day) for mark_id, day in seen.marks.get(daily.family, ()) if _covered(day, spans)]
        if done:
            ids = [mark_id for mark_id, _ in done]
            await session.execute(scoped(delete(M).where(M.id.in_(ids)), M, tenant.slug))
            seen.marks[daily.family] = [mark for mark in seen.marks[daily.family] if mark not in done]
    reach = settled if built_until is None else max(built_until, settled)
    watermark = seen.stamp - SETTLE
    await session.execute(
        scoped(update(S).where(S.family == daily.family).values(built_until=reach, watermark=watermark), S, tenant.slug)
    )
    seen.states[daily.family] = (reach, watermark)
    return reach, await _changed_days(session, tenant, daily, dialect=dialect, built_until=reach, watermark=watermark)


async def _rolled_up(
    session: AsyncSession, tenant: Tenant, series: Series, *, days: Sequence[dt.datetime] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every family's rolled-up sums by `series.period` and keys, in one statement (`days`: only those days).
    Read once per session and series; a fill that writes drops it."""
    period = series.period(R.day)
    sums = (func.sum(R.sum_1), func.sum(R.sum_2), func.sum(R.sum_3), func.sum(R.sum_4), func.sum(R.sum_5))
    statement = select(R.family, period, R.key_1, R.key_2, *sums).group_by(R.family, period, R.key_1, R.key_2)
    if days is not None:
        statement = statement.where(R.day.in_(days))
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for family, *row in await session.execute(scoped(statement, R, tenant.slug)):
        found[family].append(tuple(row))
    return found


async def rolled(
    session: AsyncSession,
    tenant: Tenant,
    series: Series,
    daily: Daily,
    *,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> list[tuple[Any, ...]]:
    """The family's rows in `[start, end)` grouped by `series.period` and its keys: `(period, *keys, *sums)`,
    keys as text, sums as integers. Whole closed days come from the rollup (filled first when behind); rows
    of rolled-up days outside `[start, end)` may come too, under the periods before or after the window."""
    built_until, changed = await fill(session, tenant, daily, series.dialect)
    rolled_spans, live = split(start, end, built_until, changed, (series.since, series.until))
    assert start in (None, series.since), "a family is read from the window's start or from the beginning"
    assert end in (None, series.until), "a family is read to the window's end or to now"
    found = _sums(daily)
    if live:
        await _grouped(session, tenant, daily, bucket=series.period(daily.at), spans=live, into=found)
    live_keys = set(found)
    if rolled_spans and built_until is not None:
        seen = await _seen(session, tenant)
        if seen.rolled_up is None or seen.rolled_up[0] is not series:
            seen.rolled_up = (series, await _rolled_up(session, tenant, series))
        # Every rolled-up day of the family, less the days read live (cut by the window, or changed).
        skipped = sorted(d for d in skipped_days(built_until, changed, (series.since, series.until)))
        less = (await _rolled_up(session, tenant, series, days=skipped)).get(daily.family, []) if skipped else []
        n, m = len(daily.keys), len(daily.sums)
        for rows, sign in ((seen.rolled_up[1].get(daily.family, []), 1), (less, -1)):
            for row in rows:
                if _outside(series, row[0], start=start, end=end):
                    continue
                into = found[(row[0], *row[1 : 1 + n])]
                for j, value in enumerate(row[1 + KEYS : 1 + KEYS + m]):
                    into[j] += sign * int(value or 0)
    # A group the live read replaced may net to nothing: the live read alone would not have it.
    return [(*key, *sums) for key, sums in found.items() if any(sums) or key in live_keys]


def _outside(series: Series, key: Any, *, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether a rolled-up group's period lies outside `[start, end)` (either a window bound or unbounded)."""
    if series.index_of(key) is not None:
        return False
    return start is not None if series.is_before(key) else end is not None
