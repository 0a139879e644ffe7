from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.revenue_bucket import RevenueBucket


T = TypeVar("T", bound="RevenueSeries")


@_attrs_define
class RevenueSeries:
    """One currency's revenue: a bucket per interval, and the window's totals.

    Attributes:
        series (list[RevenueBucket]): One entry per bucket, oldest first.
        totals (RevenueBucket): Money taken in one currency over one bucket (or the whole window), by when it moved.
    """

    series: list[RevenueBucket]
    totals: RevenueBucket
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
        from ..models.revenue_bucket import RevenueBucket  # noqa: PLC0415

        d = dict(src_dict)
        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = RevenueBucket.from_dict(series_item_data)

            series.append(series_item)

        totals = RevenueBucket.from_dict(d.pop("totals"))

        revenue_series = cls(
            series=series,
            totals=totals,
        )

        revenue_series.additional_properties = d
        return revenue_series

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
