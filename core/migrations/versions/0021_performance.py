"""Performance: the spend path skips locked accounts, and credit expiry runs set-based in the database.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 10:40:00

PostgreSQL only: `tollgate_spend` gains `p_wait`. Without it, a batch locks its accounts with
`SKIP LOCKED` and answers `locked` for the spends of an account another transaction holds (the
caller sends those again on their own, waiting), so one held account no longer stalls the batch.
`tollgate_expire` settles a small batch of due accounts (lapsed grants, no lapsed hold) with a
handful of set-based statements. SQLite has no stored functions and keeps the Python paths.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SPEND_SIGNATURE = (
    "tollgate_spend(timestamptz, text[], text[], bigint[], integer[], bigint[], text[], text[], text[], text[], uuid[])"
)
NEW_SPEND_SIGNATURE = (
    "tollgate_spend(timestamptz, text[], text[], bigint[], integer[], bigint[], text[], text[], text[], text[], uuid[],"
    " boolean)"
)

# 0008's batch, with its accounts locked either waiting (`p_wait`) or skipping those another
# transaction holds (their spends come back as `locked`, nothing written for them), spends of an
# account with something lapsed coming back as `due` (the caller settles it and sends them again),
# and its plans cached. Each edit names
# the text of 0008 it replaces (that revision never changes).
SPEND_EDITS = (
    ("    p_ids uuid[]\n)", "    p_ids uuid[], p_wait boolean\n)"),
    # Plans cached per connection, as for any statement: PostgreSQL plans again when ANALYZE has
    # updated a table's statistics (autovacuum does as the ledger grows). Forced custom plans also
    # planned every foreign-key check of the inserts on every call: most of a small batch's CPU.
    (
        """-- Planned on each call with the tables' current statistics: a plan cached while ledger_entries was
-- small would scan it forever after.
SET plan_cache_mode = force_custom_plan
""",
        "",
    ),
    ("    acc_id uuid[];\n", "    acc_id uuid[];\n    locked uuid[];\n"),
    (
        """    PERFORM 1 FROM credit_accounts a
     WHERE a.tenant_id = ANY (p_tenants) AND a.customer = ANY (p_customers)
     ORDER BY a.id
       FOR UPDATE OF a;
""",
        """    IF p_wait THEN
        SELECT coalesce(array_agg(l.id), '{}') INTO locked
          FROM (SELECT a.id FROM credit_accounts a
                 WHERE a.tenant_id = ANY (p_tenants) AND a.customer = ANY (p_customers)
                 ORDER BY a.id
                   FOR UPDATE OF a) AS l;
    ELSE
        SELECT coalesce(array_agg(l.id), '{}') INTO locked
          FROM (SELECT a.id FROM credit_accounts a
                 WHERE a.tenant_id = ANY (p_tenants) AND a.customer = ANY (p_customers)
                 ORDER BY a.id
                   FOR UPDATE OF a SKIP LOCKED) AS l;
    END IF;
""",
    ),
    (
        "acc_seq[j] := one_seq; acc_mode[j] := one_mode;",
        "acc_seq[j] := one_seq;\n"
        "            acc_mode[j] := CASE WHEN one_id = ANY (locked) THEN one_mode ELSE 'locked' END;",
    ),
    ("CASE WHEN a.due_at <= p_now THEN 'fallback'", "CASE WHEN a.due_at <= p_now THEN 'due'"),
    (
        "        IF acc_mode[s] = 'fallback' OR",
        "        IF acc_mode[s] IN ('locked', 'due') THEN\n"
        "            r_outcome := acc_mode[s];\n"
        "            RETURN NEXT; CONTINUE;\n"
        "        END IF;\n"
        "        IF acc_mode[s] = 'fallback' OR",
    ),
)


def spend_function() -> str:
    """0008's `tollgate_spend` with `SPEND_EDITS` made."""
    text = _revision_0008()
    for old, new in SPEND_EDITS:
        if text.count(old) != 1:
            raise RuntimeError(f"0008's spend function has no single {old!r}")
        text = text.replace(old, new)
    return text


# A UUIDv7 (time-ordered, as `core.ledger.repository.new_id` makes them) for rows made in SQL.
UUID7_FUNCTION = """
CREATE OR REPLACE FUNCTION tollgate_uuid7() RETURNS uuid
LANGUAGE sql VOLATILE
AS $fn$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$fn$
"""

# Expiry of one batch of a tenant's due accounts, as `Accounts._settle` does it one account at a
# time: up to `p_limit` accounts due by `p_now` (of `p_customers` only, unless NULL) with no lapsed
# active hold (holds stay Python's),
# locked skipping those another transaction holds; each lapsed grant's unreserved credits expire
# in consumption order (an `expire` entry and its allocation, `balance_after` running down), the
# grants and the accounts are written, and each account's `due_at` becomes its next lapse. The
# lock is taken first, alone: the statements after it read what committed before it was granted.
EXPIRE_FUNCTION = """
CREATE OR REPLACE FUNCTION tollgate_expire(p_now timestamptz, p_tenant text, p_limit integer, p_customers text[])
RETURNS TABLE (r_accounts integer, r_grants integer)
LANGUAGE plpgsql
AS $fn$
DECLARE
    acc uuid[];
BEGIN
    SELECT coalesce(array_agg(l.id), '{}') INTO acc
      FROM (SELECT a.id FROM credit_accounts a
             WHERE a.tenant_id = p_tenant AND a.due_at <= p_now
               AND (p_customers IS NULL OR a.customer = ANY (p_customers))
               AND NOT EXISTS (SELECT 1 FROM credit_holds h
                                WHERE h.tenant_id = p_tenant AND h.account_id = a.id
                                  AND h.status = 'active' AND h.expires_at <= p_now)
             ORDER BY a.due_at
             LIMIT p_limit
               FOR UPDATE OF a SKIP LOCKED) AS l;
    r_accounts := cardinality(acc);
    IF r_accounts = 0 THEN
        r_grants := 0;
        RETURN NEXT;
        RETURN;
    END IF;
    WITH lapsed AS MATERIALIZED (
        SELECT tollgate_uuid7() AS entry_id, x.id AS grant_id, x.account_id, x.part,
               a.last_seq + x.n AS seq, a.balance - x.running AS balance_after
          FROM (SELECT g.id, g.account_id, g.remaining - g.reserved AS part,
                       row_number() OVER w AS n, sum(g.remaining - g.reserved) OVER w AS running
                  FROM credit_grants g
                 WHERE g.account_id = ANY (acc) AND g.tenant_id = p_tenant
                   AND g.remaining > g.reserved AND g.expires_at <= p_now
                WINDOW w AS (PARTITION BY g.account_id
                             ORDER BY g.priority, g.expires_at ASC NULLS LAST, g.created_at, g.id)) AS x
          JOIN credit_accounts a ON a.id = x.account_id
    ), entries AS (
        INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, requested,
                                    idempotency_key, request_hash, reference, reason, metadata, created_at, updated_at)
        SELECT l.entry_id, p_tenant, l.account_id, l.seq, 'expire', -l.part, l.balance_after, NULL,
               NULL, NULL, l.grant_id::text, NULL, '{}'::jsonb, p_now, p_now
          FROM lapsed l
         ORDER BY l.account_id, l.seq
    ), allocations AS (
        INSERT INTO credit_allocations (id, tenant_id, entry_id, grant_id, kind, amount, created_at, updated_at)
        SELECT tollgate_uuid7(), p_tenant, l.entry_id, l.grant_id, 'expire', l.part, p_now, p_now
          FROM lapsed l
    ), grants AS (
        UPDATE credit_grants g
           SET remaining = g.remaining - l.part, expired = g.expired + l.part, updated_at = p_now
          FROM lapsed l
         WHERE g.id = l.grant_id AND g.tenant_id = p_tenant
    ), accounts AS (
        -- Every statement here reads the grants as they were before it: the lapsed ones are left
        -- out of the next lapse by their time, as they would be by their emptied `remaining`.
        UPDATE credit_accounts a
           SET balance = a.balance - coalesce(t.total, 0),
               last_seq = a.last_seq + coalesce(t.entries, 0),
               due_at = (SELECT min(d.at) FROM (
                            SELECT min(g.expires_at) AS at FROM credit_grants g
                             WHERE g.account_id = a.id AND g.tenant_id = p_tenant
                               AND g.remaining > g.reserved AND g.expires_at > p_now
                            UNION ALL
                            SELECT min(h.expires_at) FROM credit_holds h
                             WHERE h.account_id = a.id AND h.tenant_id = p_tenant AND h.status = 'active') AS d),
               updated_at = p_now
          FROM (SELECT x.id, t.total, t.entries
                  FROM unnest(acc) AS x(id)
                  LEFT JOIN (SELECT l.account_id, sum(l.part) AS total, count(*) AS entries
                               FROM lapsed l GROUP BY l.account_id) AS t ON t.account_id = x.id) AS t
         WHERE a.id = t.id AND a.id = ANY (acc) AND a.tenant_id = p_tenant
    )
    SELECT count(*) INTO r_grants FROM lapsed;
    RETURN NEXT;
END
$fn$
"""


def _revision_0008() -> str:
    """0008's spend function, to put back on downgrade."""
    path = Path(__file__).with_name("0008_spend_function.py")
    spec = importlib.util.spec_from_file_location("tollgate_migration_0008", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.SPEND_FUNCTION)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {OLD_SPEND_SIGNATURE}")
    op.execute(spend_function())
    op.execute(UUID7_FUNCTION)
    op.execute(EXPIRE_FUNCTION)


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS tollgate_expire(timestamptz, text, integer, text[])")
    op.execute("DROP FUNCTION IF EXISTS tollgate_uuid7()")
    op.execute(f"DROP FUNCTION IF EXISTS {NEW_SPEND_SIGNATURE}")
    op.execute(_revision_0008())
