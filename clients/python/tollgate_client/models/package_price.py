from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PackagePrice")


@_attrs_define
class PackagePrice:
    """What a pack costs in one currency.

    Attributes:
        currency (str): ISO 4217 currency, lowercase.
        amount (int): Money in minor units of `currency` (fen, cents): 10000 cny is 100.00 yuan.
        display_amount (str): `amount` as a decimal string in major units (`100.00`).
        unit_price (str): Money per credit, a decimal string in major units (`0.0909`).
    """

    currency: str
    amount: int
    display_amount: str
    unit_price: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        amount = self.amount

        display_amount = self.display_amount

        unit_price = self.unit_price

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "amount": amount,
                "display_amount": display_amount,
                "unit_price": unit_price,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        amount = d.pop("amount")

        display_amount = d.pop("display_amount")

        unit_price = d.pop("unit_price")

        package_price = cls(
            currency=currency,
            amount=amount,
            display_amount=display_amount,
            unit_price=unit_price,
        )

        package_price.additional_properties = d
        return package_price

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
