from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MetadataProblem")


@_attrs_define
class MetadataProblem:
    """One metadata value that could not be used, and why.

    Attributes:
        product (str): The Stripe product whose metadata it is.
        price (None | str): The Stripe price, when it is the price's metadata; null: the product's.
        key (str): The metadata key (`credit_amount`, `credit_type`, `plan_tier`, `feature_flags`).
        value (str): The value found.
        message (str): Why it could not be used.
    """

    product: str
    price: None | str
    key: str
    value: str
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product = self.product

        price: None | str
        price = self.price

        key = self.key

        value = self.value

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "product": product,
                "price": price,
                "key": key,
                "value": value,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        product = d.pop("product")

        def _parse_price(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        price = _parse_price(d.pop("price"))

        key = d.pop("key")

        value = d.pop("value")

        message = d.pop("message")

        metadata_problem = cls(
            product=product,
            price=price,
            key=key,
            value=value,
            message=message,
        )

        metadata_problem.additional_properties = d
        return metadata_problem

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
