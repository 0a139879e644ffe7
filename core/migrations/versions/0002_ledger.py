"""The credit ledger: accounts, grants, entries, allocations and holds (kernel).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:25:10.911155
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_accounts",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("debt", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("unlimited", sa.Boolean(), nullable=False),
        sa.Column("unlimited_until", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("due_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_credit_accounts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_accounts")),
        sa.UniqueConstraint("tenant_id", "customer", name="uq_credit_accounts_tenant_customer"),
    )
    op.create_index("ix_credit_accounts_due_at", "credit_accounts", ["tenant_id", "due_at"], unique=False)
    op.create_table(
        "credit_grants",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("account_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("consumed", sa.BigInteger(), nullable=False),
        sa.Column("expired", sa.BigInteger(), nullable=False),
        sa.Column("clawed_back", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(sa_types.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expiry_notified_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"], name=op.f("fk_credit_grants_account_id_credit_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_grants")),
        sa.UniqueConstraint("tenant_id", "source", "source_ref", name="uq_credit_grants_tenant_source_ref"),
    )
    op.create_index(
        "ix_credit_grants_account_order",
        "credit_grants",
        ["account_id", "priority", "expires_at", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_credit_grants_expiring",
        "credit_grants",
        ["tenant_id", "expires_at"],
        unique=False,
        postgresql_where=sa.text("remaining > 0"),
        sqlite_where=sa.text("remaining > 0"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("account_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("requested", sa.BigInteger(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("request_hash", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(sa_types.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"], name=op.f("fk_ledger_entries_account_id_credit_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("account_id", "idempotency_key", name="uq_ledger_entries_account_idempotency"),
        sa.UniqueConstraint("account_id", "seq", name="uq_ledger_entries_account_seq"),
    )
    op.create_index("ix_ledger_entries_account_reference", "ledger_entries", ["account_id", "reference"], unique=False)
    op.create_table(
        "credit_allocations",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("entry_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("grant_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_credit_allocations_entry_id_ledger_entries")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["credit_grants.id"], name=op.f("fk_credit_allocations_grant_id_credit_grants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_allocations")),
    )
    op.create_index("ix_credit_allocations_entry", "credit_allocations", ["entry_id"], unique=False)
    op.create_index("ix_credit_allocations_grant", "credit_allocations", ["grant_id"], unique=False)
    op.create_table(
        "credit_holds",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("account_id", sa_types.GUID(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("captured", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("unlimited", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("entry_id", sa_types.GUID(length=16), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(sa_types.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("closed_at", sa_types.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["credit_accounts.id"], name=op.f("fk_credit_holds_account_id_credit_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entries.id"], name=op.f("fk_credit_holds_entry_id_ledger_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_holds")),
    )
    op.create_index("ix_credit_holds_account", "credit_holds", ["account_id"], unique=False)
    op.create_index(
        "ix_credit_holds_active_expiry",
        "credit_holds",
        ["tenant_id", "expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_credit_holds_active_expiry",
        table_name="credit_holds",
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.drop_index("ix_credit_holds_account", table_name="credit_holds")
    op.drop_table("credit_holds")
    op.drop_index("ix_credit_allocations_grant", table_name="credit_allocations")
    op.drop_index("ix_credit_allocations_entry", table_name="credit_allocations")
    op.drop_table("credit_allocations")
    op.drop_index("ix_ledger_entries_account_reference", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index(
        "ix_credit_grants_expiring",
        table_name="credit_grants",
        postgresql_where=sa.text("remaining > 0"),
        sqlite_where=sa.text("remaining > 0"),
    )
    op.drop_index("ix_credit_grants_account_order", table_name="credit_grants")
    op.drop_table("credit_grants")
    op.drop_index("ix_credit_accounts_due_at", table_name="credit_accounts")
    op.drop_table("credit_accounts")
