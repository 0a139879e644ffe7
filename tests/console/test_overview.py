"""The overview's figures (from `GET /admin/metrics`' answer) and its charts."""

from __future__ import annotations

import functools

import msgspec

from core.analytics.schemas import Metrics
from core.console.charts import bar_chart, maybe, money, rate
from core.console.overview import charts, from_metrics


def test_the_overview_takes_the_metrics_as_they_are() -> None:
    example = Metrics.schema_examples[0]
    metrics = msgspec.convert(example, Metrics)
    overview = from_metrics(metrics)
    assert overview.labels == ["2026-03"]
    assert overview.credits == {"granted": [0], "consumed": [300], "expired": [0], "clawed_back": [0]}
    assert overview.revenue == {"usd": {"subscriptions": [11000]}}
    assert overview.mrr == {"usd": [1833]}
    assert overview.movements["usd"] == {
        "new": [1833],
        "expansion": [0],
        "reactivation": [0],
        "contraction": [0],
        "churn": [0],
    }
    assert overview.outstanding == 800
    assert overview.liability == {"cny": 7272}
    assert overview.liability_moves == {"cny": {"added": [0], "consumed": [-2728], "clawed_back": [0], "expired": [0]}}
    assert overview.subscribers_by_tier == {"basic (USD)": 2}
    assert overview.events == {"received": [12], "processed": [11], "ignored": [1], "dead": [0]}
    assert overview.checkouts == {"started": [4], "completed": [3]}
    assert overview.currencies == ["cny", "usd"]


def test_every_family_is_charted_per_currency() -> None:
    overview = from_metrics(msgspec.convert(Metrics.schema_examples[0], Metrics), "usd")
    titles = [title for title, _ in charts(overview)]
    assert titles == [
        "Credits",
        "Prepaid liability moved (CNY)",
        "Revenue by stream (USD)",
        "MRR (USD)",
        "MRR movements (USD)",
        "Stripe events",
        "Checkouts",
    ]
    assert overview.currency == "usd"


def test_ratios_and_missing_figures_are_shown_plainly() -> None:
    assert rate(7500) == "75.00 %"
    assert rate(6666) == "66.66 %"
    assert rate(None) == "—"
    assert maybe(None) == "—"
    assert maybe(1234) == "1,234"
    assert maybe(1234, functools.partial(money, currency="usd")) == "12.34 USD"


def test_losses_hang_below_the_axis() -> None:
    example = msgspec.json.decode(msgspec.json.encode(Metrics.schema_examples[0]))
    bucket = example["subscriptions"]["usd"]["series"][0]
    bucket["movements"].update(contraction=500, churn=700)
    overview = from_metrics(msgspec.convert(example, Metrics))
    assert overview.movements["usd"]["contraction"] == [-500]
    assert overview.movements["usd"]["churn"] == [-700]


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
