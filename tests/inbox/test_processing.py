"""Processing: one claim per attempt, handlers in one transaction, retries with backoff, dead letters, the sweeper."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from core import clock
from core.app import create_app
from core.db import session_scope
from core.inbox.dispatch import handlers_for
from core.inbox.models import WebhookEvent
from core.inbox.repository import InboxRepository, NewEvent
from core.inbox.services import InboxProcessor
from core.inbox.tasks import process_event, sweep_inbox
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice, recorder
from tests.inbox.stripe_events import deliver, encode, event, invoice_paid, stripe_object
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import tenant_block

MAX_ATTEMPTS = 3


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"inbox": {"max_attempts": MAX_ATTEMPTS, "backoff_base_seconds": 10, "lease_seconds": 60}}


async def row_of(runtime: Runtime, stripe_event_id: str) -> WebhookEvent:
    async with runtime.sessions() as session:
        statement = select(WebhookEvent).where(WebhookEvent.stripe_event_id == stripe_event_id)
        return (await session.execute(statement)).scalar_one()


async def store_pending(runtime: Runtime, evt: dict[str, Any]) -> uuid.UUID:
    """Store an event as ingest does, but send no task (as if the broker was down)."""
    async with session_scope(runtime.sessions) as session:
        stored = NewEvent(
            tenant_id="alpha",
            stripe_event_id=evt["id"],
            event_type=evt["type"],
            object_id=evt["data"]["object"].get("id"),
            event_created=evt["created"],
            payload=encode(evt).decode(),
            status="pending",
        )
        row_id = await InboxRepository(session=session, tenant_id="alpha").insert_new(stored, clock.now())
    assert row_id is not None
    return row_id


async def settle(runtime: Runtime) -> None:
    await drain(runtime)


async def sweep(runtime: Runtime) -> int:
    sent = await sweep_inbox(runtime)
    await settle(runtime)
    return sent


async def test_a_failing_handler_is_retried_with_backoff_then_dead(runtime: Runtime, client: Any) -> None:
    evt = event("invoice.payment_failed", stripe_object("invoice"))
    await deliver(client, evt)
    await settle(runtime)
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts) == ("failed", 1)
    assert "RuntimeError: the recorder cannot handle failed payments" in (row.last_error or "")
    assert "'recorder' handler for invoice.payment_failed failed" in (row.last_error or "")
    delay = (row.next_attempt_at - clock.now()).total_seconds()
    assert 9 < delay <= 11.1, "the first retry waits the base backoff (plus up to 10% jitter)"

    assert await sweep(runtime) == 0, "not due yet"
    clock.advance(dt.timedelta(seconds=12))
    assert await sweep(runtime) == 1
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts) == ("failed", 2)
    assert 19 < (row.next_attempt_at - clock.now()).total_seconds() <= 22.1, "the backoff doubles"

    clock.advance(dt.timedelta(seconds=23))
    assert await sweep(runtime) == 1
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert "RuntimeError" in (row.last_error or ""), "the dead letter keeps its error"
    clock.advance(dt.timedelta(days=1))
    assert await sweep(runtime) == 0, "dead events stay dead until an operator replays them"


async def test_a_failed_attempt_leaves_no_effect_and_the_retry_applies_once(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid(300)
    recorder.FAILURES[evt["id"]] = 1
    await deliver(client, evt)
    await settle(runtime)
    assert (await row_of(runtime, evt["id"])).status == "failed"
    assert await grants_by_invoice(runtime) == {}, "the failed attempt's writes were rolled back"
    clock.advance(dt.timedelta(seconds=12))
    await sweep(runtime)
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts, row.last_error) == ("processed", 2, None)
    assert await grants_by_invoice(runtime) == {evt["data"]["object"]["id"]: 1}


async def test_the_sweeper_sends_events_whose_task_was_lost(runtime: Runtime) -> None:
    evt = invoice_paid()
    await store_pending(runtime, evt)
    assert await sweep(runtime) == 0, "a fresh pending event may still be in the queue"
    clock.advance(dt.timedelta(seconds=runtime.config.inbox.requeue_after_seconds + 1))
    assert await sweep(runtime) == 1
    assert (await row_of(runtime, evt["id"])).status == "processed"
    assert list((await grants_by_invoice(runtime)).values()) == [1]


async def test_a_dead_workers_lease_runs_out_and_the_event_is_taken_again(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    row_id = await store_pending(runtime, evt)
    async with session_scope(runtime.sessions) as session:
        repo = InboxRepository(session=session, tenant_id="alpha")
        # A worker claims it and dies before finishing.
        assert await repo.claim(row_id, lease_seconds=60, max_attempts=MAX_ATTEMPTS) is not None
    assert await process_event(runtime, "alpha", str(row_id)) is None, "leased to a worker that may be alive"
    assert (await row_of(runtime, evt["id"])).status == "processing"
    clock.advance(dt.timedelta(seconds=61))
    assert await sweep(runtime) == 1
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts) == ("processed", 2)
    assert list((await grants_by_invoice(runtime)).values()) == [1]


async def test_a_lease_that_runs_out_on_the_last_attempt_buries_the_event(runtime: Runtime) -> None:
    evt = invoice_paid()
    row_id = await store_pending(runtime, evt)
    async with session_scope(runtime.sessions) as session:
        repo = InboxRepository(session=session, tenant_id="alpha")
        for _ in range(MAX_ATTEMPTS):
            clock.advance(dt.timedelta(seconds=61))
            assert await repo.claim(row_id, lease_seconds=60, max_attempts=MAX_ATTEMPTS) is not None
    clock.advance(dt.timedelta(seconds=61))
    assert await sweep(runtime) == 0
    row = await row_of(runtime, evt["id"])
    assert row.status == "dead"
    assert "lease ran out" in (row.last_error or "")
    assert await grants_by_invoice(runtime) == {}


async def test_processing_twice_or_concurrently_applies_once(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid(pause_ms=50)
    receipt = (await deliver(client, evt)).json()
    results = await asyncio.gather(*(process_event(runtime, "alpha", receipt["id"]) for _ in range(5)))
    await settle(runtime)
    assert await process_event(runtime, "alpha", receipt["id"]) is None, "a processed event is left alone"
    assert results.count("processed") <= 1
    assert (await row_of(runtime, evt["id"])).status == "processed"
    assert list((await grants_by_invoice(runtime)).values()) == [1]


async def test_only_the_plugins_a_tenant_enabled_handle_its_events(runtime: Runtime, make_runtime: Any) -> None:
    other = make_runtime(tenants={"alpha": tenant_block("Alpha App", ["recorder"]), "beta": tenant_block("Beta App")})
    assert [p for p, _ in handlers_for(other, other.tenants.get("alpha"), "invoice.paid")] == ["recorder"]
    assert handlers_for(other, other.tenants.get("beta"), "invoice.paid") == []
    async with asgi_client(create_app(other)) as http:
        for_beta, for_alpha = invoice_paid(), invoice_paid()
        assert (await deliver(http, for_beta, "beta")).json()["status"] == "ignored"
        assert (await deliver(http, for_alpha, "alpha")).json()["status"] == "pending"
        await settle(other)
    assert (await row_of(other, for_beta["id"])).status == "ignored"
    assert (await row_of(other, for_alpha["id"])).status == "processed"
    assert await grants_by_invoice(other, "beta") == {}


async def test_an_event_ignored_at_processing_time_is_marked_so(runtime: Runtime) -> None:
    evt = event("coupon.created", stripe_object("coupon"))
    row_id = await store_pending(runtime, evt)
    assert await InboxProcessor(runtime).process("alpha", row_id) == "ignored"
    assert (await row_of(runtime, evt["id"])).status == "ignored"


class WorkerDied(BaseException):
    """Stands for `kill -9` in a handler: nothing after it runs, nothing uncommitted survives."""


async def test_an_event_that_kills_its_worker_every_time_ends_dead(runtime: Runtime) -> None:
    async def dies(_: Any) -> None:
        raise WorkerDied

    runtime.event_handlers["invoice.paid"] = [("recorder", dies)]
    evt = invoice_paid()
    row_id = await store_pending(runtime, evt)
    policy = runtime.config.inbox
    seen = []
    for _ in range(MAX_ATTEMPTS + 2):
        with pytest.raises(WorkerDied):
            await InboxProcessor(runtime).process("alpha", row_id)
        row = await row_of(runtime, evt["id"])
        seen.append((row.status, row.attempts))
        # Past the lease and the re-send delay: the sweeper's query reopens or buries the row.
        clock.advance(dt.timedelta(seconds=max(policy.lease_seconds, policy.requeue_after_seconds) + 1))
        async with session_scope(runtime.sessions) as session:
            await InboxRepository(session=session, tenant_id="alpha").resend_due(policy, MAX_ATTEMPTS)
        if (await row_of(runtime, evt["id"])).status == "dead":
            break
    # The first attempt is one transaction: the death leaves the row untouched. Once re-sent, every
    # attempt's claim is committed before the handlers run, so each death counts.
    assert seen == [("pending", 0), ("processing", 1), ("processing", 2), ("processing", 3)]
    row = await row_of(runtime, evt["id"])
    assert (row.status, row.attempts) == ("dead", MAX_ATTEMPTS)
    assert await grants_by_invoice(runtime) == {}
