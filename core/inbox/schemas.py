"""Wire shapes of the inbox: the answer to Stripe, and the admin API's events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from core.fields import Examples

WebhookEventStatus = Literal["pending", "processing", "processed", "ignored", "failed", "dead"]


class Receipt(msgspec.Struct):
    """What Stripe gets back: stored (or already stored), not yet processed."""

    received: Annotated[bool, msgspec.Meta(description="The event is stored.")]
    duplicate: Annotated[bool, msgspec.Meta(description="It had been stored before (Stripe sent it again).")]
    id: Annotated[str | None, msgspec.Meta(description="The stored event's id; null when not stored.")] = None
    status: Annotated[
        WebhookEventStatus | None, msgspec.Meta(description=("Its status now; null when not stored."))
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"received": True, "duplicate": False, "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e", "status": "pending"},
    )


class WebhookEvent(msgspec.Struct):
    """A Stripe event in the inbox: stored once, processed by a worker with retries, dead after the last."""

    id: Annotated[str, msgspec.Meta(description="The stored event's id.")]
    stripe_event_id: Annotated[str, msgspec.Meta(description="Stripe's event id (`evt_...`).")]
    type: Annotated[str, msgspec.Meta(description="Stripe's event type (`invoice.paid`).")]
    status: Annotated[
        WebhookEventStatus,
        msgspec.Meta(
            description=(
                "`pending`, `processing`, `processed`, `ignored` (no handler), `failed` (will retry) or `dead` "
                "(retries spent)."
            )
        ),
    ]
    attempts: Annotated[int, msgspec.Meta(description="Processing attempts so far.")]
    object_id: Annotated[
        str | None, msgspec.Meta(description=("The id of the Stripe object the event is about; null: none."))
    ]
    event_created: Annotated[dt.datetime, msgspec.Meta(description="Stripe's `created` for the event.")]
    received_at: Annotated[dt.datetime, msgspec.Meta(description="When Tollgate received it.")]
    next_attempt_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(description=("When the next attempt is due; null unless `pending` or `failed`.")),
    ]
    processed_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it was processed; null until then.")]
    handlers: Annotated[list[str], msgspec.Meta(description="The plugins that handle its type.")]
    last_error: Annotated[str | None, msgspec.Meta(description="The last attempt's error; null: none.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e",
            "stripe_event_id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
            "type": "invoice.paid",
            "status": "processed",
            "attempts": 1,
            "object_id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3",
            "event_created": "2026-03-01T12:00:05Z",
            "received_at": "2026-03-01T12:00:06Z",
            "next_attempt_at": None,
            "processed_at": "2026-03-01T12:00:07Z",
            "handlers": ["subscriptions"],
            "last_error": None,
        },
    )


class WebhookEventDetail(WebhookEvent):
    """One event with the payload Stripe signed."""

    payload: Annotated[dict[str, Any], msgspec.Meta(description="The event as Stripe sent it.")] = {}

    schema_examples: ClassVar[Examples] = (
        {
            **{
                "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e",
                "stripe_event_id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
                "type": "invoice.paid",
                "status": "processed",
                "attempts": 1,
                "object_id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3",
                "event_created": "2026-03-01T12:00:05Z",
                "received_at": "2026-03-01T12:00:06Z",
                "next_attempt_at": None,
                "processed_at": "2026-03-01T12:00:07Z",
                "handlers": ["subscriptions"],
                "last_error": None,
            },
            "payload": {
                "id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
                "type": "invoice.paid",
                "data": {"object": {"id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3"}},
            },
        },
    )


class StripeObjectRef(msgspec.Struct):
    id: str | None = None


class StripeEventData(msgspec.Struct):
    object: StripeObjectRef


class StripeEventEnvelope(msgspec.Struct):
    """The parts of a Stripe event the inbox reads before storing it whole."""

    id: str
    type: str
    created: int
    data: StripeEventData
    object: Literal["event"] = "event"
    livemode: bool | None = None
