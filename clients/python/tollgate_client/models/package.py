from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.expiry import Expiry
    from ..models.package_price import PackagePrice


T = TypeVar("T", bound="Package")


@_attrs_define
class Package:
    """A credit pack on sale: one-time, or every month or year.

    Attributes:
        id (str): The pack's id in the tenant's settings (`standard`, `tokens-1k`).
        name (str): The pack's display name.
        description (None | str): A line to show with it; null: none.
        credits_ (int): Credits the pack gives.
        bonus_credits (int): Credits given on top; 0: none.
        total_credits (int): `credits` plus `bonus_credits`.
        interval (None | str): `month` or `year` for a recurring pack, paid and granted each period; null: one-time.
        expires_after (Expiry | None): How long its credits last after each payment; null: they never expire.
        prices (list[PackagePrice]): Its price in each currency it is sold in.
    """

    id: str
    name: str
    description: None | str
    credits_: int
    bonus_credits: int
    total_credits: int
    interval: None | str
    expires_after: Expiry | None
    prices: list[PackagePrice]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.expiry import Expiry  # noqa: PLC0415

        id = self.id

        name = self.name

        description: None | str
        description = self.description

        credits_ = self.credits_

        bonus_credits = self.bonus_credits

        total_credits = self.total_credits

        interval: None | str
        interval = self.interval

        expires_after: dict[str, Any] | None
        if isinstance(self.expires_after, Expiry):
            expires_after = self.expires_after.to_dict()
        else:
            expires_after = self.expires_after

        prices = []
        for prices_item_data in self.prices:
            prices_item = prices_item_data.to_dict()
            prices.append(prices_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "credits": credits_,
                "bonus_credits": bonus_credits,
                "total_credits": total_credits,
                "interval": interval,
                "expires_after": expires_after,
                "prices": prices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.expiry import Expiry  # noqa: PLC0415
        from ..models.package_price import PackagePrice  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        credits_ = d.pop("credits")

        bonus_credits = d.pop("bonus_credits")

        total_credits = d.pop("total_credits")

        def _parse_interval(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        interval = _parse_interval(d.pop("interval"))

        def _parse_expires_after(data: object) -> Expiry | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                expires_after_type_0 = Expiry.from_dict(data)

                return expires_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Expiry | None, data)

        expires_after = _parse_expires_after(d.pop("expires_after"))

        prices = []
        _prices = d.pop("prices")
        for prices_item_data in _prices:
            prices_item = PackagePrice.from_dict(prices_item_data)

            prices.append(prices_item)

        package = cls(
            id=id,
            name=name,
            description=description,
            credits_=credits_,
            bonus_credits=bonus_credits,
            total_credits=total_credits,
            interval=interval,
            expires_after=expires_after,
            prices=prices,
        )

        package.additional_properties = d
        return package

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
