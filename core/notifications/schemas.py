"""Wire shapes of the notifications admin API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from core.fields import Examples

NotificationStatus = Literal["pending", "processing", "delivered", "failed", "dead"]


class Notification(msgspec.Struct):
    """A notice to the tenant app in the outbox: signed, posted to `notifications.url`, retried until a 2xx."""

    id: Annotated[str, msgspec.Meta(description="The notice's id, also its `webhook-id` header.")]
    type: Annotated[str, msgspec.Meta(description="The notification type (`credits.low`, `order.paid`).")]
    status: Annotated[
        NotificationStatus,
        msgspec.Meta(
            description=("`pending`, `processing`, `delivered`, `failed` (will retry) or `dead` (retries spent).")
        ),
    ]
    attempts: Annotated[int, msgspec.Meta(description="Delivery attempts so far.")]
    data: Annotated[dict[str, Any], msgspec.Meta(description="The type's own fields, as sent (docs/webhooks.md).")]
    dedupe_key: Annotated[
        str | None, msgspec.Meta(description=("What makes it sent once (a grant, an order); null: none."))
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When it was queued.")]
    next_attempt_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(description=("When the next attempt is due; null unless `pending` or `failed`.")),
    ]
    delivered_at: Annotated[
        dt.datetime | None, msgspec.Meta(description=("When the tenant app answered 2xx; null until then."))
    ]
    last_status_code: Annotated[
        int | None, msgspec.Meta(description=("The HTTP status of the last attempt; null: none answered."))
    ]
    last_error: Annotated[str | None, msgspec.Meta(description="The last attempt's error; null: none.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "2b4d6f8a-0c1e-4a5b-9d7f-1a3c5e7b9d0f",
            "type": "credits.low",
            "status": "delivered",
            "attempts": 1,
            "data": {"customer": "acme", "balance": 80, "threshold": 100},
            "dedupe_key": None,
            "created_at": "2026-03-02T18:30:00Z",
            "next_attempt_at": None,
            "delivered_at": "2026-03-02T18:30:01Z",
            "last_status_code": 200,
            "last_error": None,
        },
    )
