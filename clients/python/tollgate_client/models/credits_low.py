from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditsLow")


@_attrs_define
class CreditsLow:
    """`credits.low`: a spend took the customer's balance below the tenant's threshold.

    Attributes:
        customer (str): The tenant app's customer.
        balance (int): The balance after the spend.
        threshold (int): The tenant's `notifications.credits_low_threshold`.
    """

    customer: str
    balance: int
    threshold: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        balance = self.balance

        threshold = self.threshold

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "balance": balance,
                "threshold": threshold,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        balance = d.pop("balance")

        threshold = d.pop("threshold")

        credits_low = cls(
            customer=customer,
            balance=balance,
            threshold=threshold,
        )

        credits_low.additional_properties = d
        return credits_low

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
