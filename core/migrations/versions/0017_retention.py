"""Retention: a Stripe event's body can be dropped, and the pruning finds its oldest rows by index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 07:30:00

`webhook_events.payload_pruned_at` says when retention dropped the body (the column `payload` then holds
an empty string, so it stays NOT NULL and SQLite need not copy the table). Two partial indexes lead the
daily pruning (core/retention/) to the oldest rows it may touch, without reading the ones it already
pruned or may never touch: unpruned events by age, closed holds by closing time.

A downgrade gives a pruned event the body `{}` (an event with nothing in it): the column then cannot say
it was pruned, and a replay of it applies nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPRUNED = sa.text("payload_pruned_at IS NULL")
CLOSED = sa.text("status <> 'active'")


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(sa.Column("payload_pruned_at", sa_types.DateTimeUTC(timezone=True), nullable=True))
    op.create_index(
        "ix_webhook_events_unpruned",
        "webhook_events",
        ["tenant_id", "created_at"],
        unique=False,
        postgresql_where=UNPRUNED,
        sqlite_where=UNPRUNED,
    )
    op.create_index(
        "ix_credit_holds_closed",
        "credit_holds",
        ["tenant_id", "closed_at"],
        unique=False,
        postgresql_where=CLOSED,
        sqlite_where=CLOSED,
    )


def downgrade() -> None:
    op.drop_index("ix_credit_holds_closed", table_name="credit_holds", postgresql_where=CLOSED, sqlite_where=CLOSED)
    op.drop_index(
        "ix_webhook_events_unpruned", table_name="webhook_events", postgresql_where=UNPRUNED, sqlite_where=UNPRUNED
    )
    op.execute("UPDATE webhook_events SET payload = '{}' WHERE payload_pruned_at IS NOT NULL")
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("payload_pruned_at")
