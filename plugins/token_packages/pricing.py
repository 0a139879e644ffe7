"""Prices for display: minor units to a decimal string in the currency's own exponent, and the price per credit.

Amounts stay integers everywhere else; these strings exist for shop pages only (Decimal, never float).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Stripe's zero- and three-decimal currencies; every other currency has two decimals.
_ZERO_DECIMAL = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905 - a list to read
)
_THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())  # noqa: SIM905
UNIT_PRICE_PLACES = 4


def exponent(currency: str) -> int:
    if currency in _ZERO_DECIMAL:
        return 0
    return 3 if currency in _THREE_DECIMAL else 2


def display_amount(amount: int, currency: str) -> str:
    """`10000` fen as `"100.00"`; `500` yen as `"500"`."""
    places = exponent(currency)
    return str(Decimal(amount).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def unit_price(amount: int, total_credits: int, currency: str) -> str:
    """What one credit costs in major units, to four places, rounded half up (`100.00` for 1100 → `"0.0909"`)."""
    value = Decimal(amount).scaleb(-exponent(currency)) / Decimal(total_credits)
    return str(value.quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUND_HALF_UP))
