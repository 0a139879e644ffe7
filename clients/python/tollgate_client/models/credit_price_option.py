from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditPriceOption")


@_attrs_define
class CreditPriceOption:
    """Credits by count in one currency: `unit_amount` minor units buy `credits` credits.

    Attributes:
        currency (str): ISO 4217 currency, lowercase.
        unit_amount (int): Money in minor units of `currency` (100 usd: 1.00 USD).
        credits_ (int): Credits that `unit_amount` buys.
    """

    currency: str
    unit_amount: int
    credits_: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        unit_amount = self.unit_amount

        credits_ = self.credits_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "unit_amount": unit_amount,
                "credits": credits_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        unit_amount = d.pop("unit_amount")

        credits_ = d.pop("credits")

        credit_price_option = cls(
            currency=currency,
            unit_amount=unit_amount,
            credits_=credits_,
        )

        credit_price_option.additional_properties = d
        return credit_price_option

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
