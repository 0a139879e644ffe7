"""The overview's figures and charts, from `/admin/figures` answers of every plugin's shape."""

from __future__ import annotations

import datetime as dt

from core.console.charts import bar_chart, money
from core.console.overview import Overview, fold, last_buckets

UTC = dt.UTC


def test_twelve_buckets_end_with_the_one_holding_now() -> None:
    now = dt.datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    months = last_buckets(now, "month")
    assert [b.label("month") for b in (months[0], months[-1])] == ["2025-04", "2026-03"]
    assert months[-1].end == now
    weeks = last_buckets(now, "week")
    assert weeks[-1].start == dt.datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
    assert weeks[-1].label("week") == "2026-W10"
    days = last_buckets(now, "day")
    assert [b.start.day for b in days[-2:]] == [3, 4]


def test_fold_reads_the_ledger_revenue_and_subscription_blocks() -> None:
    result = Overview("t", "month", last_buckets(dt.datetime(2026, 3, 4, tzinfo=UTC), "month", count=2))
    result.credits = {name: [0, 0] for name in ("granted", "consumed", "expired", "clawed_back")}
    figures = {
        "core.ledger": {
            "credits_issued": 1600,
            "movements": {
                "grant": {"credits": 1600, "entries": 2},
                "spend": {"credits": -300, "entries": 1},
                "hold": {"credits": -50, "entries": 1},
                "release": {"credits": 20, "entries": 1},
                "expire": {"credits": -100, "entries": 1},
                "clawback": {"credits": -1050, "entries": 2},
            },
            "outstanding": {"balance": 250, "held": 30, "debt": 5, "accounts": 1},
        },
        "token_packages": {"revenue": {"cny": 15000}, "refunded": {"cny": 10000}},
        "payg": {"revenue": {"usd": 999}},
        "subscriptions": {"live_by_tier": {"basic": {"active": 2, "past_due": 1}}, "started": 3, "ended": 0},
    }
    fold(result, 1, figures, latest=True)
    assert result.credits == {"granted": [0, 1600], "consumed": [0, 330], "expired": [0, 100], "clawed_back": [0, 1050]}
    assert result.revenue == {"cny": {"token_packages": [0, 15000]}, "usd": {"payg": [0, 999]}}
    assert result.outstanding == {"balance": 250, "held": 30, "debt": 5}
    assert result.subscribers_by_tier == {"basic (active)": 2, "basic (past_due)": 1}


def test_money_is_shown_in_the_currencys_major_units() -> None:
    assert money(12345, "usd") == "123.45 USD"
    assert money(-5, "eur") == "-0.05 EUR"
    assert money(500, "jpy") == "500 JPY"
    assert money(1234567, "cny") == "12,345.67 CNY"


def test_a_chart_is_labelled_and_escapes_what_it_shows() -> None:
    svg = str(bar_chart("Credits <per> month", ["2026-01", "2026-02"], {"granted": [5, 0], "<b>": [0, -3]}))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert "&lt;b&gt;: 2026-01 0, 2026-02 -3" in svg
    assert "<b>" not in svg
    assert svg.count("<rect") == 4 + 2  # two bars per label, and a legend swatch per series
