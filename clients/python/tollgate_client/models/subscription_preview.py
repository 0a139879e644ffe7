from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_line import PreviewLine


T = TypeVar("T", bound="SubscriptionPreview")


@_attrs_define
class SubscriptionPreview:
    """What a plan change would cost and grant, as Stripe's invoice preview prices it; nothing is changed.

    Attributes:
        customer (str): The tenant app's customer id.
        subscription_id (str): The Stripe subscription (`sub_...`).
        tier (str): The tier it would move to.
        interval (str): The billing period it would move to.
        price_id (str): The Stripe price it would be billed at.
        change (str): `upgrade` (invoiced at once, as PATCH .../subscription does it) or `downgrade` (the unused time is
            credited on the next invoice).
        currency (str): The ISO 4217 currency of every amount, lowercase.
        amount_due_now (int): Charged at once by the change, in minor units.
        proration_amount (int): Prorated charges less the credit for unused time, in minor units (< 0: a credit).
        proration_date (datetime.datetime | None): The moment the proration was computed for; null: none.
        next_invoice_at (datetime.datetime | None): When the next invoice is due.
        next_invoice_amount (int): What it will ask for, in minor units (a downgrade's credit already taken off).
        credits_ (int): Credits the change grants at once under the plan's credit rules (docs/subscriptions.md, "Credits
            when the plan changes"); 0 when none (or unlimited).
        credits_per_month (int | None): Credits the new tier grants each month; null on an unlimited tier.
        is_unlimited (bool): The new tier is unlimited.
        lines (list[PreviewLine]): The lines of the invoice the change makes first.
    """

    customer: str
    subscription_id: str
    tier: str
    interval: str
    price_id: str
    change: str
    currency: str
    amount_due_now: int
    proration_amount: int
    proration_date: datetime.datetime | None
    next_invoice_at: datetime.datetime | None
    next_invoice_amount: int
    credits_: int
    credits_per_month: int | None
    is_unlimited: bool
    lines: list[PreviewLine]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        subscription_id = self.subscription_id

        tier = self.tier

        interval = self.interval

        price_id = self.price_id

        change = self.change

        currency = self.currency

        amount_due_now = self.amount_due_now

        proration_amount = self.proration_amount

        proration_date: None | str
        if isinstance(self.proration_date, datetime.datetime):
            proration_date = self.proration_date.isoformat()
        else:
            proration_date = self.proration_date

        next_invoice_at: None | str
        if isinstance(self.next_invoice_at, datetime.datetime):
            next_invoice_at = self.next_invoice_at.isoformat()
        else:
            next_invoice_at = self.next_invoice_at

        next_invoice_amount = self.next_invoice_amount

        credits_ = self.credits_

        credits_per_month: int | None
        credits_per_month = self.credits_per_month

        is_unlimited = self.is_unlimited

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "subscription_id": subscription_id,
                "tier": tier,
                "interval": interval,
                "price_id": price_id,
                "change": change,
                "currency": currency,
                "amount_due_now": amount_due_now,
                "proration_amount": proration_amount,
                "proration_date": proration_date,
                "next_invoice_at": next_invoice_at,
                "next_invoice_amount": next_invoice_amount,
                "credits": credits_,
                "credits_per_month": credits_per_month,
                "is_unlimited": is_unlimited,
                "lines": lines,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_line import PreviewLine  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        subscription_id = d.pop("subscription_id")

        tier = d.pop("tier")

        interval = d.pop("interval")

        price_id = d.pop("price_id")

        change = d.pop("change")

        currency = d.pop("currency")

        amount_due_now = d.pop("amount_due_now")

        proration_amount = d.pop("proration_amount")

        def _parse_proration_date(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                proration_date_type_0 = datetime.datetime.fromisoformat(data)

                return proration_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        proration_date = _parse_proration_date(d.pop("proration_date"))

        def _parse_next_invoice_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_invoice_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_invoice_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_invoice_at = _parse_next_invoice_at(d.pop("next_invoice_at"))

        next_invoice_amount = d.pop("next_invoice_amount")

        credits_ = d.pop("credits")

        def _parse_credits_per_month(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_month = _parse_credits_per_month(d.pop("credits_per_month"))

        is_unlimited = d.pop("is_unlimited")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = PreviewLine.from_dict(lines_item_data)

            lines.append(lines_item)

        subscription_preview = cls(
            customer=customer,
            subscription_id=subscription_id,
            tier=tier,
            interval=interval,
            price_id=price_id,
            change=change,
            currency=currency,
            amount_due_now=amount_due_now,
            proration_amount=proration_amount,
            proration_date=proration_date,
            next_invoice_at=next_invoice_at,
            next_invoice_amount=next_invoice_amount,
            credits_=credits_,
            credits_per_month=credits_per_month,
            is_unlimited=is_unlimited,
            lines=lines,
        )

        subscription_preview.additional_properties = d
        return subscription_preview

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
