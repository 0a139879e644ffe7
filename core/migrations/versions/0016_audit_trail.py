"""The audit trail: append-only records, hash-chained per tenant, and each tenant's chain head.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:00:00

On PostgreSQL a trigger refuses UPDATE and DELETE on `audit_records`; the one way to delete is
`audit_records_prune(tenant, before)`, which sets a transaction-local flag the trigger lets through
(retention pruning; the verify command then starts each chain at its oldest remaining record).
On SQLite a trigger refuses UPDATE; DELETE stays open there (SQLite has no session setting for a
privileged path, and retention pruning deletes), so `verify` is its tamper evidence. TRUNCATE fires no
row trigger on PostgreSQL: it needs the table owner's rights, which the application role should not have.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types as sa_types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = (
    sa.JSON()
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
    .with_variant(sa_types.ORA_JSONB(), "oracle")
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
)

POSTGRES_GUARD = (
    """
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('tollgate.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_records is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
""",
    "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
    "FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()",
    """
CREATE FUNCTION audit_records_prune(p_tenant text, p_before timestamptz) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE pruned bigint;
BEGIN
    PERFORM set_config('tollgate.audit_prune', 'on', true);
    DELETE FROM audit_records WHERE tenant_id = p_tenant AND occurred_at < p_before;
    GET DIAGNOSTICS pruned = ROW_COUNT;
    PERFORM set_config('tollgate.audit_prune', 'off', true);
    RETURN pruned;
END
$$
""",
)

SQLITE_GUARD = (
    "CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records "
    "BEGIN SELECT RAISE(ABORT, 'audit_records is append-only: UPDATE refused'); END",
)


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("principal", sa.String(length=255), nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_audit_records_tenant_seq"),
    )
    op.create_index("ix_audit_records_tenant_occurred", "audit_records", ["tenant_id", "occurred_at"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("id", sa_types.GUID(length=16), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", sa_types.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_heads")),
        sa.UniqueConstraint("tenant_id", name="uq_audit_chain_heads_tenant"),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"postgresql": POSTGRES_GUARD, "sqlite": SQLITE_GUARD}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_prune(text, timestamptz)")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    op.drop_table("audit_chain_heads")
    op.drop_index("ix_audit_records_tenant_occurred", table_name="audit_records")
    op.drop_table("audit_records")
