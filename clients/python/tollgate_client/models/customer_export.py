from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer import Customer
    from ..models.customer_export_tables import CustomerExportTables


T = TypeVar("T", bound="CustomerExport")


@_attrs_define
class CustomerExport:
    """Everything Tollgate holds on one customer (GDPR articles 15 and 20), one list of rows per table.

    Attributes:
        tenant (str): The tenant's slug.
        customer (Customer): A tenant app's customer, and the Stripe customer Tollgate keeps for it.
        exported_at (datetime.datetime): When the export was read.
        tables (CustomerExportTables): The customer's rows by table (`customers`, `credit_grants`, `ledger_entries`,
            `subscriptions`, `token_package_orders`, `webhook_events`, `audit_records`, ...), every column as stored; stored
            Stripe events and notices as JSON.
    """

    tenant: str
    customer: Customer
    exported_at: datetime.datetime
    tables: CustomerExportTables
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        customer = self.customer.to_dict()

        exported_at = self.exported_at.isoformat()

        tables = self.tables.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "customer": customer,
                "exported_at": exported_at,
                "tables": tables,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer import Customer  # noqa: PLC0415
        from ..models.customer_export_tables import CustomerExportTables  # noqa: PLC0415

        d = dict(src_dict)
        tenant = d.pop("tenant")

        customer = Customer.from_dict(d.pop("customer"))

        exported_at = datetime.datetime.fromisoformat(d.pop("exported_at"))

        tables = CustomerExportTables.from_dict(d.pop("tables"))

        customer_export = cls(
            tenant=tenant,
            customer=customer,
            exported_at=exported_at,
            tables=tables,
        )

        customer_export.additional_properties = d
        return customer_export

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
