"""The product_sync plugin: each tenant's mirrored Stripe products and prices, and the full sync runs.

Revision ID: 0005
Revises:
Create Date: 2026-11-22 00:28:24.748546

The product_sync branch's first revision. Until plugins had their own branches it sat in the kernel's
linear history; its id is kept so that databases migrated then still say what they hold
(core.linear_history).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("product_sync",)
depends_on: str | Sequence[str] | None = "0001"  # no kernel table referenced: after the kernel's base


def _json() -> sa.types.TypeEngine[object]:
    return (
        sa.JSON()
        .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
        .with_variant(sa_types.ORA_JSONB(), "oracle")
        .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    )


def _audit_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "product_sync_products",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("stripe_product_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("default_price_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_created", sa.BigInteger(), nullable=False),
        sa.Column("stripe_updated", sa.BigInteger(), nullable=False),
        sa.Column("observed_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_sync_products")),
        sa.UniqueConstraint("tenant_id", "stripe_product_id", name="uq_product_sync_products_tenant_stripe"),
    )
    op.create_table(
        "product_sync_prices",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_product_id", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("recurring_interval", sa.String(length=8), nullable=True),
        sa.Column("recurring_interval_count", sa.Integer(), nullable=True),
        sa.Column("lookup_key", sa.String(length=255), nullable=True),
        sa.Column("nickname", sa.Text(), nullable=True),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("stripe_created", sa.BigInteger(), nullable=False),
        sa.Column("observed_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_sync_prices")),
        sa.UniqueConstraint("tenant_id", "stripe_price_id", name="uq_product_sync_prices_tenant_stripe"),
    )
    op.create_index(
        "ix_product_sync_prices_tenant_product", "product_sync_prices", ["tenant_id", "stripe_product_id"], unique=False
    )
    op.create_table(
        "product_sync_runs",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("finished_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("prices", sa.Integer(), nullable=False),
        sa.Column("stale_skipped", sa.Integer(), nullable=False),
        sa.Column("deactivated_products", sa.Integer(), nullable=False),
        sa.Column("deactivated_prices", sa.Integer(), nullable=False),
        sa.Column("problems", _json(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_sync_runs")),
    )
    op.create_index(
        "ix_product_sync_runs_tenant_created", "product_sync_runs", ["tenant_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_product_sync_runs_tenant_created", table_name="product_sync_runs")
    op.drop_table("product_sync_runs")
    op.drop_index("ix_product_sync_prices_tenant_product", table_name="product_sync_prices")
    op.drop_table("product_sync_prices")
    op.drop_table("product_sync_products")
