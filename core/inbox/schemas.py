"""Wire shapes of the inbox: the answer to Stripe, and the admin API's events."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

WebhookEventStatus = Literal["pending", "processing", "processed", "ignored", "failed", "dead"]


class Receipt(msgspec.Struct):
    """What Stripe gets back: stored (or already stored), not yet processed."""

    received: bool
    duplicate: bool
    id: str | None = None
    status: WebhookEventStatus | None = None


class WebhookEvent(msgspec.Struct):
    id: str
    stripe_event_id: str
    type: str
    status: WebhookEventStatus
    attempts: int
    object_id: str | None
    # Stripe's `created` for the event, and when Tollgate received it.
    event_created: dt.datetime
    received_at: dt.datetime
    # When the next attempt is due (pending and failed events only).
    next_attempt_at: dt.datetime | None
    processed_at: dt.datetime | None
    handlers: list[str]
    last_error: str | None


class WebhookEventDetail(WebhookEvent):
    """One event with the payload Stripe signed."""

    payload: dict[str, Any] = {}


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
