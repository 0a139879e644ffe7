from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_export_tables_additional_property_item import CustomerExportTablesAdditionalPropertyItem


T = TypeVar("T", bound="CustomerExportTables")


@_attrs_define
class CustomerExportTables:
    """The customer's rows by table (`customers`, `credit_grants`, `ledger_entries`, `subscriptions`,
    `token_package_orders`, `webhook_events`, `audit_records`, ...), every column as stored; stored Stripe events and
    notices as JSON.

    """

    additional_properties: dict[str, list[CustomerExportTablesAdditionalPropertyItem]] = _attrs_field(
        init=False, factory=dict
    )

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            field_dict[prop_name] = []
            for additional_property_item_data in prop:
                additional_property_item = additional_property_item_data.to_dict()
                field_dict[prop_name].append(additional_property_item)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_export_tables_additional_property_item import CustomerExportTablesAdditionalPropertyItem  # noqa: PLC0415

        d = dict(src_dict)
        customer_export_tables = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():
            additional_property = []
            _additional_property = prop_dict
            for additional_property_item_data in _additional_property:
                additional_property_item = CustomerExportTablesAdditionalPropertyItem.from_dict(
                    additional_property_item_data
                )

                additional_property.append(additional_property_item)

            additional_properties[prop_name] = additional_property

        customer_export_tables.additional_properties = additional_properties
        return customer_export_tables

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> list[CustomerExportTablesAdditionalPropertyItem]:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: list[CustomerExportTablesAdditionalPropertyItem]) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
