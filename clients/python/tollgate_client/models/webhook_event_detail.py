from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_event_detail_source import WebhookEventDetailSource
from ..models.webhook_event_detail_status import WebhookEventDetailStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_event_detail_payload_type_0 import WebhookEventDetailPayloadType0


T = TypeVar("T", bound="WebhookEventDetail")


@_attrs_define
class WebhookEventDetail:
    """One event with the payload Stripe signed (null once the retention policy dropped it).

    Attributes:
        id (str): The stored event's id.
        stripe_event_id (str): Stripe's event id (`evt_...`).
        type_ (str): Stripe's event type (`invoice.paid`).
        status (WebhookEventDetailStatus): `pending`, `processing`, `processed`, `ignored` (no handler), `failed` (will
            retry) or `dead` (retries spent).
        attempts (int): Processing attempts so far.
        object_id (None | str): The id of the Stripe object the event is about; null: none.
        event_created (datetime.datetime): Stripe's `created` for the event.
        received_at (datetime.datetime): When Tollgate received it.
        next_attempt_at (datetime.datetime | None): When the next attempt is due; null unless `pending` or `failed`.
        processed_at (datetime.datetime | None): When it was processed; null until then.
        handlers (list[str]): The plugins that handle its type.
        last_error (None | str): The last attempt's error; null: none.
        source (WebhookEventDetailSource | Unset): How it came: `delivery` (Stripe posted it) or `backfill` (read back
            from Stripe's events API because its delivery never came). Default: WebhookEventDetailSource.DELIVERY.
        payload_pruned_at (datetime.datetime | None | Unset): When the retention policy dropped the event's body
            (docs/privacy.md#retention): the event is kept without it and cannot be replayed; null: the body is kept.
        payload (None | Unset | WebhookEventDetailPayloadType0): The event as Stripe sent it; null once dropped
            (`payload_pruned_at`).
    """

    id: str
    stripe_event_id: str
    type_: str
    status: WebhookEventDetailStatus
    attempts: int
    object_id: None | str
    event_created: datetime.datetime
    received_at: datetime.datetime
    next_attempt_at: datetime.datetime | None
    processed_at: datetime.datetime | None
    handlers: list[str]
    last_error: None | str
    source: WebhookEventDetailSource | Unset = WebhookEventDetailSource.DELIVERY
    payload_pruned_at: datetime.datetime | None | Unset = UNSET
    payload: None | Unset | WebhookEventDetailPayloadType0 = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_event_detail_payload_type_0 import WebhookEventDetailPayloadType0  # noqa: PLC0415

        id = self.id

        stripe_event_id = self.stripe_event_id

        type_ = self.type_

        status = self.status.value

        attempts = self.attempts

        object_id: None | str
        object_id = self.object_id

        event_created = self.event_created.isoformat()

        received_at = self.received_at.isoformat()

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        processed_at: None | str
        if isinstance(self.processed_at, datetime.datetime):
            processed_at = self.processed_at.isoformat()
        else:
            processed_at = self.processed_at

        handlers = self.handlers

        last_error: None | str
        last_error = self.last_error

        source: str | Unset = UNSET
        if not isinstance(self.source, Unset):
            source = self.source.value

        payload_pruned_at: None | str | Unset
        if isinstance(self.payload_pruned_at, Unset):
            payload_pruned_at = UNSET
        elif isinstance(self.payload_pruned_at, datetime.datetime):
            payload_pruned_at = self.payload_pruned_at.isoformat()
        else:
            payload_pruned_at = self.payload_pruned_at

        payload: dict[str, Any] | None | Unset
        if isinstance(self.payload, Unset):
            payload = UNSET
        elif isinstance(self.payload, WebhookEventDetailPayloadType0):
            payload = self.payload.to_dict()
        else:
            payload = self.payload

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "stripe_event_id": stripe_event_id,
                "type": type_,
                "status": status,
                "attempts": attempts,
                "object_id": object_id,
                "event_created": event_created,
                "received_at": received_at,
                "next_attempt_at": next_attempt_at,
                "processed_at": processed_at,
                "handlers": handlers,
                "last_error": last_error,
            }
        )
        if source is not UNSET:
            field_dict["source"] = source
        if payload_pruned_at is not UNSET:
            field_dict["payload_pruned_at"] = payload_pruned_at
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_event_detail_payload_type_0 import WebhookEventDetailPayloadType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        stripe_event_id = d.pop("stripe_event_id")

        type_ = d.pop("type")

        status = WebhookEventDetailStatus(d.pop("status"))

        attempts = d.pop("attempts")

        def _parse_object_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        object_id = _parse_object_id(d.pop("object_id"))

        event_created = datetime.datetime.fromisoformat(d.pop("event_created"))

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

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

        def _parse_processed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                processed_at_type_0 = datetime.datetime.fromisoformat(data)

                return processed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        processed_at = _parse_processed_at(d.pop("processed_at"))

        handlers = cast(list[str], d.pop("handlers"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        _source = d.pop("source", UNSET)
        source: WebhookEventDetailSource | Unset
        if isinstance(_source, Unset):
            source = UNSET
        else:
            source = WebhookEventDetailSource(_source)

        def _parse_payload_pruned_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                payload_pruned_at_type_0 = datetime.datetime.fromisoformat(data)

                return payload_pruned_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        payload_pruned_at = _parse_payload_pruned_at(d.pop("payload_pruned_at", UNSET))

        def _parse_payload(data: object) -> None | Unset | WebhookEventDetailPayloadType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_type_0 = WebhookEventDetailPayloadType0.from_dict(data)

                return payload_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookEventDetailPayloadType0, data)

        payload = _parse_payload(d.pop("payload", UNSET))

        webhook_event_detail = cls(
            id=id,
            stripe_event_id=stripe_event_id,
            type_=type_,
            status=status,
            attempts=attempts,
            object_id=object_id,
            event_created=event_created,
            received_at=received_at,
            next_attempt_at=next_attempt_at,
            processed_at=processed_at,
            handlers=handlers,
            last_error=last_error,
            source=source,
            payload_pruned_at=payload_pruned_at,
            payload=payload,
        )

        webhook_event_detail.additional_properties = d
        return webhook_event_detail

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
