"""SIGTERM drains the worker: `tollgate worker` stopped mid-stream finishes or hands back every task.

A worker process, started as operators start it (`python -m core.cli worker`), applies a steady
stream of Stripe `invoice.paid` events through the inbox, each granting its credits in the ledger,
and gets SIGTERM mid-stream. It must exit 0, and every task it acknowledged must have committed its
event; what it did not finish stays unacknowledged in Redis and its rows pending. A second worker
then takes over while the stream goes on, and in the end every event is processed exactly once, on
its first attempt, each grant applied once. Twice: with a wait (`jobs.shutdown_timeout_seconds`)
long enough for the running tasks to finish, and with one second, which they outlive: cut off
mid-transaction, they are rolled back and handed back.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select, text

from core.app import create_app
from core.cli import BROKER_SHUTDOWN_SECONDS
from core.inbox.models import WebhookEvent
from core.ledger.services import Ledger
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice
from tests.inbox.processes import TOLLGATE_WORKER, WorkerSetup
from tests.inbox.stripe_events import invoice_paid
from tests.inbox.test_reliability import deliver_all, statuses, sweep_until_processed, unprocessed, until
from tests.support.app import asgi_client
from tests.support.ledger import assert_ledger_verified
from tests.support.services import free_port
from tests.support.tenants import auth

EVENTS = 400
# One customer per event: the worker's concurrent batches of first attempts lock no account in common,
# so none of them deadlocks (the inbox counts that as a failed attempt of the event, then retries it).
CUSTOMERS = [f"cust-{n}" for n in range(EVENTS)]
# Each handler holds its batch's transaction this long: the stream outpaces the worker, so tasks are
# running when the SIGTERM comes.
PAUSE_MS = 20
# Delivered this many at a time, every TICK seconds: a stream that outlasts the first worker.
PER_TICK, TICK = 10, 0.1
# Redelivery within seconds: the sweeper's of rows left pending (sooner than the time the second
# worker takes to catch up with the backlog, it would send that backlog twice), and the broker's of
# unacknowledged tasks (sooner than the time a message waits in a busy worker's read buffer, that worker
# would take its own messages again). An event's handlers get half the lease, waits for the account
# locks of the other batch in flight (64 events of PAUSE_MS) included.
INBOX = {"lease_seconds": 8, "requeue_after_seconds": 5}
IDLE_TIMEOUT_MS = 10_000


async def create_customers(http: httpx.AsyncClient) -> None:
    gate = asyncio.Semaphore(16)

    async def one(customer: str) -> None:
        async with gate:
            created = await http.put(f"/t/alpha/v1/customers/{customer}", json={}, headers=auth("alpha"))
            assert created.status_code == 201, created.text

    await asyncio.gather(*(one(customer) for customer in CUSTOMERS))


async def deliver_steadily(http: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), PER_TICK):
        await deliver_all(http, events[start : start + PER_TICK])
        await asyncio.sleep(TICK)


async def acknowledged_and_pending(setup: WorkerSetup) -> tuple[list[str], list[str]]:
    """The event ids of the tasks the queue's consumers acknowledged, and of those delivered and not."""
    async with Redis.from_url(setup.redis_url) as redis:
        (group,) = [g for g in await redis.xinfo_groups(setup.queue) if g["name"].decode() == setup.queue]
        delivered = await redis.xrange(setup.queue, "-", group["last-delivered-id"])
        pending = {p["message_id"] for p in await redis.xpending_range(setup.queue, setup.queue, "-", "+", 100_000)}
    acknowledged: list[str] = []
    handed_back: list[str] = []
    for message_id, fields in delivered:
        event_id = json.loads(fields[b"data"])["kwargs"]["event_id"]
        (handed_back if message_id in pending else acknowledged).append(event_id)
    return acknowledged, handed_back


async def rows(runtime: Runtime, row_ids: list[str]) -> dict[str, tuple[str, int]]:
    """Each row's (status, attempts)."""
    statement = select(WebhookEvent.id, WebhookEvent.status, WebhookEvent.attempts)
    async with runtime.sessions() as session:
        found = await session.execute(statement.where(WebhookEvent.id.in_(row_ids)))
        return {str(row_id): (status, attempts) for row_id, status, attempts in found}


async def attempts_and_errors(runtime: Runtime) -> dict[tuple[int, str | None], int]:
    statement = select(WebhookEvent.attempts, WebhookEvent.last_error, func.count())
    async with runtime.sessions() as session:
        found = await session.execute(statement.group_by(WebhookEvent.attempts, WebhookEvent.last_error))
        return {(attempts, error): count for attempts, error, count in found}


async def ledger_grants(runtime: Runtime) -> tuple[dict[str, int], int]:
    """Grants by invoice (from the inbox), and the ledger's grant entries."""
    async with runtime.engine.connect() as conn:
        grants = await conn.execute(
            text("SELECT source_ref, count(*) FROM credit_grants WHERE source = 'stripe.invoice' GROUP BY source_ref")
        )
        entries = await conn.execute(text("SELECT count(*) FROM ledger_entries WHERE kind = 'grant'"))
        return {str(ref): int(count) for ref, count in grants}, int(entries.scalar_one())


@pytest.mark.redis
@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("wait_seconds", "handed_back_may_be"),
    [
        # Not started: each task that finished awaited its acknowledgement within the wait.
        (15, {("pending", 0)}),
        # Or committed after the wait, when the acknowledgements were closed.
        (1, {("pending", 0), ("processed", 1)}),
    ],
    ids=["tasks-finish", "tasks-outlive-the-wait"],
)
async def test_a_worker_sigtermed_mid_stream_finishes_or_hands_back_each_event(
    runtime: Runtime,
    make_runtime: Any,
    redis_url: str,
    worker_setup: Any,
    wait_seconds: int,
    handed_back_may_be: set[tuple[str, int]],
) -> None:
    metrics = {"port": free_port(), "worker_port": free_port()}
    jobs = {"idle_timeout_ms": IDLE_TIMEOUT_MS, "shutdown_timeout_seconds": wait_seconds}
    setup = worker_setup(redis_url, INBOX, jobs=jobs, metrics=metrics)
    first = setup.start(TOLLGATE_WORKER, log="first.log")
    rt = make_runtime(jobs=setup.jobs, inbox=INBOX)
    rng = random.Random(20_261_206)
    events = [invoice_paid(rng.randint(1, 5_000), customer=customer, pause_ms=PAUSE_MS) for customer in CUSTOMERS]
    async with asgi_client(create_app(rt)) as http:
        await create_customers(http)
        stream = asyncio.create_task(deliver_steadily(http, events))

        async def some_processed() -> bool:
            return (await statuses(rt)).get("processed", 0) >= EVENTS // 8

        await until(some_processed, every=0.02)
        assert not stream.done(), "SIGTERM comes mid-stream"
        first.process.send_signal(signal.SIGTERM)  # to the worker's main process, as an orchestrator does
        bound = wait_seconds + BROKER_SHUTDOWN_SECONDS + 30
        try:
            exit_code = await asyncio.to_thread(first.process.wait, bound)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker had not exited {bound} s after SIGTERM:\n{first.log_tail()}")

        # Before anyone else reads the queue: what the first worker acknowledged, it committed.
        acknowledged, handed_back = await acknowledged_and_pending(setup)
        assert acknowledged, "the first worker finished tasks"
        done = await rows(rt, acknowledged)
        assert {row_id: done.get(row_id) for row_id in acknowledged} == dict.fromkeys(acknowledged, ("processed", 1))
        # Not started, or cut off mid-transaction (rolled back): untouched.
        left = await rows(rt, handed_back)
        assert set(left.values()) <= handed_back_may_be, left

        setup.start(TOLLGATE_WORKER, log="second.log")
        await stream
        await sweep_until_processed(rt, EVENTS)

    log = (setup.tmp_path / "first.log").read_text(errors="replace")
    assert exit_code == 0, first.log_tail()
    assert "Traceback" not in log, first.log_tail()
    assert "Waiting for" in log, "tasks were running when the SIGTERM came (taskiq's receiver waits for them)"

    assert await statuses(rt) == {"processed": EVENTS}, await unprocessed(rt)
    assert await attempts_and_errors(rt) == {(1, None): EVENTS}, "each event processed on its first attempt"
    invoices = [e["data"]["object"] for e in events]
    assert await grants_by_invoice(runtime) == {i["id"]: 1 for i in invoices}, "each handler's writes committed once"
    assert await ledger_grants(runtime) == ({i["id"]: 1 for i in invoices}, EVENTS)
    expected = dict.fromkeys(CUSTOMERS, 0)
    for invoice in invoices:
        expected[invoice["metadata"]["customer"]] += invoice["amount_paid"]
    async with rt.sessions() as session:
        ledger = Ledger(session, rt.tenants.get("alpha"))
        assert {c: (await ledger.balance(c)).balance for c in CUSTOMERS} == expected, "each grant applied once"
    await assert_ledger_verified(rt)
