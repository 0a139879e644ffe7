"""Money on the wire: the currencies Stripe charges in, and how many minor units make one major unit.

An `amount` anywhere in the API is money: an integer in the currency's minor units, always beside a
`currency` of this type. Credits are never called `amount`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TypeAlias

# Stripe's presentment currencies (docs.stripe.com/currencies), lowercase as Stripe wants them.
CODES: Final[tuple[str, ...]] = (
    "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn",
    "bam", "bbd", "bdt", "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd",
    "cad", "cdf", "chf", "clp", "cny", "cop", "crc", "cve", "czk",
    "djf", "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd", "fkp",
    "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg", "huf",
    "idr", "ils", "inr", "isk", "jmd", "jod", "jpy",
    "kes", "kgs", "khr", "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl",
    "mad", "mdl", "mga", "mkd", "mmk", "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn",
    "nad", "ngn", "nio", "nok", "npr", "nzd", "omr",
    "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar",
    "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl",
    "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs",
    "uah", "ugx", "usd", "uyu", "uzs", "vnd", "vuv", "wst",
    "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
)  # fmt: skip
CURRENCIES: Final[frozenset[str]] = frozenset(CODES)

# On the wire a Currency is one of CODES (anything else: 400 `validation_error`, "Invalid enum value
# 'xyz'", and an enum in the OpenAPI document); inside, a validated code is a plain string.
if TYPE_CHECKING:
    Currency: TypeAlias = str
else:
    Currency = Literal[CODES]

# Stripe's zero- and three-decimal currencies; every other one has two decimals.
ZERO_DECIMAL: Final = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905 - a list to read
)
THREE_DECIMAL: Final = frozenset("bhd jod kwd omr tnd".split())  # noqa: SIM905


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit is: 0 for jpy, 3 for kwd, else 2."""
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2
