"""`HeldConnection`: one checkout for many calls, a fresh connection after a failure or a dead idle one,
a pooled one when calls overlap, and nothing left open when the engine is disposed of (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core import db
from core.db import HeldConnection


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    built = create_async_engine(pg_url, pool_size=2, max_overflow=2)
    yield built
    await built.dispose()


async def backend(held: HeldConnection) -> int:
    async with held.use() as connection:
        pid: int = await connection.fetchval("SELECT pg_backend_pid()")
        return pid


async def gone(pg_url: str, pid: int) -> bool:
    """Whether the backend has exited (a closed connection's backend takes a moment to go)."""
    admin = await asyncpg.connect(pg_url.replace("+asyncpg", ""))
    try:
        for _ in range(100):
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
                return True
            await asyncio.sleep(0.05)
        return False
    finally:
        await admin.close()


async def test_calls_share_one_checkout(engine: AsyncEngine) -> None:
    held = HeldConnection(engine)
    first = await backend(held)
    assert [await backend(held) for _ in range(5)] == [first] * 5
    assert engine.sync_engine.pool.checkedout() == 1, "kept out of the pool between calls"
    await held.release()
    assert engine.sync_engine.pool.checkedout() == 0


async def test_overlapping_calls_get_a_pooled_connection_of_their_own(engine: AsyncEngine) -> None:
    held = HeldConnection(engine)
    async with held.use() as outer:
        inner = await backend(held)
        assert inner != await outer.fetchval("SELECT pg_backend_pid()")
    assert engine.sync_engine.pool.checkedout() == 1, "the overlapping call's connection went back to the pool"
    await held.release()


async def test_a_failed_call_drops_the_connection(engine: AsyncEngine, pg_url: str) -> None:
    held = HeldConnection(engine)
    first = await backend(held)
    with pytest.raises(asyncpg.DivisionByZeroError):
        async with held.use() as connection:
            await connection.fetchval("SELECT 1 / 0")
    assert await gone(pg_url, first), "a connection the driver failed on is closed, not kept"
    assert await backend(held) != first
    assert engine.sync_engine.pool.checkedout() == 1
    await held.release()


async def test_an_idle_connection_that_died_is_replaced_before_use(
    engine: AsyncEngine, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldConnection(engine)
    first = await backend(held)
    admin = await asyncpg.connect(pg_url.replace("+asyncpg", ""))
    await admin.execute("SELECT pg_terminate_backend($1)", first)
    await admin.close()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has sat idle long enough to be pinged
    await asyncio.sleep(0.05)
    second = await backend(held)  # no error: the ping found it gone
    assert second != first
    await held.release()


async def test_disposing_of_the_engine_closes_the_held_connection(engine: AsyncEngine, pg_url: str) -> None:
    held = HeldConnection(engine)
    pid = await backend(held)
    await engine.dispose()
    assert await gone(pg_url, pid)
    assert await backend(held) != pid, "a use after the dispose checks out a new connection"
    await held.release()
