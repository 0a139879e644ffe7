from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_payment_kind import CustomerPaymentKind

T = TypeVar("T", bound="CustomerPayment")


@_attrs_define
class CustomerPayment:
    """One movement of money between the customer and the tenant, through Tollgate.

    Attributes:
        id (str): The Stripe object (`in_`, `pi_`, `re_`, `du_`) or Tollgate's row id.
        kind (CustomerPaymentKind): `payment`: the customer paid; `refund`, `dispute`: money given (or held) back.
        source (str): What it paid for: `subscriptions`, `token_packages`, `payg` (the plugin).
        amount (int): Minor units, positive whatever the direction.
        currency (str): ISO 4217, lowercase.
        status (None | str): `succeeded`, a refund's `pending`/`failed`, a dispute's Stripe status (`won`, `lost`).
        occurred_at (datetime.datetime): When it was paid, refunded or disputed.
        reference (None | str): The invoice (`in_`), token package order or credit purchase it concerns.
        description (None | str): What was bought: the tier, package or credits.
        receipt_url (None | str): Stripe's receipt of the charge (refunds show on it); null where none is kept.
    """

    id: str
    kind: CustomerPaymentKind
    source: str
    amount: int
    currency: str
    status: None | str
    occurred_at: datetime.datetime
    reference: None | str
    description: None | str
    receipt_url: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        source = self.source

        amount = self.amount

        currency = self.currency

        status: None | str
        status = self.status

        occurred_at = self.occurred_at.isoformat()

        reference: None | str
        reference = self.reference

        description: None | str
        description = self.description

        receipt_url: None | str
        receipt_url = self.receipt_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "source": source,
                "amount": amount,
                "currency": currency,
                "status": status,
                "occurred_at": occurred_at,
                "reference": reference,
                "description": description,
                "receipt_url": receipt_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = CustomerPaymentKind(d.pop("kind"))

        source = d.pop("source")

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status = _parse_status(d.pop("status"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        def _parse_reference(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reference = _parse_reference(d.pop("reference"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_receipt_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        receipt_url = _parse_receipt_url(d.pop("receipt_url"))

        customer_payment = cls(
            id=id,
            kind=kind,
            source=source,
            amount=amount,
            currency=currency,
            status=status,
            occurred_at=occurred_at,
            reference=reference,
            description=description,
            receipt_url=receipt_url,
        )

        customer_payment.additional_properties = d
        return customer_payment

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
