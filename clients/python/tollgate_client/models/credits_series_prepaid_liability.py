from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.liability_series import LiabilitySeries


T = TypeVar("T", bound="CreditsSeriesPrepaidLiability")


@_attrs_define
class CreditsSeriesPrepaidLiability:
    """The same liability over the window, per currency: its worth at each bucket's start and end and what moved it
    (credits bought, consumed, clawed back, expired), in minor units.

    """

    additional_properties: dict[str, LiabilitySeries] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = prop.to_dict()

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.liability_series import LiabilitySeries  # noqa: PLC0415

        d = dict(src_dict)
        credits_series_prepaid_liability = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = LiabilitySeries.from_dict(prop_dict)

            additional_properties[prop_name] = additional_property

        credits_series_prepaid_liability.additional_properties = additional_properties
        return credits_series_prepaid_liability

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> LiabilitySeries:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: LiabilitySeries) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
