from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.credit_pack_option_source import CreditPackOptionSource

T = TypeVar("T", bound="CreditPackOption")


@_attrs_define
class CreditPackOption:
    """A pack bought by quantity: each one costs `unit_amount` and gives `credits`.

    Attributes:
        price (str): What to pass as `price`: the pack's name in the settings or a Stripe price id.
        name (None | str): Its display name; null: none.
        currency (str): ISO 4217 currency, lowercase.
        unit_amount (int): Money per pack, in minor units of `currency`.
        credits_ (int): Credits per pack.
        source (CreditPackOptionSource): `settings`: the tenant's settings; `catalog`: a synced Stripe price with
            `credit_amount` metadata.
    """

    price: str
    name: None | str
    currency: str
    unit_amount: int
    credits_: int
    source: CreditPackOptionSource
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        price = self.price

        name: None | str
        name = self.name

        currency = self.currency

        unit_amount = self.unit_amount

        credits_ = self.credits_

        source = self.source.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "price": price,
                "name": name,
                "currency": currency,
                "unit_amount": unit_amount,
                "credits": credits_,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        price = d.pop("price")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        currency = d.pop("currency")

        unit_amount = d.pop("unit_amount")

        credits_ = d.pop("credits")

        source = CreditPackOptionSource(d.pop("source"))

        credit_pack_option = cls(
            price=price,
            name=name,
            currency=currency,
            unit_amount=unit_amount,
            credits_=credits_,
            source=source,
        )

        credit_pack_option.additional_properties = d
        return credit_pack_option

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
