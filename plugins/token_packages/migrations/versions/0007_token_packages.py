"""The token_packages plugin: payment orders, the payments that granted their credits, and refunds.

Revision ID: 0007
Revises:
Create Date: 2026-11-22 00:44:00.570233

The token_packages branch's first revision. Until plugins had their own branches it sat in the kernel's
linear history; its id is kept so that databases migrated then still say what they hold
(core.linear_history).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("token_packages",)
depends_on: str | Sequence[str] | None = "0001"  # the customers table


def upgrade() -> None:
    op.create_table(
        "token_package_orders",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("package", sa.String(length=64), nullable=False),
        sa.Column("package_name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_discount", sa.BigInteger(), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("bonus_credits", sa.BigInteger(), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=True),
        sa.Column("expiry_months", sa.Integer(), nullable=False),
        sa.Column("expiry_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("promotion_code", sa.String(length=255), nullable=True),
        sa.Column("checkout_session_id", sa.String(length=255), nullable=True),
        sa.Column("payment_url", sa.String(length=2048), nullable=True),
        sa.Column("checkout_expires_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("subscription_id", sa.String(length=255), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("failure_code", sa.String(length=255), nullable=True),
        sa.Column("failure_message", sa.String(length=1000), nullable=True),
        sa.Column("paid_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_token_package_orders_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_package_orders")),
        sa.UniqueConstraint("tenant_id", "checkout_session_id", name="uq_token_package_orders_session"),
        sa.UniqueConstraint("tenant_id", "customer", "idempotency_key", name="uq_token_package_orders_key"),
    )
    op.create_index(
        "ix_token_package_orders_customer", "token_package_orders", ["tenant_id", "customer", "id"], unique=False
    )
    op.create_index(
        "ix_token_package_orders_subscription", "token_package_orders", ["tenant_id", "subscription_id"], unique=False
    )
    op.create_table(
        "token_package_payments",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("order_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("grant_ref", sa.String(length=255), nullable=False),
        sa.Column("invoice_id", sa.String(length=255), nullable=True),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("credits_expire_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("paid_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("period_start", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("period_end", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("dispute_id", sa.String(length=255), nullable=True),
        sa.Column("dispute_status", sa.String(length=32), nullable=True),
        sa.Column("dispute_amount", sa.BigInteger(), nullable=False),
        sa.Column("dispute_credits", sa.BigInteger(), nullable=False),
        sa.Column("dispute_credits_held", sa.BigInteger(), nullable=False),
        sa.Column("dispute_credits_restored", sa.BigInteger(), nullable=False),
        sa.Column("dispute_credits_clawed_back", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["token_package_orders.id"],
            name=op.f("fk_token_package_payments_order_id_token_package_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_package_payments")),
        sa.UniqueConstraint("tenant_id", "grant_ref", name="uq_token_package_payments_grant"),
        sa.UniqueConstraint("tenant_id", "payment_intent_id", name="uq_token_package_payments_intent"),
    )
    op.create_index(
        "ix_token_package_payments_order", "token_package_payments", ["tenant_id", "order_id"], unique=False
    )
    op.create_table(
        "token_package_refunds",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("order_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("payment_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("requested_amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("credits_clawed_back", sa.BigInteger(), nullable=False),
        sa.Column("credits_from_grant", sa.BigInteger(), nullable=False),
        sa.Column("credits_from_balance", sa.BigInteger(), nullable=False),
        sa.Column("credits_as_debt", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("stripe_refund_id", sa.String(length=255), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("failure_code", sa.String(length=255), nullable=True),
        sa.Column("failure_message", sa.String(length=1000), nullable=True),
        sa.Column("succeeded_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["token_package_orders.id"],
            name=op.f("fk_token_package_refunds_order_id_token_package_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["token_package_payments.id"],
            name=op.f("fk_token_package_refunds_payment_id_token_package_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_package_refunds")),
        sa.UniqueConstraint("tenant_id", "order_id", "idempotency_key", name="uq_token_package_refunds_key"),
        sa.UniqueConstraint("tenant_id", "stripe_refund_id", name="uq_token_package_refunds_stripe"),
    )
    op.create_index(
        "ix_token_package_refunds_payment", "token_package_refunds", ["tenant_id", "payment_id"], unique=False
    )
    op.create_index(
        "ix_token_package_refunds_status", "token_package_refunds", ["tenant_id", "status", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_token_package_refunds_status", table_name="token_package_refunds")
    op.drop_index("ix_token_package_refunds_payment", table_name="token_package_refunds")
    op.drop_table("token_package_refunds")
    op.drop_index("ix_token_package_payments_order", table_name="token_package_payments")
    op.drop_table("token_package_payments")
    op.drop_index("ix_token_package_orders_subscription", table_name="token_package_orders")
    op.drop_index("ix_token_package_orders_customer", table_name="token_package_orders")
    op.drop_table("token_package_orders")
