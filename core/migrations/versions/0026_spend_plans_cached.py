"""Performance: `tollgate_spend` keeps its plans per connection again, and none of them can scan a table.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 19:00:00

PostgreSQL only. 0025 had the function plan every statement on each call (`force_custom_plan`),
the foreign-key checks of its inserts included, because 0021's cached plans, made while the ledger
was small, scanned it once it had grown. Planning was most of a call: a batch of one took 1.3-1.5
ms against 0.7-0.85 ms with cached plans, which is what a hand-written BEGIN, UPDATE, INSERT, COMMIT
takes. Cached plans are generic: they cannot see how long the batch's arrays are, and they were
made for whatever size the tables had then. So now:

- the function's statements, and the foreign-key checks they fire, are planned with sequential
  scans, hash joins and merge joins disabled: each one looks its rows up by index, one lookup per
  element of the batch's arrays, whatever the tables' sizes were when the plan was made;
- the account locks and the idempotency-key lookup join the batch's (tenant, customer) and
  (account, key) pairs to their unique indexes. Before, `tenant_id = ANY (...) AND customer = ANY
  (...)` let a generic plan read every account of the batch's tenants, and the key lookup every
  entry of the batch's accounts; it also locked an account no spend of the batch named when two
  tenants' customers crossed.

`tests/ledger/test_fresh_plans.py` checks with PostgreSQL's counters that the plans made on a tiny
ledger neither scan it once grown nor read more index entries than the spends name.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Edits of 0025's `tollgate_spend` (that revision never changes): the text, how often it occurs, its replacement.
SPEND_EDITS = (
    (
        """-- Planned on each call with the values, foreign-key checks included: a plan cached while a table was
-- small scans it once it has grown (0021's idempotency-key lookup did, and so did the check of
-- each allocation's entry).
SET plan_cache_mode = force_custom_plan
""",
        1,
        """-- Plans cached per connection, each row looked up by index from the batch's arrays: a plan made while
-- a table was small must not scan it once it has grown, nor read more rows than the batch names.
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_mergejoin = off
""",
    ),
    (
        """          FROM (SELECT a.id FROM credit_accounts a
                 WHERE a.tenant_id = ANY (p_tenants) AND a.customer = ANY (p_customers)
""",
        2,
        """          FROM (SELECT a.id FROM unnest(p_tenants, p_customers) AS k(tenant_id, customer)
                  JOIN credit_accounts a ON a.tenant_id = k.tenant_id AND a.customer = k.customer
""",
    ),
    (
        """          FROM ledger_entries e
         WHERE e.account_id = ANY (acc_id) AND e.idempotency_key = ANY (p_keys);
""",
        1,
        """          FROM unnest(p_slots, p_keys) AS k(slot, key)
          JOIN ledger_entries e ON e.account_id = acc_id[k.slot] AND e.idempotency_key = k.key
         WHERE k.key IS NOT NULL;
""",
    ),
)


def _revision_0025_spend() -> str:
    text: str = importlib.import_module("core.migrations.versions.0025_fresh_plans").spend_function()
    return text


def spend_function() -> str:
    text = _revision_0025_spend()
    for old, count, new in SPEND_EDITS:
        if text.count(old) != count:
            raise RuntimeError(f"0025's function has not {count} of {old!r}")
        text = text.replace(old, new)
    return text


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(spend_function())


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    # CREATE OR REPLACE keeps the settings of the function it replaces: drop these first.
    op.execute("ALTER FUNCTION tollgate_spend RESET ALL")
    op.execute(_revision_0025_spend())
