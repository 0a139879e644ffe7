"""The ledger's functions keep using their indexes as the tables grow under a connection's cached plans.

A pooled connection keeps a plan for each statement of `tollgate_spend` and `tollgate_expire`. A
plan made while the ledger was small may scan a table that has grown since (it did: 0021's
idempotency-key lookup scanned `ledger_entries`, 8 ms a spend at 30,000 entries, until an
ANALYZE). Here, in a database of its own with autovacuum off (so no ANALYZE comes to the rescue),
plans are made on a tiny ledger, the ledger grows by 20,000 entries, and PostgreSQL's own counters
show the next spends and expiry runs never scan `ledger_entries` sequentially. No timing is asserted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest

from core.ledger.repository import new_id
from core.ledger.spends import EXPIRE_SQL, SPEND_SQL
from core.migrate import upgrade
from tests.support import services

TABLES = ("ledger_entries", "credit_grants", "credit_accounts", "credit_allocations", "credit_holds")
CUSTOMERS = [f"c{i}" for i in range(5)]
SEED = [
    *(f"ALTER TABLE {table} SET (autovacuum_enabled = false)" for table in TABLES),
    """INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'c' || i, '{}', 'alpha', now(), now() FROM generate_series(0, 5) i""",
    """INSERT INTO credit_accounts (id, customer_id, customer, balance, held, debt, last_seq, unlimited, due_at,
    tenant_id, created_at, updated_at)
    SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, 'c' || i, 1000000, 0, 0, 1, false, now() + interval '1 year',
    'alpha', now(), now() FROM generate_series(0, 5) i""",
    """INSERT INTO credit_grants (id, account_id, amount, remaining, reserved, consumed, expired, clawed_back,
    priority, expires_at, source, source_ref, metadata, tenant_id, created_at, updated_at)
    SELECT md5('g' || i)::uuid, md5('a' || i)::uuid, 1000000, 1000000, 0, 0, 0, 0, 50, now() + interval '1 year',
    'admin', 'g' || i, '{}', 'alpha', now(), now() FROM generate_series(0, 5) i""",
    """INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, reference, metadata, tenant_id,
    created_at, updated_at)
    SELECT md5('e' || i)::uuid, md5('a' || i)::uuid, 1, 'grant', 1000000, 1000000, md5('g' || i)::uuid::text, '{}',
    'alpha', now(), now() FROM generate_series(0, 5) i""",
    "ANALYZE",
]
# c5's ledger grows by 20,000 entries, its account following (no statistics are gathered).
GROW = [
    """INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, requested, metadata, tenant_id,
    created_at, updated_at)
    SELECT gen_random_uuid(), md5('a5')::uuid, 1 + s, 'spend', -1, 1000000 - s, 1, '{}', 'alpha', now(), now()
    FROM generate_series(1, 20000) s""",
    "UPDATE credit_accounts SET balance = 1000000 - 20000, last_seq = 20001 WHERE id = md5('a5')::uuid",
    "UPDATE credit_grants SET remaining = 1000000 - 20000, consumed = 20000 WHERE account_id = md5('a5')::uuid",
]


@pytest.fixture
async def dsn(pg_admin_url: str) -> AsyncIterator[str]:
    name = services.unique_name("tollgate_plans")
    await services.create_database(pg_admin_url, name)
    url = services.database_url(pg_admin_url, name)
    await asyncio.to_thread(upgrade, url)
    try:
        yield url.replace("postgresql+asyncpg://", "postgresql://", 1)
    finally:
        await services.drop_database(pg_admin_url, name)


async def spend(connection: asyncpg.Connection, customer: str, key: str) -> str:
    """One spend of one credit with an idempotency key (so the key lookup runs), as the spend path sends it."""
    now = dt.datetime.now(dt.UTC)
    rows = await connection.fetch(
        SPEND_SQL,
        now,
        ["alpha"],
        [customer],
        [0],
        [1],
        [1],
        [key],
        [f"hash-{key}"],
        [None],
        ["{}"],
        [new_id() for _ in range(10)],
        False,
    )
    return str(rows[0]["r_outcome"])


async def sequential_scans(connection: asyncpg.Connection, other: asyncpg.Connection) -> dict[str, int]:
    """Sequential scans per ledger table so far, `connection`'s own included (its counters flushed first)."""
    await connection.execute("SELECT pg_stat_force_next_flush()")
    await connection.execute("SELECT 1")  # idle between statements: the flush happens
    await asyncio.sleep(0.1)
    await other.execute("SELECT pg_stat_clear_snapshot()")
    rows = await other.fetch("SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY ($1)", TABLES)
    return {row["relname"]: int(row["seq_scan"]) for row in rows}


async def test_spends_and_expiry_keep_their_indexes_as_the_ledger_grows(dsn: str) -> None:
    setup = await asyncpg.connect(dsn)
    pooled = await asyncpg.connect(dsn)  # stands for a pooled connection: its plans outlive the growth
    try:
        for statement in SEED:
            await setup.execute(statement)
        # Plans made on the tiny ledger: more than five calls, so PostgreSQL weighs a generic plan.
        for n in range(12):
            for customer in CUSTOMERS:
                assert await spend(pooled, customer, f"{customer}-early-{n}") == "spent"
            await pooled.fetchval(EXPIRE_SQL, dt.datetime.now(dt.UTC), "alpha", 10, None)
        for statement in GROW:
            await setup.execute(statement)
        before = await sequential_scans(pooled, setup)
        for n in range(12):
            for customer in [*CUSTOMERS, "c5"]:
                assert await spend(pooled, customer, f"{customer}-late-{n}") == "spent"
            await pooled.fetchval(EXPIRE_SQL, dt.datetime.now(dt.UTC), "alpha", 10, None)
        after = await sequential_scans(pooled, setup)
        # Only the grown table: a scan of the others (six rows each) is what a fresh plan chooses too.
        assert after["ledger_entries"] == before["ledger_entries"], "the grown ledger was scanned"
    finally:
        await setup.close()
        await pooled.close()
