"""The ledger's functions keep using their indexes as the tables grow under a connection's cached plans.

A pooled connection keeps a plan for each statement of `tollgate_spend` (and for the foreign-key
checks its inserts fire) and of `tollgate_expire`. A plan made while the ledger was small may scan
a table that has grown since (it did: 0021's idempotency-key lookup scanned `ledger_entries`, 8 ms a
spend at 30,000 entries, until an ANALYZE); since 0026 the spend function makes its plans with
sequential scans disabled, and since 0027 they are generic from its first call. Here, in a database
of its own with autovacuum off (so no ANALYZE comes to the rescue), plans are made on a tiny ledger,
the ledger grows by 20,000 entries, and PostgreSQL's own counters show the next spends and expiry
runs never scan `ledger_entries` sequentially, nor read more index entries than the spends name.
Once with the seed analyzed, and once without any statistics (a fresh deployment before autovacuum's
first ANALYZE), where until 0027 the plans read every account and grant of the tenant for one
spend. And `GET /ledger`'s statement keeps the connection's generic plan when an account's entries
run to thousands, instead of being planned again on each read. No timing is asserted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from core.db import driver_call
from core.ledger.reads import _entries_page
from core.ledger.repository import new_id
from core.ledger.spends import EXPIRE_SQL, SPEND_SQL
from core.migrate import upgrade
from tests.support import services

TABLES = ("ledger_entries", "credit_grants", "credit_accounts", "credit_allocations", "credit_holds")
CUSTOMERS = [f"c{i}" for i in range(5)]
ACCOUNTS = 200  # the tenant's: a plan reading all its accounts for one spend shows in the counters
SEED_SHAPE = [
    *(f"ALTER TABLE {table} SET (autovacuum_enabled = false)" for table in TABLES),
    """INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'c' || i, '{}', 'alpha', now(), now() FROM generate_series(0, {last}) i""",
    """INSERT INTO credit_accounts (id, customer_id, customer, balance, held, debt, last_seq, unlimited, due_at,
    tenant_id, created_at, updated_at)
    SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, 'c' || i, 1000000, 0, 0, 1, false, now() + interval '1 year',
    'alpha', now(), now() FROM generate_series(0, {last}) i""",
    """INSERT INTO credit_grants (id, account_id, amount, remaining, reserved, consumed, expired, clawed_back,
    priority, expires_at, source, source_ref, metadata, tenant_id, created_at, updated_at)
    SELECT md5('g' || i)::uuid, md5('a' || i)::uuid, 1000000, 1000000, 0, 0, 0, 0, 50, now() + interval '1 year',
    'admin', 'g' || i, '{}', 'alpha', now(), now() FROM generate_series(0, {last}) i""",
    """INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, reference, metadata, tenant_id,
    created_at, updated_at)
    SELECT md5('e' || i)::uuid, md5('a' || i)::uuid, 1, 'grant', 1000000, 1000000, md5('g' || i)::uuid::text, '{}',
    'alpha', now(), now() FROM generate_series(0, {last}) i""",
]


def seed(accounts: int) -> list[str]:
    """Customers c0.. with an account, a grant and its entry each; autovacuum off on the ledger's tables."""
    return [statement.replace("{last}", str(accounts - 1)) for statement in SEED_SHAPE]


SEED = seed(ACCOUNTS)
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


async def reads(connection: asyncpg.Connection, other: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    """Per ledger table so far, both connections' own included (their counters flushed first):
    sequential scans, and index entries read. `other`'s too: it grows the ledger, and the foreign-key
    checks of its 20,000 inserts, flushed late, would count as the spends' reads."""
    for each in (connection, other):
        await each.execute("SELECT pg_stat_force_next_flush()")
        await each.execute("SELECT 1")  # idle between statements: the flush happens
    await asyncio.sleep(0.1)
    await other.execute("SELECT pg_stat_clear_snapshot()")
    rows = await other.fetch(
        "SELECT t.relname, t.seq_scan, (SELECT sum(i.idx_tup_read) FROM pg_stat_user_indexes i"
        " WHERE i.relid = t.relid) AS entries FROM pg_stat_user_tables t WHERE t.relname = ANY ($1)",
        TABLES,
    )
    return {row["relname"]: (int(row["seq_scan"]), int(row["entries"] or 0)) for row in rows}


async def late_spends(pooled: asyncpg.Connection, setup: asyncpg.Connection, label: str) -> dict[str, tuple[int, int]]:
    """Twelve rounds of keyed spends of every customer, c5's grown ledger included, and of the expiry job; per
    ledger table, what they read: (sequential scans, index entries read a spend)."""
    before = await reads(pooled, setup)
    spends = 0
    for n in range(12):
        for customer in [*CUSTOMERS, "c5"]:
            assert await spend(pooled, customer, f"{customer}-{label}-{n}") == "spent"
            spends += 1
        await pooled.fetchval(EXPIRE_SQL, dt.datetime.now(dt.UTC), "alpha", 10, None)
    after = await reads(pooled, setup)
    return {
        table: (after[table][0] - before[table][0], (after[table][1] - before[table][1]) // spends) for table in TABLES
    }


# A spend names one account and one key: a few index entries of each table a spend (the lock, the
# account, the grants, the foreign-key checks, the updates), never the tenant's 200 accounts or grants,
# nor c5's 20,000 entries.
PER_SPEND = 8


@pytest.mark.parametrize("analyzed", [True, False], ids=["analyzed", "no-statistics"])
async def test_spends_and_expiry_keep_their_indexes_as_the_ledger_grows(dsn: str, analyzed: bool) -> None:
    setup = await asyncpg.connect(dsn)
    pooled = await asyncpg.connect(dsn)  # stands for a pooled connection: its plans outlive the growth
    try:
        for statement in [*SEED, "ANALYZE"] if analyzed else SEED:
            await setup.execute(statement)
        # Plans made on the tiny ledger (the spend function's are generic from its first call).
        for n in range(12):
            for customer in CUSTOMERS:
                assert await spend(pooled, customer, f"{customer}-early-{n}") == "spent"
            await pooled.fetchval(EXPIRE_SQL, dt.datetime.now(dt.UTC), "alpha", 10, None)
        for statement in GROW:
            await setup.execute(statement)
        read = await late_spends(pooled, setup, "late")
        # Only the grown table: a scan of the others (small tables) is what a fresh plan chooses too.
        assert read["ledger_entries"][0] == 0, "the grown ledger was scanned"
        for table in (
            ("credit_accounts", "credit_grants", "ledger_entries") if analyzed else ("credit_accounts", "credit_grants")
        ):
            assert read[table][1] <= PER_SPEND, f"{read[table][1]} index entries of {table} read a spend"
        if analyzed:
            return
        # Blind plans cannot tell the key index from the (account, seq) one: until the first ANALYZE the key
        # lookup may read the named account's entries (c5's, here), never another account's. Autovacuum's
        # first ANALYZE of the grown table (50 rows and a tenth of the table changed) replaces those plans.
        await setup.execute("ANALYZE")
        read = await late_spends(pooled, setup, "analyzed")
        assert read["ledger_entries"][0] == 0, "the grown ledger was scanned"
        for table in ("credit_accounts", "credit_grants", "ledger_entries"):
            assert read[table][1] <= PER_SPEND, f"{read[table][1]} index entries of {table} read a spend"
    finally:
        await setup.close()
        await pooled.close()


async def test_a_ledger_page_keeps_one_plan_however_long_the_ledgers(dsn: str) -> None:
    """`GET /ledger`'s statement runs on the connection's generic plan, not one planned again each read.

    With its LIMIT a bound parameter, the generic plan guessed a tenth of an account's entries: once
    the statistics counted thousands of entries an account (three accounts, one of 30,000 entries
    here), it cost more than a custom plan, and PostgreSQL planned every read again.
    """
    setup = await asyncpg.connect(dsn)
    pooled = await asyncpg.connect(dsn)
    try:
        for statement in seed(3):
            await setup.execute(statement)
        await setup.execute(GROW[0].replace("md5('a5')", "md5('a0')").replace("20000", "30000"))
        await setup.execute("ANALYZE")
        statement = _entries_page(51)
        reads = [("c0", 2**63 - 1), ("c1", 2**63 - 1), ("c0", 15_000), ("c2", 2)] * 5
        for customer, before in reads:
            params = {"scope_tenant": "alpha", "customer": customer, "before_seq": before}
            sql, *values = driver_call(statement, asyncpg_dialect(), params)
            rows = await pooled.fetch(sql, *values)
            assert len(rows) == (51 if customer == "c0" else 1)
        generic, custom = await pooled.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", sql
        )
        # PostgreSQL tries custom plans first (five), then keeps the generic one when it costs no more.
        assert (generic, custom) == (len(reads) - 5, 5)
    finally:
        await setup.close()
        await pooled.close()
