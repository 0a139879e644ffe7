from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credits_bucket import CreditsBucket
    from ..models.credits_series_prepaid_liability import CreditsSeriesPrepaidLiability
    from ..models.credits_series_prepaid_value import CreditsSeriesPrepaidValue


T = TypeVar("T", bound="CreditsSeries")


@_attrs_define
class CreditsSeries:
    """Credits: a bucket per interval, the window's totals, and the money value of what is left unspent.

    Attributes:
        series (list[CreditsBucket]): One entry per bucket, oldest first.
        totals (CreditsBucket): Credits (counts, every currency alike) moved over one bucket (or the whole window).
        prepaid_value (CreditsSeriesPrepaidValue): Unspent credits bought with money, valued at what they cost, per
            currency (minor units): the deferred revenue. As of now, not of the window's end.
        prepaid_liability (CreditsSeriesPrepaidLiability): The same liability over the window, per currency: its worth
            at each bucket's start and end and what moved it (credits bought, consumed, clawed back, expired), in minor
            units.
    """

    series: list[CreditsBucket]
    totals: CreditsBucket
    prepaid_value: CreditsSeriesPrepaidValue
    prepaid_liability: CreditsSeriesPrepaidLiability
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        series = []
        for series_item_data in self.series:
            series_item = series_item_data.to_dict()
            series.append(series_item)

        totals = self.totals.to_dict()

        prepaid_value = self.prepaid_value.to_dict()

        prepaid_liability = self.prepaid_liability.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "series": series,
                "totals": totals,
                "prepaid_value": prepaid_value,
                "prepaid_liability": prepaid_liability,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credits_bucket import CreditsBucket  # noqa: PLC0415
        from ..models.credits_series_prepaid_liability import CreditsSeriesPrepaidLiability  # noqa: PLC0415
        from ..models.credits_series_prepaid_value import CreditsSeriesPrepaidValue  # noqa: PLC0415

        d = dict(src_dict)
        series = []
        _series = d.pop("series")
        for series_item_data in _series:
            series_item = CreditsBucket.from_dict(series_item_data)

            series.append(series_item)

        totals = CreditsBucket.from_dict(d.pop("totals"))

        prepaid_value = CreditsSeriesPrepaidValue.from_dict(d.pop("prepaid_value"))

        prepaid_liability = CreditsSeriesPrepaidLiability.from_dict(d.pop("prepaid_liability"))

        credits_series = cls(
            series=series,
            totals=totals,
            prepaid_value=prepaid_value,
            prepaid_liability=prepaid_liability,
        )

        credits_series.additional_properties = d
        return credits_series

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
