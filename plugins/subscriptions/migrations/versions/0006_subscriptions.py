"""The subscriptions plugin: subscriptions as last read from Stripe, the checkouts started, the allowances granted.

Revision ID: 0006
Revises:
Create Date: 2026-11-22 00:45:40.804743

The subscriptions branch's first revision. Until plugins had their own branches it sat in the kernel's
linear history; its id is kept so that databases migrated then still say what they hold
(core.linear_history).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("subscriptions",)
depends_on: str | Sequence[str] | None = "0001"  # the customers table


def upgrade() -> None:
    op.create_table(
        "subscription_allowances",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("subscription", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=255), nullable=False),
        sa.Column("period_start", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("period_end", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("grant_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_allowances")),
        sa.UniqueConstraint("tenant_id", "source", "source_ref", name="uq_subscription_allowances_tenant_source"),
    )
    op.create_index(
        "ix_subscription_allowances_customer_period",
        "subscription_allowances",
        ["tenant_id", "customer", "kind", "period_start"],
        unique=False,
    )
    op.create_table(
        "subscription_checkouts",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("price_id", sa.String(length=255), nullable=False),
        sa.Column("promotion_code", sa.String(length=255), nullable=True),
        sa.Column("trial_days", sa.Integer(), nullable=False),
        sa.Column("stripe_session_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("completed_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscription_checkouts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_checkouts")),
        sa.UniqueConstraint("tenant_id", "stripe_session_id", name="uq_subscription_checkouts_tenant_session"),
    )
    op.create_index(
        "ix_subscription_checkouts_tenant_customer_created",
        "subscription_checkouts",
        ["tenant_id", "customer", "created_at"],
        unique=False,
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=False),
        sa.Column("item_id", sa.String(length=255), nullable=False),
        sa.Column("price_id", sa.String(length=255), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("period_credits", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("current_period_start", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("current_period_end", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("trial_end", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("ended_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("past_due_since", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("paid_period_start", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("paid_period_end", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("next_allowance_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("unlimited_until", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_subscriptions_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("tenant_id", "stripe_subscription_id", name="uq_subscriptions_tenant_stripe"),
    )
    op.create_index("ix_subscriptions_tenant_customer", "subscriptions", ["tenant_id", "customer"], unique=False)
    op.create_index(
        "ix_subscriptions_tenant_next_allowance", "subscriptions", ["tenant_id", "next_allowance_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_subscriptions_tenant_next_allowance", table_name="subscriptions")
    op.drop_index("ix_subscriptions_tenant_customer", table_name="subscriptions")
    op.drop_table("subscriptions")
    op.drop_index("ix_subscription_checkouts_tenant_customer_created", table_name="subscription_checkouts")
    op.drop_table("subscription_checkouts")
    op.drop_index("ix_subscription_allowances_customer_period", table_name="subscription_allowances")
    op.drop_table("subscription_allowances")
