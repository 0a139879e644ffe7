from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credit_pack_option import CreditPackOption
    from ..models.credit_price_option import CreditPriceOption


T = TypeVar("T", bound="CreditPrices")


@_attrs_define
class CreditPrices:
    """What pay-as-you-go credits cost, and the limits of one purchase.

    Attributes:
        prices (list[CreditPriceOption]): Credits by count, one price per currency.
        packs (list[CreditPackOption]): Packs bought by quantity.
        min_credits (int): The fewest credits one purchase by count may buy.
        max_credits (int): The most credits one purchase may buy.
        max_quantity (int): The most packs one purchase may buy.
        expires_in_days (int | None): Days purchased credits last after the payment; null: they never expire.
    """

    prices: list[CreditPriceOption]
    packs: list[CreditPackOption]
    min_credits: int
    max_credits: int
    max_quantity: int
    expires_in_days: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prices = []
        for prices_item_data in self.prices:
            prices_item = prices_item_data.to_dict()
            prices.append(prices_item)

        packs = []
        for packs_item_data in self.packs:
            packs_item = packs_item_data.to_dict()
            packs.append(packs_item)

        min_credits = self.min_credits

        max_credits = self.max_credits

        max_quantity = self.max_quantity

        expires_in_days: int | None
        expires_in_days = self.expires_in_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prices": prices,
                "packs": packs,
                "min_credits": min_credits,
                "max_credits": max_credits,
                "max_quantity": max_quantity,
                "expires_in_days": expires_in_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credit_pack_option import CreditPackOption  # noqa: PLC0415
        from ..models.credit_price_option import CreditPriceOption  # noqa: PLC0415

        d = dict(src_dict)
        prices = []
        _prices = d.pop("prices")
        for prices_item_data in _prices:
            prices_item = CreditPriceOption.from_dict(prices_item_data)

            prices.append(prices_item)

        packs = []
        _packs = d.pop("packs")
        for packs_item_data in _packs:
            packs_item = CreditPackOption.from_dict(packs_item_data)

            packs.append(packs_item)

        min_credits = d.pop("min_credits")

        max_credits = d.pop("max_credits")

        max_quantity = d.pop("max_quantity")

        def _parse_expires_in_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expires_in_days = _parse_expires_in_days(d.pop("expires_in_days"))

        credit_prices = cls(
            prices=prices,
            packs=packs,
            min_credits=min_credits,
            max_credits=max_credits,
            max_quantity=max_quantity,
            expires_in_days=expires_in_days,
        )

        credit_prices.additional_properties = d
        return credit_prices

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
