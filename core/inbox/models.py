"""The inbox's tables: every verified Stripe event as received, the last event applied to each object, and each
tenant's reading back of its Stripe events (the backfill)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint, text
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
        # Retention's way to the oldest bodies still kept (core/retention/); pruned rows leave it.
        Index(
            "ix_webhook_events_unpruned",
            "tenant_id",
            "created_at",
            postgresql_where=text("payload_pruned_at IS NULL"),
            sqlite_where=text("payload_pruned_at IS NULL"),
        ),
        # The metrics' live edges, and the days whose events changed since they were rolled up
        # (core/analytics/rollup.py, migration 0020).
        Index("ix_webhook_events_tenant_created", "tenant_id", "created_at"),
        Index("ix_webhook_events_tenant_updated", "tenant_id", "updated_at"),
    )

    stripe_event_id: Mapped[str] = mapped_column(String(255))
    # `data.object.id`: which Stripe object the event is about (for operators and the ordering helper).
    object_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Stripe's `created` (unix seconds): the order events happened in, whatever order they arrive in.
    event_created: Mapped[int] = mapped_column(BigInteger)
    # The body exactly as Stripe signed it; empty once retention dropped it (`payload_pruned_at`).
    payload: Mapped[str] = mapped_column(Text)
    # When retention dropped the body (docs/privacy.md#retention): the row stays, the event cannot be replayed.
    payload_pruned_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
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


class BackfillState(TenantOwned):
    """One tenant's reading back of its Stripe events (`core/inbox/backfill.py`), and what warns its operator.

    The watermark is the newest `created` among the events a complete listing found stored; each run reads
    from it minus `stripe_backfill.overlap_seconds`. A run holds the row's lease (`lease_token`,
    `leased_until`) while it reads, so two workers never read one tenant at once. The ingest path keeps
    the signature columns up to date (`core/inbox/signature_watch.py`), a few writes a minute at most.
    """

    __tablename__ = "stripe_backfill_states"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_stripe_backfill_states_tenant"),)

    # Stripe's `created` (unix seconds) of the newest event a complete listing found in the inbox.
    watermark: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # When the last complete listing began: every event Stripe listed by then is in the inbox.
    listed_through: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    lease_token: Mapped[str | None] = mapped_column(String(36), default=None)
    leased_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The last run (or the one running): `ok`, `partial` (stopped at its page limit) or `failed`.
    run_trigger: Mapped[str | None] = mapped_column(String(16), default=None)
    run_started_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    run_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    run_status: Mapped[str | None] = mapped_column(String(16), default=None)
    run_pages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_seen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_stored: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_error: Mapped[str | None] = mapped_column(Text, default=None)
    # Every run's figures added up: events listed, and events the inbox lacked (stored by the backfill).
    seen_total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    stored_total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The tenant's webhook endpoint in Stripe as last read: `enabled`, `disabled`, `missing`; null: unknown.
    endpoint_id: Mapped[str | None] = mapped_column(String(255), default=None)
    endpoint_status: Mapped[str | None] = mapped_column(String(16), default=None)
    endpoint_checked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # Deliveries whose signature failed since the last one that verified (across the API processes).
    signature_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    signature_failing_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    signature_failed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    signature_passed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # Since when each warning has held; null: not warning (an episode ends when its condition clears).
    behind_warned_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    endpoint_warned_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    signature_warned_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
