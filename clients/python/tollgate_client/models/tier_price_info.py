from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.tier_price_info_interval import TierPriceInfoInterval
from ..types import UNSET, Unset

T = TypeVar("T", bound="TierPriceInfo")


@_attrs_define
class TierPriceInfo:
    """One Stripe price a tier is sold at.

    Attributes:
        interval (TierPriceInfoInterval): The billing period: `month` or `year`.
        currency (None | str): The price's ISO 4217 currency, lowercase; null when it cannot be read right now.
        unit_amount (int | None): Money per period, in minor units of `currency` (999 usd: 9.99 USD); null when it
            cannot be read right now.
        price_id (str): The Stripe price (`price_...`).
        credits_per_period (int | None | Unset): Credits per billing period from the price's `credit_amount` metadata
            (product_sync), instead of the tier's; null: the tier's.
    """

    interval: TierPriceInfoInterval
    currency: None | str
    unit_amount: int | None
    price_id: str
    credits_per_period: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        interval = self.interval.value

        currency: None | str
        currency = self.currency

        unit_amount: int | None
        unit_amount = self.unit_amount

        price_id = self.price_id

        credits_per_period: int | None | Unset
        if isinstance(self.credits_per_period, Unset):
            credits_per_period = UNSET
        else:
            credits_per_period = self.credits_per_period

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "interval": interval,
                "currency": currency,
                "unit_amount": unit_amount,
                "price_id": price_id,
            }
        )
        if credits_per_period is not UNSET:
            field_dict["credits_per_period"] = credits_per_period

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        interval = TierPriceInfoInterval(d.pop("interval"))

        def _parse_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        currency = _parse_currency(d.pop("currency"))

        def _parse_unit_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount"))

        price_id = d.pop("price_id")

        def _parse_credits_per_period(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_per_period = _parse_credits_per_period(d.pop("credits_per_period", UNSET))

        tier_price_info = cls(
            interval=interval,
            currency=currency,
            unit_amount=unit_amount,
            price_id=price_id,
            credits_per_period=credits_per_period,
        )

        tier_price_info.additional_properties = d
        return tier_price_info

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
