"""Queries on the notifications outbox, always within one tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from uuid_utils.compat import uuid7

from core.db import conflict_insert
from core.notifications.models import Notification
from core.retries import LeasedRepository


class NotificationRepository(LeasedRepository[Notification]):
    model_type = Notification

    async def insert_new(
        self, event_type: str, data: Mapping[str, Any], dedupe_key: str | None, now: dt.datetime
    ) -> uuid.UUID | None:
        """Add a pending notice; None when one with the same dedupe key exists already."""
        values = {
            "id": uuid7(),
            "tenant_id": self.tenant_id,
            "event_type": event_type,
            "data": dict(data),
            "dedupe_key": dedupe_key,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        statement = conflict_insert(Notification.__table__, tuple(values), ("tenant_id", "dedupe_key"))
        return (await self.session.execute(statement, values)).scalar_one_or_none()  # type: ignore[no-any-return]
