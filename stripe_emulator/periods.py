"""Billing-period calendar arithmetic: Stripe anchors periods to the same day of month,
clamped to the month's length (Jan 31 -> Feb 28 -> Mar 31 keeps the 31st anchor)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime


def add_months(ts: int, months: int, anchor_day: int | None = None) -> int:
    moment = datetime.fromtimestamp(ts, UTC)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(anchor_day or moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_interval(
    ts: int, interval: str, count: int = 1, anchor_day: int | None = None
) -> int:
    if interval == "day":
        return ts + count * 86400
    if interval == "week":
        return ts + count * 7 * 86400
    if interval == "month":
        return add_months(ts, count, anchor_day)
    if interval == "year":
        return add_months(ts, 12 * count, anchor_day)
    raise ValueError(f"unknown interval {interval!r}")


def day_of(ts: int) -> int:
    return datetime.fromtimestamp(ts, UTC).day


def fmt_date(ts: int) -> str:
    """`25 Jul 2026`, as Stripe writes dates in line item descriptions."""
    return datetime.fromtimestamp(ts, UTC).strftime("%d %b %Y").lstrip("0")

