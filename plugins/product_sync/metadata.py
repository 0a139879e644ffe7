"""The metadata contract: how Stripe product and price metadata become credit terms for the other plugins.

Keys (all optional, strings as Stripe stores them): `credit_amount` (a positive integer: credits per
unit for pay-as-you-go, per period for subscriptions), `credit_type` (`payg` | `subscription`; when
absent, a one-time price means payg and a recurring one subscription), `plan_tier` (a tier id of the
subscriptions plugin) and `feature_flags` (comma-separated flags). A price's own metadata overrides
its product's key by key. A bad value is reported as a problem of the object that holds it and read
as absent; it never stops a sync.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

import msgspec

CreditType = Literal["payg", "subscription"]
CREDIT_TYPES: tuple[CreditType, ...] = ("payg", "subscription")
MAX_CREDITS = 10**12

_DIGITS = re.compile(r"[0-9]+")
_FLAG = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")


class MetadataProblem(msgspec.Struct, frozen=True):
    """One metadata value that could not be used, and why."""

    product: Annotated[str, msgspec.Meta(description="The Stripe product whose metadata it is.")]
    price: Annotated[
        str | None,
        msgspec.Meta(description=("The Stripe price, when it is the price's metadata; null: the product's.")),
    ]
    key: Annotated[
        str,
        msgspec.Meta(description=("The metadata key (`credit_amount`, `credit_type`, `plan_tier`, `feature_flags`).")),
    ]
    value: Annotated[str, msgspec.Meta(description="The value found.")]
    message: Annotated[str, msgspec.Meta(description="Why it could not be used.")]


class CreditTerms(msgspec.Struct, frozen=True):
    """What the metadata of a product (or a price with its product) says, once parsed."""

    credit_amount: int | None = None
    credit_type: CreditType | None = None
    plan_tier: str | None = None
    feature_flags: tuple[str, ...] = ()


class _Parsed(msgspec.Struct):
    values: dict[str, Any]
    present: set[str]
    problems: list[MetadataProblem]


# Each key's reader turns the trimmed raw value into (value, None) or (None, what is wrong).
Reading = tuple[Any, str | None]


def _credit_amount(raw: str, _: frozenset[str] | None) -> Reading:
    if not _DIGITS.fullmatch(raw) or int(raw) == 0:
        return None, "credit_amount must be a positive whole number of credits"
    if int(raw) > MAX_CREDITS:
        return None, f"credit_amount must be at most {MAX_CREDITS}"
    return int(raw), None


def _credit_type(raw: str, _: frozenset[str] | None) -> Reading:
    if raw.lower() in CREDIT_TYPES:
        return raw.lower(), None
    return None, "credit_type must be 'payg' or 'subscription'"


def _plan_tier(raw: str, tiers: frozenset[str] | None) -> Reading:
    if not raw:
        return None, "plan_tier must name a tier"
    if tiers is not None and raw not in tiers:
        return None, f"unknown tier {raw!r} (tiers: {', '.join(sorted(tiers))})"
    return raw, None


def _feature_flags(raw: str, _: frozenset[str] | None) -> Reading:
    flags: list[str] = []
    bad: list[str] = []
    for flag in (f.strip() for f in raw.split(",")):
        if flag and flag not in flags:
            (flags if _FLAG.fullmatch(flag) else bad).append(flag)
    message = f"feature flags {', '.join(map(repr, bad))} are not 1-64 letters, digits or _.:-" if bad else None
    return tuple(flags), message


_READERS: dict[str, Callable[[str, frozenset[str] | None], Reading]] = {
    "credit_amount": _credit_amount,
    "credit_type": _credit_type,
    "plan_tier": _plan_tier,
    "feature_flags": _feature_flags,
}


def _parse(metadata: Mapping[str, str], tiers: frozenset[str] | None, product: str, price: str | None) -> _Parsed:
    parsed = _Parsed(values={}, present=set(), problems=[])
    for key, read in _READERS.items():
        if key not in metadata:
            continue
        parsed.present.add(key)
        value, message = read(str(metadata[key]).strip(), tiers)
        if value is not None:
            parsed.values[key] = value
        if message is not None:
            parsed.problems.append(MetadataProblem(product, price, key, str(metadata[key]), message))
    return parsed


def _terms(values: Mapping[str, Any]) -> CreditTerms:
    return CreditTerms(
        credit_amount=values.get("credit_amount"),
        credit_type=values.get("credit_type"),
        plan_tier=values.get("plan_tier"),
        feature_flags=values.get("feature_flags", ()),
    )


def product_terms(
    product: str, metadata: Mapping[str, str], tiers: frozenset[str] | None
) -> tuple[CreditTerms, list[MetadataProblem]]:
    """A product's own terms and the problems in its metadata."""
    parsed = _parse(metadata, tiers, product, None)
    return _terms(parsed.values), parsed.problems


def price_terms(
    *,
    product: str,
    product_metadata: Mapping[str, str],
    price: str,
    price_metadata: Mapping[str, str],
    price_type: str,
    tiers: frozenset[str] | None,
) -> tuple[CreditTerms, list[MetadataProblem]]:
    """A price's effective terms (its keys over its product's) and the problems that are the price's own.

    Problems in the product's metadata are the product's (see `product_terms`), not repeated here.
    """
    own = _parse(price_metadata, tiers, product, price)
    inherited = _parse(product_metadata, tiers, product, None)
    values = {key: (own if key in own.present else inherited).values.get(key) for key in _READERS}
    problems = list(own.problems)
    declared = "credit_type" in own.present or "credit_type" in inherited.present
    if values["credit_amount"] is not None and not declared:
        values["credit_type"] = "subscription" if price_type == "recurring" else "payg"
    expected: CreditType = "subscription" if price_type == "recurring" else "payg"
    if values["credit_type"] is not None and values["credit_type"] != expected:
        where = price_metadata if "credit_type" in own.present else product_metadata
        problems.append(
            MetadataProblem(
                product,
                price,
                "credit_type",
                str(where.get("credit_type", "")),
                f"credit_type {values['credit_type']!r} does not fit a {price_type.replace('_', '-')} price",
            )
        )
    values["feature_flags"] = values["feature_flags"] or ()
    return _terms(values), problems
