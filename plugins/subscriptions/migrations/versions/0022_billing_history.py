"""The subscriptions plugin: the customer's billing history, every invoice of our subscriptions and what their
payments gave back.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06 10:45:00.000000

`subscription_invoices` held paid invoices only; it now holds every invoice as its last event left it
(number, status, amounts, period, hosted page and PDF, the payment and its receipt), and
`subscription_reversals` holds their refunds and disputes. The rows already stored were paid: they keep
their amount as due and paid, and their payment and receipt come from `tollgate subscriptions reconcile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INVOICE_COLUMNS = (
    ("number", sa.String(length=64)),
    ("amount_due", sa.BigInteger()),
    ("amount_remaining", sa.BigInteger()),
    ("period_start", sa_types.DateTimeUTC(timezone=True)),
    ("period_end", sa_types.DateTimeUTC(timezone=True)),
    ("hosted_invoice_url", sa.String(length=2048)),
    ("invoice_pdf", sa.String(length=2048)),
    ("payment_intent_id", sa.String(length=255)),
    ("charge_id", sa.String(length=255)),
    ("receipt_url", sa.String(length=2048)),
)


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("subscription_invoices") as batch:
        for name, kind in INVOICE_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("invoiced_at", sa_types.DateTimeUTC(timezone=True), nullable=True))
    op.execute(
        "UPDATE subscription_invoices SET status = 'paid', amount_due = amount_paid, amount_remaining = 0,"
        " invoiced_at = paid_at"
    )
    with op.batch_alter_table("subscription_invoices") as batch:
        for name in ("amount_due", "amount_remaining", "status", "invoiced_at"):
            batch.alter_column(name, nullable=False)
        batch.alter_column("paid_at", nullable=True)
    op.create_index(
        "ix_subscription_invoices_tenant_customer",
        "subscription_invoices",
        ["tenant_id", "customer_id", "invoiced_at"],
        unique=False,
    )
    op.create_index(
        "ix_subscription_invoices_tenant_intent", "subscription_invoices", ["tenant_id", "payment_intent_id"]
    )
    op.create_table(
        "subscription_reversals",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("subscription", sa.String(length=255), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(length=255), nullable=False),
        sa.Column("charge_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("stripe_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("occurred_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("closed_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("receipt_url", sa.String(length=2048), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_subscription_reversals_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_reversals")),
        sa.UniqueConstraint("tenant_id", "stripe_id", name="uq_subscription_reversals_tenant_stripe"),
    )
    op.create_index(
        "ix_subscription_reversals_tenant_customer",
        "subscription_reversals",
        ["tenant_id", "customer_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_subscription_reversals_tenant_customer", table_name="subscription_reversals")
    op.drop_table("subscription_reversals")
    op.drop_index("ix_subscription_invoices_tenant_intent", table_name="subscription_invoices")
    op.drop_index("ix_subscription_invoices_tenant_customer", table_name="subscription_invoices")
    op.execute("DELETE FROM subscription_invoices WHERE paid_at IS NULL")
    with op.batch_alter_table("subscription_invoices") as batch:
        batch.alter_column("paid_at", nullable=False)
        for name in ("status", "invoiced_at", *(name for name, _ in INVOICE_COLUMNS)):
            batch.drop_column(name)
