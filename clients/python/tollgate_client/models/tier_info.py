from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.tier_info_features import TierInfoFeatures
    from ..models.tier_price_info import TierPriceInfo


T = TypeVar("T", bound="TierInfo")


@_attrs_define
class TierInfo:
    """A plan tier on offer: its credits, models, feature flags and prices.

    Attributes:
        id (str): The tier's id in the tenant's settings (`basic`, `premium`).
        name (str): The tier's display name.
        credits_per_month (int | None): Credits granted each month; null on an unlimited tier.
        is_unlimited (bool): Spends are recorded, never refused or charged.
        is_default (bool): The tier of a customer without a subscription.
        models (list[str]): The models the tier may use.
        features (TierInfoFeatures): Feature flags, on or off.
        highlights (list[str]): Selling points to show on a pricing page.
        trial_days (int): Days of free trial at Checkout; 0: none.
        prices (list[TierPriceInfo]): The prices it is sold at; empty for a free tier.
    """

    id: str
    name: str
    credits_per_month: int | None
    is_unlimited: bool
    is_default: bool
    models: list[str]
    features: TierInfoFeatures
    highlights: list[str]
    trial_days: int
    prices: list[TierPriceInfo]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        credits_per_month: int | None
        credits_per_month = self.credits_per_month

        is_unlimited = self.is_unlimited

        is_default = self.is_default

        models = self.models

        features = self.features.to_dict()

        highlights = self.highlights

        trial_days = self.trial_days

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
                "credits_per_month": credits_per_month,
                "is_unlimited": is_unlimited,
                "is_default": is_default,
                "models": models,
                "features": features,
                "highlights": highlights,
                "trial_days": trial_days,
                "prices": prices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tier_info_features import TierInfoFeatures  # noqa: PLC0415
        from ..models.tier_price_info import TierPriceInfo  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_credits_per_month(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_month = _parse_credits_per_month(d.pop("credits_per_month"))

        is_unlimited = d.pop("is_unlimited")

        is_default = d.pop("is_default")

        models = cast(list[str], d.pop("models"))

        features = TierInfoFeatures.from_dict(d.pop("features"))

        highlights = cast(list[str], d.pop("highlights"))

        trial_days = d.pop("trial_days")

        prices = []
        _prices = d.pop("prices")
        for prices_item_data in _prices:
            prices_item = TierPriceInfo.from_dict(prices_item_data)

            prices.append(prices_item)

        tier_info = cls(
            id=id,
            name=name,
            credits_per_month=credits_per_month,
            is_unlimited=is_unlimited,
            is_default=is_default,
            models=models,
            features=features,
            highlights=highlights,
            trial_days=trial_days,
            prices=prices,
        )

        tier_info.additional_properties = d
        return tier_info

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
