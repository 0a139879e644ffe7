from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.liability_bucket import LiabilityBucket


T = TypeVar("T", bound="LiabilitySeries")


@_attrs_define
class LiabilitySeries:
    """One currency's prepaid liability: a bucket per interval, and the window's (opening at `since`,
    closing at `until`, movements summed).

        Attributes:
            series (list[LiabilityBucket]): One entry per bucket, oldest first.
            totals (LiabilityBucket): What the unspent prepaid credits of one currency were worth over one bucket, and what
                moved it.

                opening + added - consumed - clawed_back - expired = closing, exactly (docs/metrics.md: the rounding).
    """

    series: list[LiabilityBucket]
    totals: LiabilityBucket
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)

        totals = self.totals.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "series": series,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.liability_bucket import LiabilityBucket  # noqa: PLC0415

        d = dict(src_dict)
        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = LiabilityBucket.from_dict(series_item_data)

            series.append(series_item)

        totals = LiabilityBucket.from_dict(d.pop("totals"))

        liability_series = cls(
            series=series,
            totals=totals,
        )

        liability_series.additional_properties = d
        return liability_series

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
