"""PostgreSQL: `tollgate_spend`, the ledger's spend path as one function call (core/ledger/spends.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 03:10:00

SQLite has no stored functions; there the ledger spends through `Ledger.spend` alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# One call spends a batch of queued requests, of any customers of any tenants, in one transaction:
# the batch's accounts are locked in id order (two batches never deadlock), then each spend in order
# is spent (consumption order: priority, earliest expiry, oldest), recorded without consuming on an
# unlimited account, refused as insufficient (nothing written), or handed back ("fallback") for
# `Ledger.spend` to decide: no account yet, something lapsed (settling is Python's), an idempotency
# key seen before, a spend crossing the low-balance threshold (its notice is Python's), grants short
# of the balance (drift, logged there), or too few ids. Ids come from the caller (UUIDv7, in order).
# Accounts are given per slot (tenant, customer, low-balance threshold); each spend names its slot.
SPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION tollgate_spend(
    p_now timestamptz, p_tenants text[], p_customers text[], p_thresholds bigint[],
    p_slots integer[], p_amounts bigint[], p_keys text[], p_hashes text[], p_reasons text[], p_metadata text[],
    p_ids uuid[]
) RETURNS TABLE (r_item integer, r_outcome text, r_entry uuid, r_balance bigint, r_grants uuid[], r_parts bigint[])
LANGUAGE plpgsql AS $fn$
DECLARE
    acc_id uuid[];
    acc_balance bigint[];
    acc_seq bigint[];
    acc_first_seq bigint[];
    acc_mode text[];
    s integer;
    g record;
    bal bigint;
    want bigint;
    part bigint;
    used integer := 0;
    ids_left integer := coalesce(cardinality(p_ids), 0);
BEGIN
    PERFORM 1 FROM credit_accounts a
      JOIN unnest(p_tenants, p_customers) AS u(t, c) ON a.tenant_id = u.t AND a.customer = u.c
     ORDER BY a.id
       FOR UPDATE OF a;
    SELECT array_agg(a.id ORDER BY u.n), array_agg(a.balance ORDER BY u.n), array_agg(a.last_seq ORDER BY u.n),
           array_agg(CASE WHEN a.id IS NULL OR a.due_at <= p_now THEN 'fallback'
                          WHEN a.unlimited AND (a.unlimited_until IS NULL OR a.unlimited_until > p_now)
                          THEN 'unlimited'
                          ELSE 'spend' END ORDER BY u.n)
      INTO acc_id, acc_balance, acc_seq, acc_mode
      FROM unnest(p_tenants, p_customers) WITH ORDINALITY AS u(t, c, n)
      LEFT JOIN credit_accounts a ON a.tenant_id = u.t AND a.customer = u.c;
    acc_first_seq := acc_seq;
    FOR i IN 1 .. coalesce(cardinality(p_amounts), 0) LOOP
        s := p_slots[i];
        bal := acc_balance[s];
        r_item := i; r_outcome := 'fallback'; r_entry := NULL; r_balance := bal; r_grants := '{}'; r_parts := '{}';
        IF acc_mode[s] = 'fallback' OR (p_keys[i] IS NOT NULL AND EXISTS (
            SELECT 1 FROM ledger_entries e WHERE e.account_id = acc_id[s] AND e.idempotency_key = p_keys[i]
        )) THEN
            RETURN NEXT; CONTINUE;
        END IF;
        IF acc_mode[s] = 'unlimited' THEN
            IF used + 1 > ids_left THEN
                RETURN NEXT; CONTINUE;
            END IF;
            used := used + 1;
            r_entry := p_ids[used];
            acc_seq[s] := acc_seq[s] + 1;
            INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, requested,
                                        idempotency_key, request_hash, reference, reason, metadata,
                                        created_at, updated_at)
            VALUES (r_entry, p_tenants[s], acc_id[s], acc_seq[s], 'spend', 0, bal, p_amounts[i],
                    p_keys[i], p_hashes[i], NULL, p_reasons[i], p_metadata[i]::jsonb, p_now, p_now);
            r_outcome := 'unlimited';
            RETURN NEXT; CONTINUE;
        END IF;
        IF p_amounts[i] > bal THEN
            r_outcome := 'insufficient';
            RETURN NEXT; CONTINUE;
        END IF;
        IF p_thresholds[s] > 0 AND bal >= p_thresholds[s] AND bal - p_amounts[i] < p_thresholds[s] THEN
            RETURN NEXT; CONTINUE;
        END IF;
        want := p_amounts[i];
        FOR g IN
            SELECT cg.id, cg.remaining - cg.reserved AS available
              FROM credit_grants cg
             WHERE cg.tenant_id = p_tenants[s] AND cg.account_id = acc_id[s] AND cg.remaining > cg.reserved
               AND (cg.expires_at IS NULL OR cg.expires_at > p_now)
             ORDER BY cg.priority, cg.expires_at ASC NULLS LAST, cg.created_at, cg.id
        LOOP
            EXIT WHEN want = 0;
            part := least(want, g.available);
            r_grants := r_grants || g.id;
            r_parts := r_parts || part;
            want := want - part;
        END LOOP;
        IF want > 0 OR used + 1 + cardinality(r_grants) > ids_left THEN
            r_grants := '{}'; r_parts := '{}';
            RETURN NEXT; CONTINUE;
        END IF;
        used := used + 1;
        r_entry := p_ids[used];
        bal := bal - p_amounts[i];
        acc_balance[s] := bal;
        acc_seq[s] := acc_seq[s] + 1;
        INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, requested,
                                    idempotency_key, request_hash, reference, reason, metadata, created_at, updated_at)
        VALUES (r_entry, p_tenants[s], acc_id[s], acc_seq[s], 'spend', -p_amounts[i], bal, p_amounts[i],
                p_keys[i], p_hashes[i], NULL, p_reasons[i], p_metadata[i]::jsonb, p_now, p_now);
        UPDATE credit_grants cg
           SET remaining = cg.remaining - x.part, consumed = cg.consumed + x.part, updated_at = p_now
          FROM unnest(r_grants, r_parts) AS x(id, part)
         WHERE cg.id = x.id AND cg.tenant_id = p_tenants[s];
        INSERT INTO credit_allocations (id, tenant_id, entry_id, grant_id, kind, amount, created_at, updated_at)
        SELECT p_ids[used + x.n], p_tenants[s], r_entry, x.id, 'consume', x.part, p_now, p_now
          FROM unnest(r_grants, r_parts) WITH ORDINALITY AS x(id, part, n);
        used := used + cardinality(r_grants);
        r_outcome := 'spent'; r_balance := bal;
        RETURN NEXT;
    END LOOP;
    UPDATE credit_accounts a SET balance = x.balance, last_seq = x.seq, updated_at = p_now
      FROM unnest(acc_id, acc_balance, acc_seq, acc_first_seq) AS x(id, balance, seq, first_seq)
     WHERE a.id = x.id AND x.seq <> x.first_seq;
END
$fn$
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(SPEND_FUNCTION)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tollgate_spend")
