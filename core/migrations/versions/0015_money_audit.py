"""Runs and differences of the money audit against Stripe.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = (
    sa.JSON()
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
    .with_variant(sa_types.ORA_JSONB(), "oracle")
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
)


def upgrade() -> None:
    op.create_table(
        "money_audit_runs",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("since", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("until", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("repair", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("objects", JSON, nullable=False),
        sa.Column("open_differences", sa.Integer(), nullable=False),
        sa.Column("repaired_differences", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("finished_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_audit_runs")),
    )
    op.create_index("ix_money_audit_runs_tenant_created", "money_audit_runs", ["tenant_id", "created_at"])
    op.create_table(
        "money_audit_differences",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("run_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("stripe_object", sa.String(length=255), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("expected", sa.String(length=255), nullable=True),
        sa.Column("found", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("repair_note", sa.String(length=1000), nullable=True),
        sa.Column("stripe_event_id", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["money_audit_runs.id"], name=op.f("fk_money_audit_differences_run_id_money_audit_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_audit_differences")),
    )
    op.create_index("ix_money_audit_differences_run", "money_audit_differences", ["tenant_id", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_money_audit_differences_run", table_name="money_audit_differences")
    op.drop_table("money_audit_differences")
    op.drop_index("ix_money_audit_runs_tenant_created", table_name="money_audit_runs")
    op.drop_table("money_audit_runs")
