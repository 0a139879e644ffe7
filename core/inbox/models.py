"""The inbox's tables: every verified Stripe event as received, and the last event applied to each object."""

from __future__ import annotations

import datetime as dt
from typing import Final

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned
from core.retries import LeasedWork

# pending -> processing -> processed | ignored, or -> failed (retried after backoff) -> ... -> dead.
PROCESSED: Final = "processed"
IGNORED: Final = "ignored"
DELIVERY: Final = "delivery"
BACKFILL: Final = "backfill"
STATUSES = ("pending", "processing", "processed", "ignored", "failed", "dead")


class WebhookEvent(LeasedWork):
    """One Stripe event for one tenant, stored before it is acknowledged; unique per (tenant, event id)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_event_id", name="uq_webhook_events_tenant_event"),
        Index("ix_webhook_events_tenant_status_due", "tenant_id", "status", "next_attempt_at"),
    )

    stripe_event_id: Mapped[str] = mapped_column(String(255))
    # `data.object.id`: which Stripe object the event is about (for operators and the ordering helper).
    object_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Stripe's `created` (unix seconds): the order events happened in, whatever order they arrive in.
    event_created: Mapped[int] = mapped_column(BigInteger)
    # The body exactly as Stripe signed it.
    payload: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The plugins whose handlers applied the event.
    handlers: Mapped[list[str]] = mapped_column(JsonB, default=list)
    # How it came: `delivery` (Stripe posted it) or `backfill` (read from Stripe's events API because
    # its delivery never arrived: each one is a failed delivery).
    source: Mapped[str] = mapped_column(String(16), default=DELIVERY, server_default=DELIVERY)


class ObjectVersion(TenantOwned):
    """The newest event applied to one Stripe object, so a handler can refuse an older one arriving late."""

    __tablename__ = "stripe_object_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "object_id", name="uq_stripe_object_versions_tenant_object"),)

    object_id: Mapped[str] = mapped_column(String(255))
    event_created: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str] = mapped_column(String(255))
