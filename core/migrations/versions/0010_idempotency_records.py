"""The kernel's idempotency records: the stored answer of each keyed request that moves money.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

One row per (tenant, operation, Idempotency-Key): the request's fingerprint, then its answer's
status and body, written in the transaction of the request's effect (core/idempotency).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("tenant_id", "operation", "key", name="uq_idempotency_records_key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_records")
