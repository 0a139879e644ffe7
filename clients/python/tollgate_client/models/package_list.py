from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.package import Package


T = TypeVar("T", bound="PackageList")


@_attrs_define
class PackageList:
    """The packs on sale, answered whole, with every currency one is sold in.

    Attributes:
        data (list[Package]): The packs, in the order of the settings (only those priced in `currency` when asked).
        has_more (bool): More items follow: fetch them with `next_cursor`.
        next_cursor (None | str): Pass it back unchanged as `cursor` for the next page; null: this is the last page.
        currencies (list[str]): Every currency a pack is sold in.
        default_currency (None | str): The currency an order without one is paid in; null: the pack's only one.
    """

    data: list[Package]
    has_more: bool
    next_cursor: None | str
    currencies: list[str]
    default_currency: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        has_more = self.has_more

        next_cursor: None | str
        next_cursor = self.next_cursor

        currencies = self.currencies

        default_currency: None | str
        default_currency = self.default_currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "has_more": has_more,
                "next_cursor": next_cursor,
                "currencies": currencies,
                "default_currency": default_currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.package import Package  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = Package.from_dict(data_item_data)

            data.append(data_item)

        has_more = d.pop("has_more")

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        currencies = cast(list[str], d.pop("currencies"))

        def _parse_default_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        default_currency = _parse_default_currency(d.pop("default_currency"))

        package_list = cls(
            data=data,
            has_more=has_more,
            next_cursor=next_cursor,
            currencies=currencies,
            default_currency=default_currency,
        )

        package_list.additional_properties = d
        return package_list

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
