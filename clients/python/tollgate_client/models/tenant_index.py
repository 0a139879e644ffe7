from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TenantIndex")


@_attrs_define
class TenantIndex:
    """The tenant the key belongs to, its enabled plugins, and what the key may do.

    Attributes:
        tenant (str): The tenant's slug.
        name (str): The tenant's display name.
        plugins (list[str]): The plugins the tenant has enabled.
        scopes (list[str]): The calling key's scopes: `service`, `admin`.
    """

    tenant: str
    name: str
    plugins: list[str]
    scopes: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        name = self.name

        plugins = self.plugins

        scopes = self.scopes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "name": name,
                "plugins": plugins,
                "scopes": scopes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        name = d.pop("name")

        plugins = cast(list[str], d.pop("plugins"))

        scopes = cast(list[str], d.pop("scopes"))

        tenant_index = cls(
            tenant=tenant,
            name=name,
            plugins=plugins,
            scopes=scopes,
        )

        tenant_index.additional_properties = d
        return tenant_index

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
