"""Bar charts as SVG, drawn on the server: no script, no network, readable by a screen reader.

Each chart has a `<title>` and a `<desc>` (the figures as text), and the page shows the same figures
in a table beside it, so nothing is said by the drawing alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from markupsafe import Markup

from core.money import exponent

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 36
# Distinguishable in colour-blind palettes (Okabe-Ito), in series order.
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


def money(amount: int, currency: str) -> str:
    """Minor units as the currency's major units: `12345 usd` is `123.45 USD`, `500 jpy` is `500 JPY`."""
    places = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**places)
    shown = f"{whole:,}" + (f".{part:0{places}d}" if places else "")
    return f"{sign}{shown} {currency.upper()}"


def count(value: int) -> str:
    return f"{value:,}"


def rate(basis_points: int | None) -> str:
    """A ratio's basis points as a percentage to two places (`7500` is `75.00 %`); none: a dash."""
    if basis_points is None:
        return "—"
    return f"{basis_points // 100}.{basis_points % 100:02d} %"


def maybe(value: int | None, show: Callable[[int], str] = count) -> str:
    """A figure that may be null (no orders, no processed event): a dash."""
    return "—" if value is None else show(value)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
    show: Callable[[int], str] = count,
) -> Markup:
    """Grouped bars, one group per label and one bar per series; negative values hang below the axis."""
    names = list(series)
    values = [v for name in names for v in series[name]]
    high, low = max([0, *values]), min([0, *values])
    span = (high - low) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: int) -> float:
        return TOP + (high - value) * plot_h / span

    group = plot_w / max(1, len(labels))
    bar = group * 0.8 / max(1, len(names))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{_id(title)}-t {_id(title)}-d"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{_id(title)}-t">{escape(title)}</title>',
        f'<desc id="{_id(title)}-d">{escape(_describe(labels, series, show))}</desc>',
    ]
    parts.extend(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
        f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">{escape(show(value))}</text>'
        for value in sorted({high, low, 0})
    )
    every = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        x0 = LEFT + i * group + group * 0.1
        for j, name in enumerate(names):
            value = series[name][i]
            top, bottom = y(max(value, 0)), y(min(value, 0))
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{top:.1f}" width="{max(bar - 1, 1):.1f}" '
                f'height="{max(bottom - top, 0):.1f}" fill="{COLOURS[j % len(COLOURS)]}">'
                f"<title>{escape(name)} {escape(label)}: {escape(show(value))}</title></rect>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{LEFT + i * group + group / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    for j, name in enumerate(names):
        x = LEFT + j * 150
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 12}" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 3}" class="legend">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def _describe(labels: Sequence[str], series: Mapping[str, Sequence[int]], show: Callable[[int], str]) -> str:
    return "; ".join(
        f"{name}: " + ", ".join(f"{label} {show(v)}" for label, v in zip(labels, values, strict=True))
        for name, values in series.items()
    )


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())
