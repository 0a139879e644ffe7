"""The pay-as-you-go plugin: credit purchases and their PaymentIntents.

Revision ID: 0004
Revises:
Create Date: 2026-11-22 00:32:56.088213

The payg branch's first revision. Until plugins had their own branches it sat in the kernel's
linear history; its id is kept so that databases migrated then still say what they hold
(core.linear_history).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("payg",)
depends_on: str | Sequence[str] | None = "0001"  # the customers table


def upgrade() -> None:
    op.create_table(
        "payg_credit_purchases",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("credits", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price", sa.String(length=255), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("grant_id", sa.String(length=64), nullable=True),
        sa.Column("failure_code", sa.String(length=255), nullable=True),
        sa.Column("failure_message", sa.String(length=1000), nullable=True),
        sa.Column("last_event_at", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payg_credit_purchases_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payg_credit_purchases")),
        sa.UniqueConstraint("tenant_id", "customer", "idempotency_key", name="uq_payg_purchases_tenant_key"),
        sa.UniqueConstraint("tenant_id", "payment_intent_id", name="uq_payg_purchases_tenant_intent"),
    )


def downgrade() -> None:
    op.drop_table("payg_credit_purchases")
