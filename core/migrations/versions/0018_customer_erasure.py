"""Customer erasure: each erasure's digests and answer, and each tenant's digest key.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = (
    sa.JSON()
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
    .with_variant(sa_types.ORA_JSONB(), "oracle")
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
)


def _row_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "customer_erasures",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_row_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_digest", sa.String(length=64), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=True),
        sa.Column("stripe_digest", sa.String(length=64), nullable=True),
        sa.Column("pseudonym", sa.String(length=255), nullable=False),
        sa.Column("stripe_deleted", sa.Boolean(), nullable=False),
        sa.Column("erased_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("result", JSON, nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["customer_row_id"], ["customers.id"], name=op.f("fk_customer_erasures_customer_row_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_erasures")),
    )
    op.create_index("ix_customer_erasures_customer", "customer_erasures", ["tenant_id", "customer_digest"])
    op.create_index("ix_customer_erasures_stripe", "customer_erasures", ["tenant_id", "stripe_digest"])
    op.create_table(
        "privacy_salts",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        *_row_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_salts")),
        sa.UniqueConstraint("tenant_id", name="uq_privacy_salts_tenant"),
    )


def downgrade() -> None:
    op.drop_table("privacy_salts")
    op.drop_index("ix_customer_erasures_stripe", table_name="customer_erasures")
    op.drop_index("ix_customer_erasures_customer", table_name="customer_erasures")
    op.drop_table("customer_erasures")
