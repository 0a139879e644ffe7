"""The subscriptions plugin: the history of what each subscription was worth, and the invoices it paid.

Revision ID: 0019
Revises: 0006
Create Date: 2026-12-06 07:40:00.000000

`subscription_changes` is written as events are applied from now on. A subscription stored before it
gets its first rows from `tollgate subscriptions backfill-history` (or when it is next applied): it
started at its row's creation, priced at what Stripe holds for it then (docs/metrics.md, "Backfill").
The migration cannot write them: prices live in Stripe, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "subscription_changes",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("subscription", sa.String(length=255), nullable=False),
        sa.Column("occurred_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("previous_tier", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("previous_status", sa.String(length=32), nullable=True),
        sa.Column("arr_before", sa.BigInteger(), nullable=False),
        sa.Column("arr_after", sa.BigInteger(), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=True),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscription_changes_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_changes")),
        sa.UniqueConstraint(
            "tenant_id", "subscription", "occurred_at", "kind", name="uq_subscription_changes_tenant_sub_time_kind"
        ),
    )
    op.create_index(
        "ix_subscription_changes_tenant_subscription",
        "subscription_changes",
        ["tenant_id", "subscription", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_subscription_changes_tenant_occurred", "subscription_changes", ["tenant_id", "occurred_at"], unique=False
    )
    op.create_table(
        "subscription_invoices",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("subscription", sa.String(length=255), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("amount_paid", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscription_invoices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_invoices")),
        sa.UniqueConstraint("tenant_id", "stripe_invoice_id", name="uq_subscription_invoices_tenant_invoice"),
    )
    op.create_index(
        "ix_subscription_invoices_tenant_paid", "subscription_invoices", ["tenant_id", "paid_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_subscription_invoices_tenant_paid", table_name="subscription_invoices")
    op.drop_table("subscription_invoices")
    op.drop_index("ix_subscription_changes_tenant_occurred", table_name="subscription_changes")
    op.drop_index("ix_subscription_changes_tenant_subscription", table_name="subscription_changes")
    op.drop_table("subscription_changes")
