from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.entitlements_features import EntitlementsFeatures
    from ..models.entitlements_limits import EntitlementsLimits
    from ..models.entitlements_sources import EntitlementsSources


T = TypeVar("T", bound="Entitlements")


@_attrs_define
class Entitlements:
    """What every enabled plugin grants the customer, merged: ask it before serving a request.

    Attributes:
        customer (str): The tenant app's customer id.
        tier (None | str): The customer's plan tier; null: no plugin has tiers.
        models (list[str]): The models the customer may use (every plugin's, together).
        features (EntitlementsFeatures): Feature flags: on when any plugin turns them on.
        limits (EntitlementsLimits): Named limits; null: unlimited.
        sources (EntitlementsSources): Each plugin's own answer, by plugin.
    """

    customer: str
    tier: None | str
    models: list[str]
    features: EntitlementsFeatures
    limits: EntitlementsLimits
    sources: EntitlementsSources
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        tier: None | str
        tier = self.tier

        models = self.models

        features = self.features.to_dict()

        limits = self.limits.to_dict()

        sources = self.sources.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "tier": tier,
                "models": models,
                "features": features,
                "limits": limits,
                "sources": sources,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entitlements_features import EntitlementsFeatures  # noqa: PLC0415
        from ..models.entitlements_limits import EntitlementsLimits  # noqa: PLC0415
        from ..models.entitlements_sources import EntitlementsSources  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        def _parse_tier(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tier = _parse_tier(d.pop("tier"))

        models = cast(list[str], d.pop("models"))

        features = EntitlementsFeatures.from_dict(d.pop("features"))

        limits = EntitlementsLimits.from_dict(d.pop("limits"))

        sources = EntitlementsSources.from_dict(d.pop("sources"))

        entitlements = cls(
            customer=customer,
            tier=tier,
            models=models,
            features=features,
            limits=limits,
            sources=sources,
        )

        entitlements.additional_properties = d
        return entitlements

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
