"""PostgreSQL: `tollgate_spend`, the ledger's spend path as one function call (core/ledger/spends.py).

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-22 03:10:00

SQLite has no stored functions; there the ledger spends through `Ledger.spend` alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One call spends a batch of queued requests, of any customers of any tenants, in one transaction:
# the batch's accounts are locked in id order (two batches never deadlock), their spendable grants
# and already-used idempotency keys read once, then each spend in order is decided in memory: spent
# (consumption order: priority, earliest expiry, oldest), recorded without consuming on an unlimited
# account, refused as insufficient (nothing written), or handed back ("fallback") for `Ledger.spend`
# to decide: no account yet, something lapsed (settling is Python's), an idempotency key seen before,
# a spend crossing the low-balance threshold (its notice is Python's), grants short of the balance
# (drift, logged there), or too few ids. Then four set-based writes: the entries, their allocations,
# the grants, the accounts. Accounts come per slot (tenant, customer, low-balance threshold); each
# spend names its slot. Ids come from the caller (UUIDv7, in order: each entry, then its allocations).
SPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION tollgate_spend(
    p_now timestamptz, p_tenants text[], p_customers text[], p_thresholds bigint[],
    p_slots integer[], p_amounts bigint[], p_keys text[], p_hashes text[], p_reasons text[], p_metadata text[],
    p_ids uuid[]
) RETURNS TABLE (r_item integer, r_outcome text, r_entry uuid, r_balance bigint, r_grants uuid[], r_parts bigint[])
LANGUAGE plpgsql
-- Planned on each call with the tables' current statistics: a plan cached while ledger_entries was
-- small would scan it forever after.
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
    n_slots integer := coalesce(cardinality(p_tenants), 0);
    acc_id uuid[];
    acc_balance bigint[];
    acc_seq bigint[];
    acc_first_seq bigint[];
    acc_mode text[];
    g_slot integer[];
    g_id uuid[];
    g_left bigint[];
    g_taken bigint[];
    g_from integer[];
    g_to integer[];
    seen_keys text[];
    e_item integer[] := '{}';
    e_id uuid[] := '{}';
    e_seq bigint[] := '{}';
    e_amount bigint[] := '{}';
    e_balance bigint[] := '{}';
    x_id uuid[] := '{}';
    x_entry uuid[] := '{}';
    x_grant uuid[] := '{}';
    x_amount bigint[] := '{}';
    x_slot integer[] := '{}';
    r_idx integer[];
    one_id uuid;
    one_balance bigint;
    one_seq bigint;
    one_mode text;
    s integer;
    bal bigint;
    want bigint;
    part bigint;
    used integer := 0;
    ids_left integer := coalesce(cardinality(p_ids), 0);
BEGIN
    -- Every lookup below is by an index on a key list (`= ANY`): a growing table never turns a
    -- cached plan into a scan of it.
    PERFORM 1 FROM credit_accounts a
     WHERE a.tenant_id = ANY (p_tenants) AND a.customer = ANY (p_customers)
     ORDER BY a.id
       FOR UPDATE OF a;
    acc_id := array_fill(NULL::uuid, ARRAY[n_slots]);
    acc_balance := array_fill(NULL::bigint, ARRAY[n_slots]);
    acc_seq := array_fill(NULL::bigint, ARRAY[n_slots]);
    acc_mode := array_fill('fallback'::text, ARRAY[n_slots]);
    FOR j IN 1 .. n_slots LOOP
        SELECT a.id, a.balance, a.last_seq,
               CASE WHEN a.due_at <= p_now THEN 'fallback'
                    WHEN a.unlimited AND (a.unlimited_until IS NULL OR a.unlimited_until > p_now) THEN 'unlimited'
                    ELSE 'spend' END
          INTO one_id, one_balance, one_seq, one_mode
          FROM credit_accounts a
         WHERE a.tenant_id = p_tenants[j] AND a.customer = p_customers[j];
        IF FOUND THEN
            acc_id[j] := one_id; acc_balance[j] := one_balance; acc_seq[j] := one_seq; acc_mode[j] := one_mode;
        END IF;
    END LOOP;
    acc_first_seq := acc_seq;

    SELECT coalesce(array_agg(x.slot ORDER BY x.slot, x.priority, x.expires_at ASC NULLS LAST, x.created_at, x.id), '{}'),
           coalesce(array_agg(x.id ORDER BY x.slot, x.priority, x.expires_at ASC NULLS LAST, x.created_at, x.id), '{}'),
           coalesce(array_agg(x.available
                              ORDER BY x.slot, x.priority, x.expires_at ASC NULLS LAST, x.created_at, x.id), '{}')
      INTO g_slot, g_id, g_left
      FROM (SELECT array_position(acc_id, cg.account_id) AS slot, cg.id, cg.tenant_id, cg.priority, cg.expires_at,
                   cg.created_at, cg.remaining - cg.reserved AS available
              FROM credit_grants cg
             WHERE cg.account_id = ANY (acc_id) AND cg.remaining > cg.reserved
               AND (cg.expires_at IS NULL OR cg.expires_at > p_now)) AS x
     WHERE acc_mode[x.slot] = 'spend' AND x.tenant_id = p_tenants[x.slot];
    g_taken := array_fill(0::bigint, ARRAY[cardinality(g_id)]);
    g_from := array_fill(1, ARRAY[n_slots]);
    g_to := array_fill(0, ARRAY[n_slots]);
    FOR j IN 1 .. cardinality(g_id) LOOP
        IF g_to[g_slot[j]] = 0 THEN
            g_from[g_slot[j]] := j;
        END IF;
        g_to[g_slot[j]] := j;
    END LOOP;

    SELECT coalesce(array_agg(e.account_id::text || ':' || e.idempotency_key), '{}') INTO seen_keys
      FROM ledger_entries e
     WHERE e.account_id = ANY (acc_id) AND e.idempotency_key = ANY (p_keys);

    FOR i IN 1 .. coalesce(cardinality(p_amounts), 0) LOOP
        s := p_slots[i];
        bal := acc_balance[s];
        r_item := i; r_outcome := 'fallback'; r_entry := NULL; r_balance := bal; r_grants := '{}'; r_parts := '{}';
        IF acc_mode[s] = 'fallback' OR (p_keys[i] IS NOT NULL AND acc_id[s]::text || ':' || p_keys[i] = ANY (seen_keys)) THEN
            RETURN NEXT; CONTINUE;
        END IF;
        IF acc_mode[s] = 'unlimited' THEN
            IF used + 1 > ids_left THEN
                RETURN NEXT; CONTINUE;
            END IF;
            r_outcome := 'unlimited';
        ELSE
            IF p_amounts[i] > bal THEN
                r_outcome := 'insufficient';
                RETURN NEXT; CONTINUE;
            END IF;
            IF p_thresholds[s] > 0 AND bal >= p_thresholds[s] AND bal - p_amounts[i] < p_thresholds[s] THEN
                RETURN NEXT; CONTINUE;
            END IF;
            want := p_amounts[i];
            r_idx := '{}';
            FOR j IN g_from[s] .. g_to[s] LOOP
                EXIT WHEN want = 0;
                part := least(want, g_left[j] - g_taken[j]);
                IF part > 0 THEN
                    r_idx := r_idx || j;
                    r_grants := r_grants || g_id[j];
                    r_parts := r_parts || part;
                    want := want - part;
                END IF;
            END LOOP;
            IF want > 0 OR used + 1 + cardinality(r_idx) > ids_left THEN
                r_grants := '{}'; r_parts := '{}';
                RETURN NEXT; CONTINUE;
            END IF;
            r_outcome := 'spent';
        END IF;
        used := used + 1;
        r_entry := p_ids[used];
        IF r_outcome = 'spent' THEN
            bal := bal - p_amounts[i];
            FOR k IN 1 .. cardinality(r_idx) LOOP
                g_taken[r_idx[k]] := g_taken[r_idx[k]] + r_parts[k];
                x_id := x_id || p_ids[used + k];
                x_entry := x_entry || r_entry;
                x_grant := x_grant || r_grants[k];
                x_amount := x_amount || r_parts[k];
                x_slot := x_slot || s;
            END LOOP;
            used := used + cardinality(r_idx);
            e_amount := e_amount || -p_amounts[i];
        ELSE
            e_amount := e_amount || 0::bigint;
        END IF;
        acc_balance[s] := bal;
        acc_seq[s] := acc_seq[s] + 1;
        e_item := e_item || i;
        e_id := e_id || r_entry;
        e_seq := e_seq || acc_seq[s];
        e_balance := e_balance || bal;
        IF p_keys[i] IS NOT NULL THEN
            seen_keys := seen_keys || (acc_id[s]::text || ':' || p_keys[i]);
        END IF;
        r_balance := bal;
        RETURN NEXT;
    END LOOP;

    INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, requested,
                                idempotency_key, request_hash, reference, reason, metadata, created_at, updated_at)
    SELECT x.id, p_tenants[p_slots[x.i]], acc_id[p_slots[x.i]], x.seq, 'spend', x.amount, x.bal, p_amounts[x.i],
           p_keys[x.i], p_hashes[x.i], NULL, p_reasons[x.i], p_metadata[x.i]::jsonb, p_now, p_now
      FROM unnest(e_item, e_id, e_seq, e_amount, e_balance) AS x(i, id, seq, amount, bal);
    INSERT INTO credit_allocations (id, tenant_id, entry_id, grant_id, kind, amount, created_at, updated_at)
    SELECT x.id, p_tenants[x.slot], x.entry, x.grant_id, 'consume', x.amount, p_now, p_now
      FROM unnest(x_id, x_entry, x_grant, x_amount, x_slot) AS x(id, entry, grant_id, amount, slot);
    UPDATE credit_grants cg
       SET remaining = cg.remaining - x.taken, consumed = cg.consumed + x.taken, updated_at = p_now
      FROM unnest(g_id, g_taken, g_slot) AS x(id, taken, slot)
     WHERE cg.id = x.id AND cg.tenant_id = p_tenants[x.slot] AND x.taken > 0;
    UPDATE credit_accounts a SET balance = x.balance, last_seq = x.seq, updated_at = p_now
      FROM unnest(acc_id, acc_balance, acc_seq, acc_first_seq) AS x(id, balance, seq, first_seq)
     WHERE a.id = x.id AND x.seq <> x.first_seq;
END
$fn$
"""


def upgrade() -> None:
    # Spends update grants and accounts many times a second: keep those updates HOT (no index
    # entries rewritten) by leaving room on each page and no index on a column a spend changes.
    op.drop_index("ix_credit_grants_expiring", table_name="credit_grants")
    op.create_index("ix_credit_grants_expiring", "credit_grants", ["tenant_id", "expires_at"], unique=False)
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE credit_grants SET (fillfactor = 80)")
        op.execute("ALTER TABLE credit_accounts SET (fillfactor = 80)")
        op.execute(SPEND_FUNCTION)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tollgate_spend")
        op.execute("ALTER TABLE credit_grants RESET (fillfactor)")
        op.execute("ALTER TABLE credit_accounts RESET (fillfactor)")
    op.drop_index("ix_credit_grants_expiring", table_name="credit_grants")
    op.create_index(
        "ix_credit_grants_expiring",
        "credit_grants",
        ["tenant_id", "expires_at"],
        unique=False,
        postgresql_where=sa.text("remaining > 0"),
        sqlite_where=sa.text("remaining > 0"),
    )
