from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OrderRefunded")


@_attrs_define
class OrderRefunded:
    """`order.refunded`: an order was refunded, fully or in part; its credits are clawed back.

    Attributes:
        customer (str): The tenant app's customer.
        order (str): The order's id.
        refund (str): The refund's id.
        status (str): The order's status after it (`refunded`, `partially_refunded`).
        amount (int): Minor units refunded.
        currency (str): ISO currency code, lower case.
        credits_clawed_back (int): Credits the ledger took back.
        source (str): `api` (asked through Tollgate) or `stripe` (made elsewhere).
    """

    customer: str
    order: str
    refund: str
    status: str
    amount: int
    currency: str
    credits_clawed_back: int
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        order = self.order

        refund = self.refund

        status = self.status

        amount = self.amount

        currency = self.currency

        credits_clawed_back = self.credits_clawed_back

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "order": order,
                "refund": refund,
                "status": status,
                "amount": amount,
                "currency": currency,
                "credits_clawed_back": credits_clawed_back,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        order = d.pop("order")

        refund = d.pop("refund")

        status = d.pop("status")

        amount = d.pop("amount")

        currency = d.pop("currency")

        credits_clawed_back = d.pop("credits_clawed_back")

        source = d.pop("source")

        order_refunded = cls(
            customer=customer,
            order=order,
            refund=refund,
            status=status,
            amount=amount,
            currency=currency,
            credits_clawed_back=credits_clawed_back,
            source=source,
        )

        order_refunded.additional_properties = d
        return order_refunded

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
