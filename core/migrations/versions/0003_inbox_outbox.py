"""The Stripe webhook inbox, the per-object ordering watermarks, and the notifications outbox (kernel).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:24:14.945258
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column(
            "data",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(sa_types.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=255), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("event_type", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("locked_until", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name="uq_notifications_tenant_dedupe_key"),
    )
    op.create_index(
        "ix_notifications_tenant_status_due", "notifications", ["tenant_id", "status", "next_attempt_at"], unique=False
    )
    op.create_table(
        "stripe_object_versions",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=False),
        sa.Column("event_created", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_object_versions")),
        sa.UniqueConstraint("tenant_id", "object_id", name="uq_stripe_object_versions_tenant_object"),
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("stripe_event_id", sa.String(length=255), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=True),
        sa.Column("event_created", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("processed_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column(
            "handlers",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(sa_types.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("event_type", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("locked_until", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("tenant_id", "stripe_event_id", name="uq_webhook_events_tenant_event"),
    )
    op.create_index(
        "ix_webhook_events_tenant_status_due",
        "webhook_events",
        ["tenant_id", "status", "next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_events_tenant_status_due", table_name="webhook_events")
    op.drop_table("webhook_events")
    op.drop_table("stripe_object_versions")
    op.drop_index("ix_notifications_tenant_status_due", table_name="notifications")
    op.drop_table("notifications")
