"""Stripe's subscription and invoice objects as this plugin reads them (today's shapes: periods live on
the subscription's items, an invoice names its subscription under `parent`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import msgspec

from plugins.subscriptions.periods import Window, from_timestamp


def id_of(value: Any) -> str | None:
    """An id field that may come expanded (`{"id": ...}`) or as the bare id."""
    if isinstance(value, Mapping):
        return str(value["id"])
    return str(value) if value else None


class StripeSubscription(msgspec.Struct, frozen=True):
    """The fields of a Stripe subscription this plugin reads (today's shape: periods live on the items)."""

    id: str
    customer: str
    status: str
    item_id: str
    price_id: str
    interval: str | None
    currency: str
    period: Window
    # The price's amount per `interval_count` intervals, in minor units (None: not a flat per-unit price).
    unit_amount: int | None
    interval_count: int
    quantity: int
    cancel_at_period_end: bool
    trial_end: dt.datetime | None
    ended_at: dt.datetime | None
    metadata: dict[str, str]

    @classmethod
    def from_stripe(cls, obj: Mapping[str, Any]) -> StripeSubscription:
        item = obj["items"]["data"][0]
        price = item["price"]
        start, end = from_timestamp(item["current_period_start"]), from_timestamp(item["current_period_end"])
        assert start is not None
        assert end is not None
        return cls(
            id=str(obj["id"]),
            customer=id_of(obj["customer"]) or "",
            status=str(obj["status"]),
            item_id=str(item["id"]),
            price_id=str(price["id"]),
            interval=(price.get("recurring") or {}).get("interval"),
            currency=str(obj.get("currency") or price.get("currency") or ""),
            period=Window(start, end),
            unit_amount=price.get("unit_amount"),
            interval_count=int((price.get("recurring") or {}).get("interval_count") or 1),
            quantity=int(item.get("quantity") if item.get("quantity") is not None else 1),
            cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
            trial_end=from_timestamp(obj.get("trial_end")),
            ended_at=from_timestamp(obj.get("ended_at")),
            metadata={str(k): str(v) for k, v in (obj.get("metadata") or {}).items()},
        )


def subscription_of(invoice: Mapping[str, Any]) -> str | None:
    """The subscription an invoice bills (`parent.subscription_details.subscription` in today's shape)."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return id_of(details.get("subscription"))


def plan_line(invoice: Mapping[str, Any]) -> tuple[str | None, Window] | None:
    """(price id, period) of the invoice's latest non-proration subscription line: what the invoice pays for.

    A proration-only invoice (a mid-period plan change) has none.
    """
    found: tuple[str | None, Window] | None = None
    for line in (invoice.get("lines") or {}).get("data") or []:
        parent = line.get("parent") or {}
        details = parent.get("subscription_item_details")
        if parent.get("type") != "subscription_item_details" or not details or details.get("proration"):
            continue
        start, end = from_timestamp(line["period"]["start"]), from_timestamp(line["period"]["end"])
        if start is None or end is None or end <= start:
            continue
        price = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
        if found is None or end > found[1].end:
            found = (id_of(price), Window(start, end))
    return found
