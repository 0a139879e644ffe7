from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrderPaid")


@_attrs_define
class OrderPaid:
    """`order.paid`: a package order was paid; its credits are granted.

    Attributes:
        customer (str): The tenant app's customer.
        order (str): The order's id.
        package (str): The package's id.
        payment (str): The payment's id (one per paid checkout or invoice).
        invoice (None | str): The Stripe invoice paid; null: a one-off checkout.
        amount (int): Minor units paid.
        currency (str): ISO currency code, lower case.
        credits_ (int): Credits granted.
        credits_expire_at (datetime.datetime | None): When they expire; null: never.
    """

    customer: str
    order: str
    package: str
    payment: str
    invoice: None | str
    amount: int
    currency: str
    credits_: int
    credits_expire_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        order = self.order

        package = self.package

        payment = self.payment

        invoice: None | str
        invoice = self.invoice

        amount = self.amount

        currency = self.currency

        credits_ = self.credits_

        credits_expire_at: None | str
        if isinstance(self.credits_expire_at, datetime.datetime):
            credits_expire_at = self.credits_expire_at.isoformat()
        else:
            credits_expire_at = self.credits_expire_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "order": order,
                "package": package,
                "payment": payment,
                "invoice": invoice,
                "amount": amount,
                "currency": currency,
                "credits": credits_,
                "credits_expire_at": credits_expire_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        order = d.pop("order")

        package = d.pop("package")

        payment = d.pop("payment")

        def _parse_invoice(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invoice = _parse_invoice(d.pop("invoice"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        credits_ = d.pop("credits")

        def _parse_credits_expire_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credits_expire_at_type_0 = datetime.datetime.fromisoformat(data)

                return credits_expire_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        credits_expire_at = _parse_credits_expire_at(d.pop("credits_expire_at"))

        order_paid = cls(
            customer=customer,
            order=order,
            package=package,
            payment=payment,
            invoice=invoice,
            amount=amount,
            currency=currency,
            credits_=credits_,
            credits_expire_at=credits_expire_at,
        )

        order_paid.additional_properties = d
        return order_paid

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
