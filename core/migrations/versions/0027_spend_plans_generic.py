"""Performance: `tollgate_spend` keeps generic plans from its first call, none of which can misread an index.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 00:20:00

PostgreSQL, but for the index. 0026 let the function keep its plans per connection, but left
PostgreSQL to choose between a generic plan and one made for each call's values. A generic plan
cannot see that the batch's arrays hold one element (it takes ten), so it always looked dearer,
and most statements were planned again on every call: for a batch of one, 1.35-1.6 ms in the
database against 0.8-0.9 ms now. So:

- `plan_cache_mode = force_generic_plan`: each statement is planned once per connection;
- the accounts are read as they are locked (the locking statement returns their balance, sequence
  and mode), instead of once more each, one statement per account; only an account the call could
  not lock (another transaction holds it) or that does not exist is looked up alone.

A plan made before the tables have any statistics (a fresh deployment, before autovacuum's first
ANALYZE) cannot tell apart two indexes that start with the same column, and it is kept until
autovacuum analyzes the table. It picked by the tenant alone: the account lock and lookup took
`(tenant_id, due_at)`, the grants' update `(tenant_id, created_at)`, and the grants' read took the
expiry index for `expires_at IS NULL OR expires_at > now` (with statistics too), reading every
account or grant of the tenant for one spend (`tests/ledger/test_fresh_plans.py`: about 330 and 200
index entries a spend). So:

- `ix_credit_accounts_due_at` holds only the accounts with something due (`due_at IS NOT NULL`):
  the expiry job, its one reader, asks `due_at <= now`, and a lookup by customer cannot use it;
- the grants' read asks `coalesce(expires_at, 'infinity') > now`, which no index serves;
- the grants' update checks the grant's tenant as a filter (`IS NOT DISTINCT FROM`, which no index
  serves; `tenant_id` is never null), so its one index is the primary key.

Left to autovacuum: until a table's first ANALYZE, the idempotency-key lookup may read the named
account's entries by `(account_id, seq)` (never another account's).

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

# The accounts locked and then read again, one statement per account (0026's text from the first anchor
# up to the second): read as they are locked now.
LOCK_SPAN = ("    IF p_wait THEN\n", "    acc_first_seq := acc_seq;\n")
# The locking read; `LOCKING` is `FOR UPDATE OF a`, with `SKIP LOCKED` unless the call waits.
LOCK_READ = """        SELECT coalesce(array_agg(l.slot), '{}'), coalesce(array_agg(l.id), '{}'), coalesce(array_agg(l.balance), '{}'),
               coalesce(array_agg(l.last_seq), '{}'), coalesce(array_agg(l.mode), '{}')
          INTO lk_slot, lk_id, lk_balance, lk_seq, lk_mode
          FROM (SELECT k.slot, a.id, a.balance, a.last_seq,
                       CASE WHEN a.due_at <= p_now THEN 'due'
                            WHEN a.unlimited AND (a.unlimited_until IS NULL OR a.unlimited_until > p_now) THEN 'unlimited'
                            ELSE 'spend' END AS mode
                  FROM unnest(p_tenants, p_customers) WITH ORDINALITY AS k(tenant_id, customer, slot)
                  JOIN credit_accounts a ON a.tenant_id = k.tenant_id AND a.customer = k.customer
                 ORDER BY a.id
                   LOCKING) AS l;
"""
LOCK_AFTER = """    -- The accounts this call locks, read as they are locked (the latest version: no second read).
    IF p_wait THEN
WAITING_READ    ELSE
SKIPPING_READ    END IF;
    acc_id := array_fill(NULL::uuid, ARRAY[n_slots]);
    acc_balance := array_fill(NULL::bigint, ARRAY[n_slots]);
    acc_seq := array_fill(NULL::bigint, ARRAY[n_slots]);
    acc_mode := array_fill('fallback'::text, ARRAY[n_slots]);
    FOR m IN 1 .. cardinality(lk_slot) LOOP
        acc_id[lk_slot[m]] := lk_id[m]; acc_balance[lk_slot[m]] := lk_balance[m];
        acc_seq[lk_slot[m]] := lk_seq[m]; acc_mode[lk_slot[m]] := lk_mode[m];
    END LOOP;
    -- A slot this call did not lock: another transaction holds its account ('locked': sent again to wait),
    -- or it has none ('fallback').
    FOR j IN 1 .. n_slots LOOP
        CONTINUE WHEN acc_id[j] IS NOT NULL;
        SELECT a.id, a.balance, a.last_seq INTO one_id, one_balance, one_seq
          FROM credit_accounts a
         WHERE a.tenant_id = p_tenants[j] AND a.customer = p_customers[j];
        IF FOUND THEN
            acc_id[j] := one_id; acc_balance[j] := one_balance; acc_seq[j] := one_seq; acc_mode[j] := 'locked';
        END IF;
    END LOOP;
""".replace("WAITING_READ", LOCK_READ.replace("LOCKING", "FOR UPDATE OF a")).replace(
    "SKIPPING_READ", LOCK_READ.replace("LOCKING", "FOR UPDATE OF a SKIP LOCKED")
)

# Edits of 0026's `tollgate_spend` (that revision never changes): each text and its replacement.
SPEND_EDITS = (
    (
        "    locked uuid[];\n",
        "    lk_slot bigint[];\n    lk_id uuid[];\n    lk_balance bigint[];\n    lk_seq bigint[];\n    lk_mode text[];\n",
    ),
    ("    one_mode text;\n", ""),
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
    first, last = LOCK_SPAN
    if text.count(first) != 1 or text.count(last) != 1:
        raise RuntimeError("0026's function has not one account lock before one `acc_first_seq`")
    head, rest = text.split(first)
    _, tail = rest.split(last)
    text = f"{head}{LOCK_AFTER}{last}{tail}"
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
