"""First attempts committed in groups (PostgreSQL) leave every row as the general path (SQLite, later attempts) does."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text

from core import clock
from core.db import _driver_sql, driver_connection, driver_transaction, fetch_on_driver, session_scope
from core.inbox.models import WebhookEvent
from core.inbox.repository import NewEvent, _first_attempt_statement, insert_batch
from core.inbox.services import InboxProcessor
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice, recorder
from tests.inbox.stripe_events import event, invoice_paid, stripe_object
from tests.inbox.test_processing import store_pending

MAX_ATTEMPTS = 3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"inbox": {"max_attempts": MAX_ATTEMPTS, "backoff_base_seconds": 10, "lease_seconds": 60}}


class WorkerDied(BaseException):
    """Stands for `kill -9` in a handler: nothing after it runs, nothing uncommitted survives."""


async def rows(runtime: Runtime, ids: list[uuid.UUID]) -> list[tuple[Any, ...]]:
    """What an operator sees of each event, in the order given."""
    async with runtime.sessions() as session:
        found = {
            r.id: r for r in (await session.execute(select(WebhookEvent).where(WebhookEvent.id.in_(ids)))).scalars()
        }
    return [
        (
            found[i].status,
            found[i].attempts,
            found[i].handlers,
            found[i].processed_at is not None,
            (found[i].last_error or "").split("\n")[0] or None,
            found[i].lease_token,
        )
        for i in ids
    ]


async def a_mixed_batch(runtime: Runtime, processor: InboxProcessor) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Paid invoices, one whose handler fails once, an event no plugin handles, all processed at once."""
    paid = [invoice_paid(100 * n) for n in range(1, 6)]
    failing = invoice_paid(999)
    recorder.FAILURES[failing["id"]] = 1
    coupon = event("coupon.created", stripe_object("coupon"))
    events = [*paid[:2], failing, coupon, *paid[2:]]
    ids = [await store_pending(runtime, evt) for evt in events]
    # Every task at once, the first one twice (Stripe's duplicate, or the broker's redelivery).
    results = await asyncio.gather(*(processor.process("alpha", i) for i in [ids[0], *ids]))
    assert sorted(r for r in results if r) == ["failed", "ignored", *["processed"] * 5]
    return await rows(runtime, ids), await grants_by_invoice(runtime)


EXPECTED = [
    *[("processed", 1, ["recorder"], True, None, None)] * 2,
    (
        "failed",
        1,
        [],
        False,
        "HandlerFailed: the 'recorder' handler for invoice.paid failed: RuntimeError: planned failure, 0 to go",
        None,
    ),
    ("ignored", 1, [], True, None, None),
    *[("processed", 1, ["recorder"], True, None, None)] * 3,
]


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_batch_of_first_attempts_ends_as_on_the_general_path(runtime: Runtime) -> None:
    processor = InboxProcessor(runtime)
    assert processor.on_driver == (runtime.engine.dialect.name == "postgresql")
    states, grants = await a_mixed_batch(runtime, processor)
    assert states == EXPECTED
    assert sorted(grants.values()) == [1] * 5, "each paid invoice granted once; the failed one not at all"


async def test_postgres_agrees_with_its_own_general_path(runtime: Runtime) -> None:
    batched = await a_mixed_batch(runtime, InboxProcessor(runtime))
    general = InboxProcessor(runtime)
    general.on_driver = False
    assert (await a_mixed_batch(runtime, general))[0] == batched[0] == EXPECTED


async def test_a_worker_dying_in_a_batch_leaves_every_event_of_it_untouched(runtime: Runtime) -> None:
    async def dies(_: Any) -> None:
        raise WorkerDied

    handlers = runtime.event_handlers["invoice.paid"]
    ids = [await store_pending(runtime, invoice_paid()) for _ in range(3)]
    runtime.event_handlers["invoice.paid"] = [*handlers, ("recorder", dies)]
    processor = InboxProcessor(runtime)
    results = await asyncio.gather(*(processor.process("alpha", i) for i in ids), return_exceptions=True)
    assert [type(r) for r in results] == [WorkerDied] * 3
    assert await rows(runtime, ids) == [("pending", 0, [], False, None, None)] * 3
    assert await grants_by_invoice(runtime) == {}
    # The next worker takes them up as first attempts still.
    runtime.event_handlers["invoice.paid"] = handlers
    assert await asyncio.gather(*(InboxProcessor(runtime).process("alpha", i) for i in ids)) == ["processed"] * 3
    assert sorted((await grants_by_invoice(runtime)).values()) == [1] * 3


async def test_statements_on_the_driver_run_in_a_transaction_only(runtime: Runtime) -> None:
    async with session_scope(runtime.sessions) as session:
        # The session's transaction has not begun on the driver: the statement would commit on its own.
        with pytest.raises(RuntimeError, match="in a transaction only"):
            await fetch_on_driver(session, text("SELECT 1"), {})


def scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan that reads a table or an index."""
    if "Scan" in plan["Node Type"] and plan["Node Type"] != "CTE Scan":
        yield plan
    for child in plan.get("Plans", []):
        yield from scans(child)


async def test_a_batch_reads_its_own_rows_only_however_many_are_pending(runtime: Runtime) -> None:
    """A burst after a quiet spell: statistics that saw one pending event, then 10,000 of them.

    The batch's statement must find its rows by their ids whatever the planner believes of the
    pending rows: found through the status index, each batch of 64 read every pending row (measured
    at 30-70 ms a batch with 140,000 pending, a drain slowing as the backlog grew). Sequential scans
    are off, as the planner's choice for a table this small is one (it would not be at 140,000).
    """
    await store_pending(runtime, invoice_paid())
    async with runtime.engine.connect() as connection:
        await connection.execute(text("ANALYZE webhook_events"))
    burst = [
        NewEvent("alpha", f"evt_burst_{n:05d}", "invoice.paid", f"in_{n}", 1_700_000_000, "{}", "pending")
        for n in range(10_000)
    ]
    async with driver_connection(runtime.engine) as driver:
        stored = await insert_batch(driver, burst, clock.now())
    batch = sorted(stored.values())[5_000:5_064]
    sql, parameters = _driver_sql(_first_attempt_statement(), runtime.engine.dialect)
    params = {
        "tenant": "alpha",
        "row_ids": batch,
        "handlers_by_type": json.dumps({"invoice.paid": ["recorder"]}),
        "now": clock.now(),
        "max_attempts": MAX_ATTEMPTS,
    }
    values = [params.get(name, default) for name, default in parameters]
    async with driver_transaction(runtime.engine, runtime.sessions) as transaction:
        await transaction.driver.execute("SET LOCAL enable_seqscan = off")
        statement = await transaction.driver.prepare(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        explained = await statement.fetchval(*values)
        (result,) = json.loads(explained) if isinstance(explained, str) else explained
        # Rolled back when the block ends: the rows stay pending.
    plan = result["Plan"]
    assert plan["Actual Rows"] == len(batch), "every event of the batch was taken"
    read = {
        node.get("Index Name") or node["Relation Name"]: (node["Actual Rows"] + node.get("Rows Removed by Filter", 0))
        * node["Actual Loops"]
        for node in scans(plan)
    }
    assert read and all(n <= len(batch) for n in read.values()), f"read more than the batch: {read}"


class Deadlock(Exception):
    """What asyncpg raises when PostgreSQL breaks a deadlock (SQLSTATE 40P01)."""

    sqlstate = "40P01"


async def test_an_event_that_deadlocks_alone_too_runs_again_before_it_counts_as_failed(runtime: Runtime) -> None:
    """Its batch deadlocked (rerun alone), and its run alone deadlocked once with another worker's batch:
    no failure of the event's own, so it ends processed at its first attempt, with nothing applied twice."""
    conflicts = {"left": 2}

    async def deadlocks_twice(_: Any) -> None:
        if conflicts["left"]:
            conflicts["left"] -= 1
            raise Deadlock("deadlock detected")

    handlers = runtime.event_handlers["invoice.paid"]
    runtime.event_handlers["invoice.paid"] = [("recorder", deadlocks_twice), *handlers]
    [row_id] = [await store_pending(runtime, invoice_paid(500))]
    assert await InboxProcessor(runtime).process("alpha", row_id) == "processed"
    assert conflicts["left"] == 0, "the batch and the first run alone both deadlocked"
    # Both handlers are the recorder plugin's: the row names the plugin once per handler.
    assert await rows(runtime, [row_id]) == [("processed", 1, ["recorder", "recorder"], True, None, None)]
    assert list((await grants_by_invoice(runtime)).values()) == [1]
