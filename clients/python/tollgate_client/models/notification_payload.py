from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.notification_payload_data import NotificationPayloadData


T = TypeVar("T", bound="NotificationPayload")


@_attrs_define
class NotificationPayload:
    """The body of a notice to the tenant app (core/notifications, the Standard Webhooks convention).

    Attributes:
        id (str): The notice's id, also its `webhook-id` header.
        type_ (str): The notification type.
        timestamp (datetime.datetime): When it happened.
        tenant (str): The tenant's slug.
        data (NotificationPayloadData): The type's own fields (docs/webhooks.md).
    """

    id: str
    type_: str
    timestamp: datetime.datetime
    tenant: str
    data: NotificationPayloadData
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        timestamp = self.timestamp.isoformat()

        tenant = self.tenant

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "timestamp": timestamp,
                "tenant": tenant,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_payload_data import NotificationPayloadData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        tenant = d.pop("tenant")

        data = NotificationPayloadData.from_dict(d.pop("data"))

        notification_payload = cls(
            id=id,
            type_=type_,
            timestamp=timestamp,
            tenant=tenant,
            data=data,
        )

        notification_payload.additional_properties = d
        return notification_payload

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
