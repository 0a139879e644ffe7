"""Metrics rollup: each family's sums per tenant and closed UTC day, and the indexes the live edges read by.

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-06 10:40:00

`metrics_rollup` holds, per tenant, family and closed UTC day, up to five sums by up to two keys;
`metrics_rollup_state` how far each family is built and since when its rows may have changed;
`metrics_rollup_changes` the days a writer changed after they may have been rolled up
(docs/metrics.md, "Speed"). The tables start empty: the daily job, or the first metrics request,
builds them from the rows already stored. The indexes by (tenant, time) let the request read the
days the rollup does not hold (today, the window's cut edges, days changed since) without a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns)
INDEXES = (
    ("ix_ledger_entries_tenant_created", "ledger_entries", ["tenant_id", "created_at"]),
    ("ix_credit_grants_tenant_created", "credit_grants", ["tenant_id", "created_at"]),
    ("ix_webhook_events_tenant_created", "webhook_events", ["tenant_id", "created_at"]),
    ("ix_webhook_events_tenant_updated", "webhook_events", ["tenant_id", "updated_at"]),
    ("ix_notifications_tenant_created", "notifications", ["tenant_id", "created_at"]),
)


def _row_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "metrics_rollup",
        *_row_columns(),
        sa.Column("day", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("key_1", sa.String(length=255), nullable=True),
        sa.Column("key_2", sa.String(length=255), nullable=True),
        *(sa.Column(f"sum_{i}", sa.BigInteger(), nullable=False) for i in range(1, 6)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_rollup")),
    )
    op.create_index("ix_metrics_rollup_family_day", "metrics_rollup", ["tenant_id", "family", "day"])
    op.create_table(
        "metrics_rollup_changes",
        *_row_columns(),
        sa.Column("day", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_rollup_changes")),
    )
    op.create_index("ix_metrics_rollup_changes_family_day", "metrics_rollup_changes", ["tenant_id", "family", "day"])
    op.create_table(
        "metrics_rollup_state",
        *_row_columns(),
        sa.Column("built_until", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("watermark", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_rollup_state")),
        sa.UniqueConstraint("tenant_id", "family", name="uq_metrics_rollup_state_family"),
    )
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_table("metrics_rollup_state")
    op.drop_index("ix_metrics_rollup_changes_family_day", table_name="metrics_rollup_changes")
    op.drop_table("metrics_rollup_changes")
    op.drop_index("ix_metrics_rollup_family_day", table_name="metrics_rollup")
    op.drop_table("metrics_rollup")
