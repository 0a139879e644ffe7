"""Allowance periods: the free tier's calendar months and the month-long slices of a yearly period."""

from __future__ import annotations

import calendar
import datetime as dt

from msgspec import Struct


class Window(Struct, frozen=True):
    """A half-open stretch of time [start, end) that one allowance covers."""

    start: dt.datetime
    end: dt.datetime

    def contains(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end

    def remaining_share(self, at: dt.datetime, amount: int) -> int:
        """`amount` scaled by the part of the window still ahead of `at`, rounded down (integers only)."""
        total = int((self.end - self.start).total_seconds())
        left = int((self.end - max(at, self.start)).total_seconds())
        if total <= 0 or left <= 0:
            return 0
        return amount * min(left, total) // total


def add_months(at: dt.datetime, months: int) -> dt.datetime:
    """`at` moved by whole months, keeping the day where the month has it (Jan 31 + 1 month = Feb 28/29)."""
    years, month_index = divmod(at.month - 1 + months, 12)
    year, month = at.year + years, month_index + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def calendar_month(at: dt.datetime) -> Window:
    """The UTC calendar month around `at`: the free tier's allowance period."""
    start = at.astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Window(start, add_months(start, 1))


def month_slice(period: Window, at: dt.datetime) -> Window | None:
    """The month-long slice of `period` (counted from its start) that holds `at`, or None outside it.

    The last slice ends with the period, so the slices always tile it exactly.
    """
    if not period.contains(at):
        return None
    months = 0
    while add_months(period.start, months + 1) <= at:
        months += 1
    return Window(add_months(period.start, months), min(add_months(period.start, months + 1), period.end))


def from_timestamp(value: object) -> dt.datetime | None:
    """A Stripe Unix timestamp as an aware UTC datetime (None stays None)."""
    if value is None:
        return None
    return dt.datetime.fromtimestamp(int(str(value)), dt.UTC)
