from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="EndpointDisabled")


@_attrs_define
class EndpointDisabled:
    """`stripe.endpoint_disabled`: the tenant's webhook endpoint in Stripe is disabled or gone: no deliveries come.

    Attributes:
        endpoint (str): The endpoint's id in the tenant's Stripe account (`we_...`).
        status (str): `disabled`, or `missing` when Stripe no longer has it.
        since (datetime.datetime): When Tollgate first saw it so.
    """

    endpoint: str
    status: str
    since: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        endpoint = self.endpoint

        status = self.status

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "endpoint": endpoint,
                "status": status,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        endpoint = d.pop("endpoint")

        status = d.pop("status")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        endpoint_disabled = cls(
            endpoint=endpoint,
            status=status,
            since=since,
        )

        endpoint_disabled.additional_properties = d
        return endpoint_disabled

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
