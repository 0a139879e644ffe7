"""Prices for display: minor units to a decimal string in the currency's own exponent, and the price per credit.

Amounts stay integers everywhere else; these strings exist for shop pages only (Decimal, never float).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.money import exponent

UNIT_PRICE_PLACES = 4


def display_amount(amount: int, currency: str) -> str:
    """`10000` fen as `"100.00"`; `500` yen as `"500"`."""
    places = exponent(currency)
    return str(Decimal(amount).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def unit_price(amount: int, total_credits: int, currency: str) -> str:
    """What one credit costs in major units, to four places, rounded half up (`100.00` for 1100 → `"0.0909"`)."""
    value = Decimal(amount).scaleb(-exponent(currency)) / Decimal(total_credits)
    return str(value.quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUND_HALF_UP))
