"""Performance: the spend function's plans read only the rows they name, even before any ANALYZE.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 00:20:00

A fresh deployment's ledger tables have no statistics until autovacuum first analyzes them. Plans
made in that window (a pooled connection keeps `tollgate_spend`'s plans) cannot tell one index from
another that starts with the same column, and picked by the tenant alone: the account lock and the
account lookup took `(tenant_id, due_at)` and the grants' update `(tenant_id, created_at)`, reading
every account and every grant of the tenant for one spend (about 330 and 170 index entries in
`tests/ledger/test_fresh_plans.py`). So:

- `ix_credit_accounts_due_at` holds only the accounts with something due (`due_at IS NOT NULL`):
  the expiry job, its one reader, asks `due_at <= now`, and a lookup by customer cannot use it;
- the grants' update checks the grant's tenant as a filter (`IS NOT DISTINCT FROM`, which no index
  serves; `tenant_id` is never null), so its one index is the primary key.

The index is rebuilt in the migration's transaction: `credit_accounts` has one row per customer, and
spends wait for the rebuild (1.3 s for a million accounts, half of them with something due, on the
2-core test machine while its test suite ran).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE_INDEX = "ix_credit_accounts_due_at"
DUE_WHERE = sa.text("due_at IS NOT NULL")

# Edits of 0026's `tollgate_spend` (that revision never changes): each text and its replacement.
SPEND_EDITS = (
    (
        "SET enable_mergejoin = off\n",
        "SET enable_mergejoin = off\n"
        "-- Generic plans from the first call: left to choose, PostgreSQL planned most statements again on\n"
        "-- every call, half of a batch of one's time in the database.\n"
        "SET plan_cache_mode = force_generic_plan\n",
    ),
    (
        "               AND (cg.expires_at IS NULL OR cg.expires_at > p_now)) AS x\n",
        "               -- Not `expires_at IS NULL OR ...`: a generic plan took that to the tenant's expiry index\n"
        "               -- and read every live grant for one spend.\n"
        "               AND coalesce(cg.expires_at, 'infinity') > p_now) AS x\n",
    ),
    (
        "     WHERE cg.id = x.id AND cg.tenant_id = p_tenants[x.slot] AND x.taken > 0;\n",
        "     -- The tenant as a filter, never an index condition: the primary key is the one index to read.\n"
        "     WHERE cg.id = x.id AND cg.tenant_id IS NOT DISTINCT FROM p_tenants[x.slot] AND x.taken > 0;\n",
    ),
)


def _revision_0026_spend() -> str:
    text: str = importlib.import_module("core.migrations.versions.0026_spend_plans_cached").spend_function()
    return text


def spend_function() -> str:
    text = _revision_0026_spend()
    for old, new in SPEND_EDITS:
        if text.count(old) != 1:
            raise RuntimeError(f"0026's function has no single {old!r}")
        text = text.replace(old, new)
    return text


def upgrade() -> None:
    op.drop_index(DUE_INDEX, table_name="credit_accounts")
    op.create_index(
        DUE_INDEX, "credit_accounts", ["tenant_id", "due_at"], postgresql_where=DUE_WHERE, sqlite_where=DUE_WHERE
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(spend_function())


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER FUNCTION tollgate_spend RESET ALL")  # as 0026's downgrade: its settings go first
        op.execute(_revision_0026_spend())
    op.drop_index(DUE_INDEX, table_name="credit_accounts")
    op.create_index(DUE_INDEX, "credit_accounts", ["tenant_id", "due_at"])
