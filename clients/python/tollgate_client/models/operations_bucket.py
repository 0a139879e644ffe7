from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.ratio import Ratio


T = TypeVar("T", bound="OperationsBucket")


@_attrs_define
class OperationsBucket:
    """How Stripe's events, the tenant app's notifications and checkouts went over one bucket.

    Attributes:
        start (datetime.datetime): The bucket's start (included), cut to the window.
        end (datetime.datetime): The bucket's end (excluded), cut to the window.
        events_received (int): Stripe events stored (by receipt).
        events_processed (int): Of those, processed by a handler.
        events_ignored (int): Received with no handler for their type.
        events_dead (int): Given up after every retry (dead letters).
        lag_p50_ms (int | None): Median time from receipt to processed.
        lag_p95_ms (int | None): 95th percentile of the same.
        notifications (int): Notifications created for the tenant app.
        notifications_delivered (int): Of those, delivered to the tenant app.
        notification_success (Ratio): An exact ratio of two counts, and the same in basis points (floored; null when
            nothing to divide by).
        checkouts_started (int): Subscription checkouts, package orders and PAYG purchases started.
        checkouts_completed (int): Of those, paid.
        checkout_conversion (Ratio): An exact ratio of two counts, and the same in basis points (floored; null when
            nothing to divide by).
    """

    start: datetime.datetime
    end: datetime.datetime
    events_received: int
    events_processed: int
    events_ignored: int
    events_dead: int
    lag_p50_ms: int | None
    lag_p95_ms: int | None
    notifications: int
    notifications_delivered: int
    notification_success: Ratio
    checkouts_started: int
    checkouts_completed: int
    checkout_conversion: Ratio
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        events_received = self.events_received

        events_processed = self.events_processed

        events_ignored = self.events_ignored

        events_dead = self.events_dead

        lag_p50_ms: int | None
        lag_p50_ms = self.lag_p50_ms

        lag_p95_ms: int | None
        lag_p95_ms = self.lag_p95_ms

        notifications = self.notifications

        notifications_delivered = self.notifications_delivered

        notification_success = self.notification_success.to_dict()

        checkouts_started = self.checkouts_started

        checkouts_completed = self.checkouts_completed

        checkout_conversion = self.checkout_conversion.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "events_received": events_received,
                "events_processed": events_processed,
                "events_ignored": events_ignored,
                "events_dead": events_dead,
                "lag_p50_ms": lag_p50_ms,
                "lag_p95_ms": lag_p95_ms,
                "notifications": notifications,
                "notifications_delivered": notifications_delivered,
                "notification_success": notification_success,
                "checkouts_started": checkouts_started,
                "checkouts_completed": checkouts_completed,
                "checkout_conversion": checkout_conversion,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ratio import Ratio  # noqa: PLC0415

        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        events_received = d.pop("events_received")

        events_processed = d.pop("events_processed")

        events_ignored = d.pop("events_ignored")

        events_dead = d.pop("events_dead")

        def _parse_lag_p50_ms(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        lag_p50_ms = _parse_lag_p50_ms(d.pop("lag_p50_ms"))

        def _parse_lag_p95_ms(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        lag_p95_ms = _parse_lag_p95_ms(d.pop("lag_p95_ms"))

        notifications = d.pop("notifications")

        notifications_delivered = d.pop("notifications_delivered")

        notification_success = Ratio.from_dict(d.pop("notification_success"))

        checkouts_started = d.pop("checkouts_started")

        checkouts_completed = d.pop("checkouts_completed")

        checkout_conversion = Ratio.from_dict(d.pop("checkout_conversion"))

        operations_bucket = cls(
            start=start,
            end=end,
            events_received=events_received,
            events_processed=events_processed,
            events_ignored=events_ignored,
            events_dead=events_dead,
            lag_p50_ms=lag_p50_ms,
            lag_p95_ms=lag_p95_ms,
            notifications=notifications,
            notifications_delivered=notifications_delivered,
            notification_success=notification_success,
            checkouts_started=checkouts_started,
            checkouts_completed=checkouts_completed,
            checkout_conversion=checkout_conversion,
        )

        operations_bucket.additional_properties = d
        return operations_bucket

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
