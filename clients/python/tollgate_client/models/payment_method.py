from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PaymentMethod")


@_attrs_define
class PaymentMethod:
    """A card saved on the customer's Stripe customer.

    Attributes:
        id (str): The Stripe PaymentMethod (`pm_...`).
        type_ (Literal['card']): Always `card`.
        brand (str): The card's brand: `visa`, `mastercard`, `amex`, ...
        last4 (str): The card number's last four digits.
        exp_month (int): Expiry month, 1-12.
        exp_year (int): Expiry year, four digits.
        default (bool): Whether invoices (subscription renewals) are charged to this card.
    """

    id: str
    type_: Literal["card"]
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    default: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        brand = self.brand

        last4 = self.last4

        exp_month = self.exp_month

        exp_year = self.exp_year

        default = self.default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "brand": brand,
                "last4": last4,
                "exp_month": exp_month,
                "exp_year": exp_year,
                "default": default,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        type_ = cast(Literal["card"], d.pop("type"))
        if type_ != "card":
            raise ValueError(f"type must match const 'card', got '{type_}'")

        brand = d.pop("brand")

        last4 = d.pop("last4")

        exp_month = d.pop("exp_month")

        exp_year = d.pop("exp_year")

        default = d.pop("default")

        payment_method = cls(
            id=id,
            type_=type_,
            brand=brand,
            last4=last4,
            exp_month=exp_month,
            exp_year=exp_year,
            default=default,
        )

        payment_method.additional_properties = d
        return payment_method

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
