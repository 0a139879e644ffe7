"""The example plugin's table: referral codes (written by `tollgate db revision example --autogenerate`).

Revision ID: example_0001
Revises:
Create Date: 2026-12-01 23:36:12.056058
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "example_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("example",)
depends_on: str | Sequence[str] | None = "0009"


def upgrade() -> None:
    op.create_table(
        "example_referrals",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("referred_by", sa.String(length=255), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_referrals")),
        sa.UniqueConstraint("tenant_id", "code", name="uq_example_referrals_tenant_code"),
    )


def downgrade() -> None:
    op.drop_table("example_referrals")
