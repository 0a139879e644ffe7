"""Performance: the ledger's functions plan their reads on each call again, as a table grows.

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-06 14:20:00

PostgreSQL only. 0021 let `tollgate_spend` and `tollgate_expire` keep their plans per connection,
trusting that a lookup by key list (`= ANY`) never turns into a scan. It does: on a ledger planned
while small, the idempotency-key lookup's cached plan, and the cached foreign-key check of each
allocation's entry, were sequential scans of `ledger_entries`, and a spend took 8 ms instead of
1.6 ms once the table held 30,000 entries, until an ANALYZE replanned them (`make bench`'s
one-client spends: 12 ms against 1.9 ms for the raw endpoint). Now:

- `tollgate_spend` plans every statement on each call again (0008's `force_custom_plan`), and skips
  the idempotency-key lookup when no spend of the batch has a key (most batches).
- `tollgate_expire` runs its two statements as dynamic SQL, planned on each execution with the
  values; the foreign-key checks of its inserts keep the connection's plans (planning them row by
  row would cost the batch more than its work), as every other writer's do.

`tests/ledger/test_fresh_plans.py` makes the plans on a tiny ledger, grows it, and checks with
PostgreSQL's counters that no table is then scanned sequentially.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0025"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Edits of 0021's `tollgate_spend`, each naming the text it replaces (that revision never changes).
SPEND_EDITS = (
    (
        "LANGUAGE plpgsql\nAS $fn$",
        "LANGUAGE plpgsql\n"
        "-- Planned on each call with the values, foreign-key checks included: a plan cached while a table was\n"
        "-- small scans it once it has grown (0021's idempotency-key lookup did, and so did the check of\n"
        "-- each allocation's entry).\n"
        "SET plan_cache_mode = force_custom_plan\n"
        "AS $fn$",
    ),
    (
        """    -- Every lookup below is by an index on a key list (`= ANY`): a growing table never turns a
    -- cached plan into a scan of it.
""",
        "",
    ),
    (
        """    SELECT coalesce(array_agg(e.account_id::text || ':' || e.idempotency_key), '{}') INTO seen_keys
      FROM ledger_entries e
     WHERE e.account_id = ANY (acc_id) AND e.idempotency_key = ANY (p_keys);
""",
        """    seen_keys := '{}';
    IF cardinality(array_remove(p_keys, NULL)) > 0 THEN  -- most batches carry no key: no lookup
        SELECT coalesce(array_agg(e.account_id::text || ':' || e.idempotency_key), '{}') INTO seen_keys
          FROM ledger_entries e
         WHERE e.account_id = ANY (acc_id) AND e.idempotency_key = ANY (p_keys);
    END IF;
""",
    ),
)

# Edits of 0021's `tollgate_expire`: each of its two statements as dynamic SQL with the values bound.
EXPIRE_EDITS = (
    (
        """    SELECT coalesce(array_agg(l.id), '{}') INTO acc
      FROM (SELECT a.id FROM credit_accounts a
             WHERE a.tenant_id = p_tenant AND a.due_at <= p_now
               AND (p_customers IS NULL OR a.customer = ANY (p_customers))
               AND NOT EXISTS (SELECT 1 FROM credit_holds h
                                WHERE h.tenant_id = p_tenant AND h.account_id = a.id
                                  AND h.status = 'active' AND h.expires_at <= p_now)
             ORDER BY a.due_at
             LIMIT p_limit
               FOR UPDATE OF a SKIP LOCKED) AS l;
""",
        """    -- Both statements are dynamic SQL, planned on each call with its values (a plan cached while the
    -- tables were small would scan them once grown); the foreign-key checks they fire stay cached.
    EXECUTE $q$
    SELECT coalesce(array_agg(l.id), '{}')
      FROM (SELECT a.id FROM credit_accounts a
             WHERE a.tenant_id = $1 AND a.due_at <= $2
               AND ($3::text[] IS NULL OR a.customer = ANY ($3))
               AND NOT EXISTS (SELECT 1 FROM credit_holds h
                                WHERE h.tenant_id = $1 AND h.account_id = a.id
                                  AND h.status = 'active' AND h.expires_at <= $2)
             ORDER BY a.due_at
             LIMIT $4
               FOR UPDATE OF a SKIP LOCKED) AS l
    $q$ INTO acc USING p_tenant, p_now, p_customers, p_limit;
""",
    ),
    ("    WITH lapsed AS MATERIALIZED (\n", "    EXECUTE $q$\n    WITH lapsed AS MATERIALIZED (\n"),
    (
        "    SELECT count(*) INTO r_grants FROM lapsed;\n",
        "    SELECT count(*) FROM lapsed\n    $q$ INTO r_grants USING acc, p_tenant, p_now;\n",
    ),
)
# Inside the dynamic statement, the function's arguments become its parameters.
EXPIRE_PARAMETERS = (("(acc)", "($1)"), ("p_tenant", "$2"), ("p_now", "$3"))


def _revision_0021() -> ModuleType:
    path = Path(__file__).with_name("0021_performance.py")
    spec = importlib.util.spec_from_file_location("tollgate_migration_0021", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _edited(text: str, edits: Sequence[tuple[str, str]]) -> str:
    for old, new in edits:
        if text.count(old) != 1:
            raise RuntimeError(f"0021's function has no single {old!r}")
        text = text.replace(old, new)
    return text


def spend_function() -> str:
    return _edited(_revision_0021().spend_function(), SPEND_EDITS)


def expire_function() -> str:
    text = _edited(str(_revision_0021().EXPIRE_FUNCTION), EXPIRE_EDITS)
    head, rest = text.split("    EXECUTE $q$\n    WITH lapsed", 1)
    body, tail = rest.split("    $q$ INTO r_grants", 1)
    for old, new in EXPIRE_PARAMETERS:
        body = body.replace(old, new)
    return f"{head}    EXECUTE $q$\n    WITH lapsed{body}    $q$ INTO r_grants{tail}"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(spend_function())
    op.execute(expire_function())


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    before = _revision_0021()
    op.execute(before.spend_function())
    op.execute(before.EXPIRE_FUNCTION)
