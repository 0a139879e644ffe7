from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.catalog_product import CatalogProduct
    from ..models.sync_run import SyncRun


T = TypeVar("T", bound="CatalogListing")


@_attrs_define
class CatalogListing:
    """`GET /catalog`: the tenant's synced products with their prices, answered whole, and the latest sync run.

    Attributes:
        data (list[CatalogProduct]): Every synced product with its prices.
        has_more (bool): More items follow: fetch them with `next_cursor`.
        next_cursor (None | str): Pass it back unchanged as `cursor` for the next page; null: this is the last page.
        last_sync (None | SyncRun): The latest sync run; null: never synced.
    """

    data: list[CatalogProduct]
    has_more: bool
    next_cursor: None | str
    last_sync: None | SyncRun
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.sync_run import SyncRun  # noqa: PLC0415

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        has_more = self.has_more

        next_cursor: None | str
        next_cursor = self.next_cursor

        last_sync: dict[str, Any] | None
        if isinstance(self.last_sync, SyncRun):
            last_sync = self.last_sync.to_dict()
        else:
            last_sync = self.last_sync

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "has_more": has_more,
                "next_cursor": next_cursor,
                "last_sync": last_sync,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.catalog_product import CatalogProduct  # noqa: PLC0415
        from ..models.sync_run import SyncRun  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = CatalogProduct.from_dict(data_item_data)

            data.append(data_item)

        has_more = d.pop("has_more")

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        def _parse_last_sync(data: object) -> None | SyncRun:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_sync_type_0 = SyncRun.from_dict(data)

                return last_sync_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncRun, data)

        last_sync = _parse_last_sync(d.pop("last_sync"))

        catalog_listing = cls(
            data=data,
            has_more=has_more,
            next_cursor=next_cursor,
            last_sync=last_sync,
        )

        catalog_listing.additional_properties = d
        return catalog_listing

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
