"""Wire shapes of the notifications admin API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

NotificationStatus = Literal["pending", "processing", "delivered", "failed", "dead"]


class Notification(msgspec.Struct):
    id: str
    type: str
    status: NotificationStatus
    attempts: int
    data: dict[str, Any]
    dedupe_key: str | None
    created_at: dt.datetime
    # When the next attempt is due (pending and failed notifications only).
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
