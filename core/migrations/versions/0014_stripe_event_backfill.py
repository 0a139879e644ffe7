"""Per-tenant state of the Stripe event backfill: its watermark and lease, the last run, the tenant's webhook
endpoint and signature failures as last seen, and the warnings in force.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:30:00

One row per tenant (core/inbox/models.py `BackfillState`), made by the first run or the first signature
check that needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa_types.DateTimeUTC(timezone=True), nullable=True)


def _count(name: str, kind: type[sa.types.TypeEngine[int]] = sa.Integer) -> sa.Column[int]:
    return sa.Column(name, kind(), nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "stripe_backfill_states",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=True),
        _when("listed_through"),
        sa.Column("lease_token", sa.String(length=36), nullable=True),
        _when("leased_until"),
        sa.Column("run_trigger", sa.String(length=16), nullable=True),
        _when("run_started_at"),
        _when("run_finished_at"),
        sa.Column("run_status", sa.String(length=16), nullable=True),
        _count("run_pages"),
        _count("run_seen"),
        _count("run_stored"),
        sa.Column("run_error", sa.Text(), nullable=True),
        _count("seen_total", sa.BigInteger),
        _count("stored_total", sa.BigInteger),
        sa.Column("endpoint_id", sa.String(length=255), nullable=True),
        sa.Column("endpoint_status", sa.String(length=16), nullable=True),
        _when("endpoint_checked_at"),
        _count("signature_failures"),
        _when("signature_failing_since"),
        _when("signature_failed_at"),
        _when("signature_passed_at"),
        _when("behind_warned_since"),
        _when("endpoint_warned_since"),
        _when("signature_warned_since"),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_backfill_states")),
        sa.UniqueConstraint("tenant_id", name="uq_stripe_backfill_states_tenant"),
    )


def downgrade() -> None:
    op.drop_table("stripe_backfill_states")
