from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    """One invoice of the customer's subscription, as Stripe's last event about it left it.

    Attributes:
        id (str): Stripe's invoice id (`in_...`).
        number (None | str): The invoice number; null until it is finalized.
        status (str): Stripe's status: `draft`, `open`, `paid`, `uncollectible` or `void`.
        subscription (str): The Stripe subscription it bills.
        amount_due (int): Minor units.
        amount_paid (int): Minor units.
        amount_remaining (int): Minor units.
        currency (str): ISO 4217, lowercase.
        period_start (datetime.datetime | None): The plan period it pays for: start.
        period_end (datetime.datetime | None): The plan period it pays for: end.
        hosted_invoice_url (None | str): Stripe's page of the invoice (pay or download it there).
        invoice_pdf (None | str): The invoice as a PDF; null until finalized.
        receipt_url (None | str): The receipt of the charge that paid it.
        created_at (datetime.datetime): When Stripe drew it up.
        paid_at (datetime.datetime | None): When it was paid; null while unpaid.
    """

    id: str
    number: None | str
    status: str
    subscription: str
    amount_due: int
    amount_paid: int
    amount_remaining: int
    currency: str
    period_start: datetime.datetime | None
    period_end: datetime.datetime | None
    hosted_invoice_url: None | str
    invoice_pdf: None | str
    receipt_url: None | str
    created_at: datetime.datetime
    paid_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number: None | str
        number = self.number

        status = self.status

        subscription = self.subscription

        amount_due = self.amount_due

        amount_paid = self.amount_paid

        amount_remaining = self.amount_remaining

        currency = self.currency

        period_start: None | str
        if isinstance(self.period_start, datetime.datetime):
            period_start = self.period_start.isoformat()
        else:
            period_start = self.period_start

        period_end: None | str
        if isinstance(self.period_end, datetime.datetime):
            period_end = self.period_end.isoformat()
        else:
            period_end = self.period_end

        hosted_invoice_url: None | str
        hosted_invoice_url = self.hosted_invoice_url

        invoice_pdf: None | str
        invoice_pdf = self.invoice_pdf

        receipt_url: None | str
        receipt_url = self.receipt_url

        created_at = self.created_at.isoformat()

        paid_at: None | str
        if isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "status": status,
                "subscription": subscription,
                "amount_due": amount_due,
                "amount_paid": amount_paid,
                "amount_remaining": amount_remaining,
                "currency": currency,
                "period_start": period_start,
                "period_end": period_end,
                "hosted_invoice_url": hosted_invoice_url,
                "invoice_pdf": invoice_pdf,
                "receipt_url": receipt_url,
                "created_at": created_at,
                "paid_at": paid_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        number = _parse_number(d.pop("number"))

        status = d.pop("status")

        subscription = d.pop("subscription")

        amount_due = d.pop("amount_due")

        amount_paid = d.pop("amount_paid")

        amount_remaining = d.pop("amount_remaining")

        currency = d.pop("currency")

        def _parse_period_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_start_type_0 = datetime.datetime.fromisoformat(data)

                return period_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_start = _parse_period_start(d.pop("period_start"))

        def _parse_period_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_end_type_0 = datetime.datetime.fromisoformat(data)

                return period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_end = _parse_period_end(d.pop("period_end"))

        def _parse_hosted_invoice_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hosted_invoice_url = _parse_hosted_invoice_url(d.pop("hosted_invoice_url"))

        def _parse_invoice_pdf(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invoice_pdf = _parse_invoice_pdf(d.pop("invoice_pdf"))

        def _parse_receipt_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        receipt_url = _parse_receipt_url(d.pop("receipt_url"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_paid_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        paid_at = _parse_paid_at(d.pop("paid_at"))

        invoice = cls(
            id=id,
            number=number,
            status=status,
            subscription=subscription,
            amount_due=amount_due,
            amount_paid=amount_paid,
            amount_remaining=amount_remaining,
            currency=currency,
            period_start=period_start,
            period_end=period_end,
            hosted_invoice_url=hosted_invoice_url,
            invoice_pdf=invoice_pdf,
            receipt_url=receipt_url,
            created_at=created_at,
            paid_at=paid_at,
        )

        invoice.additional_properties = d
        return invoice

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
