"""The spend path on PostgreSQL when another transaction holds an account's row lock.

A batch skips a held account: the other spends of the batch are answered at once, the held
account's spends wait for its lock alone and are then spent (never refused, never doubled).
The lock is held on a second connection of its own, as a refund or the expiry job would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import asyncpg
from sqlalchemy import text

from core.ledger.repository import new_id
from core.ledger.spends import SPARE_IDS, SPEND_SQL
from core.runtime import Runtime
from tests.ledger.conftest import assert_invariants
from tests.ledger.test_service import add_customer, run


async def hold_row_lock(pg_url: str, customer: str) -> asyncpg.Connection:
    """A second connection with the customer's account row locked in an open transaction."""
    connection = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    await connection.execute("BEGIN")
    await connection.execute("SELECT 1 FROM credit_accounts WHERE customer = $1 FOR UPDATE", customer)
    return connection


async def funded_and_held(runtime: Runtime, pg_url: str, customer: str, granted: int) -> asyncpg.Connection:
    """The customer with `granted` credits, and its account row locked on a second connection."""
    await add_customer(runtime, customer)
    await run(runtime, lambda lg: lg.grant(customer, granted, source="t", source_ref=customer))
    return await hold_row_lock(pg_url, customer)


async def spend_all(runtime: Runtime, customer: str, count: int, keys: str = "") -> list[asyncio.Task[Any]]:
    tenant = runtime.tenants.get("alpha")
    return [
        asyncio.create_task(runtime.spends.spend(tenant, customer, 1, idempotency_key=f"{customer}-{keys}{n}"))
        for n in range(count)
    ]


async def test_a_held_account_does_not_stall_the_others(runtime: Runtime, pg_url: str) -> None:
    for customer in ("held", "free-1", "free-2"):
        await add_customer(runtime, customer)
        await run(runtime, lambda lg, c=customer: lg.grant(c, 100, source="t", source_ref=c))
    blocker = await hold_row_lock(pg_url, "held")
    try:
        held = await spend_all(runtime, "held", 5)
        free = [*(await spend_all(runtime, "free-1", 5)), *(await spend_all(runtime, "free-2", 5))]
        # The free accounts' spends are answered while the lock is still held...
        answers = await asyncio.wait_for(asyncio.gather(*free), timeout=10)
        assert sorted(a.balance for a in answers) == [95, 95, 96, 96, 97, 97, 98, 98, 99, 99]
        await asyncio.sleep(0.2)
        assert not any(task.done() for task in held), "the held account's spends wait for its lock"
        assert runtime.spends.stats["waited"] == 5
    finally:
        await blocker.execute("ROLLBACK")
        await blocker.close()
    # ...and the held account's are spent once the lock is released, each once.
    done = await asyncio.wait_for(asyncio.gather(*held), timeout=10)
    assert sorted(a.balance for a in done) == [95, 96, 97, 98, 99]
    again = await runtime.spends.spend(runtime.tenants.get("alpha"), "held", 1, idempotency_key="held-0")
    assert again.entry_id in {a.entry_id for a in done}
    async with runtime.engine.connect() as connection:
        spends = await connection.scalar(text("SELECT count(*) FROM ledger_entries WHERE kind = 'spend'"))
    assert spends == 15
    assert not runtime.spends._waiting_lanes, "a lane goes away once its account's spends are answered"
    await assert_invariants(runtime.engine)


async def test_a_batch_waiting_for_a_lock_takes_what_came_meanwhile(runtime: Runtime, pg_url: str) -> None:
    blocker = await funded_and_held(runtime, pg_url, "held", 10)
    try:
        first = await spend_all(runtime, "held", 6)
        await asyncio.sleep(0.2)
        # Spent while the first ones wait: 12 wanted of 10, exactly 10 spent and 2 refused.
        second = await spend_all(runtime, "held", 6, keys="second-")
        await asyncio.sleep(0.2)
    finally:
        await blocker.execute("ROLLBACK")
        await blocker.close()
    results = await asyncio.gather(*first, *second, return_exceptions=True)
    spent = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(spent) == 10
    assert [getattr(r, "code", None) for r in refused] == ["insufficient_credits"] * 2
    assert sorted(a.balance for a in spent) == list(range(10))
    await assert_invariants(runtime.engine)


async def test_spends_of_an_account_others_wait_for_join_them_directly(runtime: Runtime, pg_url: str) -> None:
    """A hot customer spent by several processes: while some of its spends wait for its lock, the next
    ones join them, not a batch that would skip the account and hand them back."""
    blocker = await funded_and_held(runtime, pg_url, "hot", 100)
    try:
        first = await spend_all(runtime, "hot", 5)
        await asyncio.sleep(0.2)
        batches = runtime.spends.stats["batches"]  # the waiting call has not returned: not counted yet
        second = await spend_all(runtime, "hot", 5, keys="second-")
        await asyncio.sleep(0.2)
        assert runtime.spends.stats["batches"] == batches, "no batch call was made for the later spends"
        assert runtime.spends.stats["waited"] == 10
    finally:
        await blocker.execute("ROLLBACK")
        await blocker.close()
    done = await asyncio.wait_for(asyncio.gather(*first, *second), timeout=10)
    assert sorted(a.balance for a in done) == list(range(90, 100))
    assert not runtime.spends._waiting_lanes
    await assert_invariants(runtime.engine)


async def test_a_call_that_waited_reads_the_account_as_its_holder_committed_it(runtime: Runtime, pg_url: str) -> None:
    """The spend function reads each account as it locks it: after waiting for a lock, the balance and the
    sequence are the holder's committed ones (the holder spends through the same function here)."""
    blocker = await funded_and_held(runtime, pg_url, "held", 10)
    try:
        waiting = await spend_all(runtime, "held", 3)
        await asyncio.sleep(0.2)
        assert not any(task.done() for task in waiting)
        ids = [new_id() for _ in range(SPARE_IDS)]
        now = dt.datetime.now(dt.UTC)
        arguments = (now, ["alpha"], ["held"], [0], [1], [4], [None], [None], [None], ["{}"], ids, True)
        [holder] = await blocker.fetch(SPEND_SQL, *arguments)
        assert (holder["r_outcome"], holder["r_balance"]) == ("spent", 6)
        await blocker.execute("COMMIT")
    finally:
        await blocker.close()
    done = await asyncio.wait_for(asyncio.gather(*waiting), timeout=10)
    assert sorted(a.balance for a in done) == [3, 4, 5]
    await assert_invariants(runtime.engine)
