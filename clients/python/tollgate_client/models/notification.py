from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.notification_status import NotificationStatus

if TYPE_CHECKING:
    from ..models.notification_data import NotificationData


T = TypeVar("T", bound="Notification")


@_attrs_define
class Notification:
    """A notice to the tenant app in the outbox: signed, posted to `notifications.url`, retried until a 2xx.

    Attributes:
        id (str): The notice's id, also its `webhook-id` header.
        type_ (str): The notification type (`credits.low`, `order.paid`).
        status (NotificationStatus): `pending`, `processing`, `delivered`, `failed` (will retry) or `dead` (retries
            spent).
        attempts (int): Delivery attempts so far.
        data (NotificationData): The type's own fields, as sent (docs/webhooks.md).
        dedupe_key (None | str): What makes it sent once (a grant, an order); null: none.
        created_at (datetime.datetime): When it was queued.
        next_attempt_at (datetime.datetime | None): When the next attempt is due; null unless `pending` or `failed`.
        delivered_at (datetime.datetime | None): When the tenant app answered 2xx; null until then.
        last_status_code (int | None): The HTTP status of the last attempt; null: none answered.
        last_error (None | str): The last attempt's error; null: none.
    """

    id: str
    type_: str
    status: NotificationStatus
    attempts: int
    data: NotificationData
    dedupe_key: None | str
    created_at: datetime.datetime
    next_attempt_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    last_status_code: int | None
    last_error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        status = self.status.value

        attempts = self.attempts

        data = self.data.to_dict()

        dedupe_key: None | str
        dedupe_key = self.dedupe_key

        created_at = self.created_at.isoformat()

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        last_status_code: int | None
        last_status_code = self.last_status_code

        last_error: None | str
        last_error = self.last_error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "status": status,
                "attempts": attempts,
                "data": data,
                "dedupe_key": dedupe_key,
                "created_at": created_at,
                "next_attempt_at": next_attempt_at,
                "delivered_at": delivered_at,
                "last_status_code": last_status_code,
                "last_error": last_error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.notification_data import NotificationData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        status = NotificationStatus(d.pop("status"))

        attempts = d.pop("attempts")

        data = NotificationData.from_dict(d.pop("data"))

        def _parse_dedupe_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        dedupe_key = _parse_dedupe_key(d.pop("dedupe_key"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        notification = cls(
            id=id,
            type_=type_,
            status=status,
            attempts=attempts,
            data=data,
            dedupe_key=dedupe_key,
            created_at=created_at,
            next_attempt_at=next_attempt_at,
            delivered_at=delivered_at,
            last_status_code=last_status_code,
            last_error=last_error,
        )

        notification.additional_properties = d
        return notification

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
