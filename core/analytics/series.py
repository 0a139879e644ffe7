"""The buckets of a metrics series: a window cut into days, ISO weeks or calendar months (UTC), and the SQL
that puts a timestamp column into its bucket on PostgreSQL and SQLite alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import Integer, String, case, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from core.errors import BadRequest

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[Interval, ...] = ("day", "week", "month")
# Enough for a year of days or eight years of months; more is a request for a scan, not a chart.
MAX_BUCKETS = 400
# How many buckets a window without `since` covers, ending with the bucket of `until`.
DEFAULT_BUCKETS = 12
UTC = dt.UTC
BEFORE, AFTER = "before", "after"


def truncate(at: dt.datetime, interval: Interval) -> dt.datetime:
    """The start of the bucket holding `at` (UTC midnight; Monday for weeks; the 1st for months)."""
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def step(start: dt.datetime, interval: Interval, n: int = 1) -> dt.datetime:
    """The bucket start `n` buckets after `start` (before, when `n` is negative)."""
    if interval == "day":
        return start + dt.timedelta(days=n)
    if interval == "week":
        return start + dt.timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n
    return start.replace(year=months // 12, month=months % 12 + 1)


@dataclass(frozen=True)
class Series:
    """One metrics request: the window `[since, until)`, its buckets, the currency asked for (None: all).

    `dialect` is the session's (`postgresql` or `sqlite`): `bucket(column)` is the one place that differs.
    """

    since: dt.datetime
    until: dt.datetime
    interval: Interval
    currency: str | None
    dialect: str
    starts: tuple[dt.datetime, ...] = field(default=())

    @classmethod
    def of(
        cls,
        since: dt.datetime | None,
        until: dt.datetime | None,
        interval: Interval,
        currency: str | None,
        *,
        now: dt.datetime,
        dialect: str,
    ) -> Series:
        """Validate a window (400 `invalid_window`) and cut it into buckets."""
        until = until or now
        since = since or step(truncate(until - dt.timedelta(microseconds=1), interval), interval, 1 - DEFAULT_BUCKETS)
        if since >= until:
            raise BadRequest("`since` must be before `until`.", code="invalid_window")
        starts: list[dt.datetime] = []
        start = truncate(since, interval)
        while start < until:
            starts.append(start)
            if len(starts) > MAX_BUCKETS:
                raise BadRequest(
                    f"The window holds more than {MAX_BUCKETS} buckets of a {interval}: shorten it or ask by a "
                    "longer interval.",
                    code="invalid_window",
                    detail={"max_buckets": MAX_BUCKETS},
                )
            start = step(start, interval)
        return cls(since.astimezone(UTC), until.astimezone(UTC), interval, currency, dialect, tuple(starts))

    def bounds(self, index: int) -> tuple[dt.datetime, dt.datetime]:
        """Bucket `index`'s part of the window: `[start, end)`, the first and last cut to the window."""
        start = self.starts[index]
        return max(start, self.since), min(step(start, self.interval), self.until)

    def bucket(self, column: Any) -> ColumnElement[Any]:
        """SQL naming the bucket a timestamp falls in (`index_of` reads the name).

        PostgreSQL: `width_bucket` over the buckets' bounds, a binary search per row (0 before the
        window, n + 1 after it). SQLite: the bucket start as `YYYY-MM-DD` text (`strftime`, `date`).
        """
        if self.dialect == "postgresql":
            bounds = ", ".join(f"'{at.isoformat()}'" for at in (self.since, *self.starts[1:], self.until))
            return func.width_bucket(column, literal_column(f"ARRAY[{bounds}]::timestamptz[]"))
        if self.interval == "month":
            return func.strftime(_sql("%Y-%m-01"), column)
        if self.interval == "week":
            # SQLite's %w counts from Sunday (0): back to the Monday.
            back = (cast(func.strftime(_sql("%w"), column), Integer) + 6) % 7
            return func.date(column, _sql("-").concat(cast(back, String)).concat(_sql(" days")))
        return func.date(column)

    def period(self, column: Any) -> ColumnElement[Any]:
        """Like `bucket`, but naming times before the window and after it apart (`is_before`): one statement
        reads what a running total starts from and what moved it since."""
        if self.dialect == "postgresql":
            return self.bucket(column)
        return case((column < self.since, _sql(BEFORE)), (column >= self.until, _sql(AFTER)), else_=self.bucket(column))

    def is_before(self, key: Any) -> bool:
        """Whether a `period()` name stands for the times before the window."""
        return bool(key == (0 if self.dialect == "postgresql" else BEFORE))

    def index_of(self, key: Any) -> int | None:
        """The position of the bucket a `bucket()` or `period()` name stands for (None: outside the window)."""
        if self.dialect == "postgresql":
            index = int(key) - 1
            return index if 0 <= index < len(self.starts) else None
        if key in (BEFORE, AFTER):
            return None
        start = dt.datetime.fromisoformat(str(key)[:10]).replace(tzinfo=UTC)
        return self._positions.get(start)

    @cached_property
    def _positions(self) -> dict[dt.datetime, int]:
        return {start: i for i, start in enumerate(self.starts)}

    def window(self, column: Any) -> list[ColumnElement[bool]]:
        """SQL conditions keeping `column` within `[since, until)`."""
        return [column >= self.since, column < self.until]

    def currencies(self, column: Any) -> list[ColumnElement[bool]]:
        """SQL conditions keeping rows of the currency asked for (none: every currency)."""
        return [] if self.currency is None else [column == self.currency]


def _sql(constant: str) -> Any:
    """A constant written into the SQL rather than bound: PostgreSQL groups by an expression only when the
    select list holds the same text, and two bound copies of one format string are two parameters."""
    return literal_column(f"'{constant}'")


def cumulative(opening: int, deltas: Sequence[int]) -> list[int]:
    """The running total at each bucket's end, from the total before the window."""
    totals, running = [], opening
    for delta in deltas:
        running += delta
        totals.append(running)
    return totals
