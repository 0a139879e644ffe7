"""The notifications outbox: one row per notice to a tenant app, with its delivery state."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.retries import LeasedWork

# pending -> processing -> delivered, or -> failed (retried after backoff) -> ... -> dead.
DELIVERED: Final = "delivered"
STATUSES = ("pending", "processing", "delivered", "failed", "dead")


class Notification(LeasedWork):
    __tablename__ = "notifications"
    __table_args__ = (
        # A cause replayed (a webhook delivered twice, a task run twice) never notifies twice.
        UniqueConstraint("tenant_id", "dedupe_key", name="uq_notifications_tenant_dedupe_key"),
        Index("ix_notifications_tenant_status_due", "tenant_id", "status", "next_attempt_at"),
        # The metrics' notifications by creation (core/analytics/operations.py, migration 0020).
        Index("ix_notifications_tenant_created", "tenant_id", "created_at"),
    )

    data: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
