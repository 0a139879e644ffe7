"""Reliability with real PostgreSQL, Redis and OpenBao: duplicates, disorder, a killed worker, outages.

(a) 1,000 events, each delivered 1-5 times in shuffled order, end as in-order single delivery;
(b) a worker killed with SIGKILL mid-processing: every event takes effect exactly once;
(c) Redis down while events arrive: every accepted event is processed once it is back;
(d) OpenBao down: cached secrets serve until their TTL, then 503, and nothing unverified is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core import clock
from core.app import create_app
from core.inbox.models import WebhookEvent
from core.inbox.tasks import sweep_inbox
from core.ledger.services import Ledger
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice, subscription_states
from tests.inbox.processes import private_redis, redis_jobs
from tests.inbox.stripe_events import deliver, encode, invoice_paid, signed, subscription_updated
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.ledger import assert_ledger_verified
from tests.support.services import start_openbao
from tests.support.tenants import auth, secrets_document

DELIVERY_CONCURRENCY = 16


async def statuses(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status))
        return dict(rows.all())  # type: ignore[arg-type]


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 90, every: float = 0.05) -> None:
    """Wait for a condition (a deadline, not a timing assertion: it only keeps a broken test from hanging)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not reached before the deadline")
        await asyncio.sleep(every)


async def deliver_all(http: httpx.AsyncClient, deliveries: list[dict[str, Any]]) -> None:
    gate = asyncio.Semaphore(DELIVERY_CONCURRENCY)

    async def one(evt: dict[str, Any]) -> None:
        async with gate:
            response = await deliver(http, evt)
            assert response.status_code == 200, response.text

    await asyncio.gather(*(one(evt) for evt in deliveries))


async def not_processed(runtime: Runtime) -> set[str]:
    async with runtime.sessions() as session:
        statement = select(WebhookEvent.stripe_event_id).where(WebhookEvent.status != "processed")
        return set(await session.scalars(statement))


async def unprocessed(runtime: Runtime) -> dict[str, str]:
    """Events not processed, with the summary of their error (what a failed assertion should show)."""
    async with runtime.sessions() as session:
        statement = select(WebhookEvent.stripe_event_id, WebhookEvent.status, WebhookEvent.last_error).where(
            WebhookEvent.status != "processed"
        )
        return {
            e: f"{status}: {(error or '').splitlines()[:1]}" for e, status, error in await session.execute(statement)
        }


async def test_a_thousand_events_delivered_many_times_in_any_order(
    runtime: Runtime, make_runtime: Any, db_url: str
) -> None:
    # A modest pool: the in-process broker runs up to 64 events at once, and the server is shared.
    pooled = make_runtime(database={"url": db_url, "pool_size": 12, "max_overflow": 0})
    async with asgi_client(create_app(pooled)) as client:
        await _a_thousand_events(pooled, client)


async def _a_thousand_events(runtime: Runtime, client: httpx.AsyncClient) -> None:
    rng = random.Random(20_251_122)
    customers = [f"cust-{i}" for i in range(20)]
    for customer in customers:
        assert (
            await client.put(f"/t/alpha/v1/customers/{customer}", json={}, headers=auth("alpha"))
        ).status_code == 201
    # Every invoice is counted in the recorder's table; one in four also goes through the ledger.
    invoices = [
        invoice_paid(rng.randint(1, 5_000), customer=rng.choice(customers) if n % 4 == 0 else None) for n in range(600)
    ]
    subscription_events = [
        subscription_updated(f"sub_{s}", rng.choice(["active", "past_due", "unpaid", "canceled"]), 1_700_000_000 + n)
        for s in range(40)
        for n in range(10)
    ]
    events = invoices + subscription_events
    assert len(events) == 1000
    deliveries = [evt for evt in events for _ in range(rng.randint(1, 5))]
    rng.shuffle(deliveries)

    await deliver_all(client, deliveries)
    await drain(runtime)

    assert await statuses(runtime) == {"processed": 1000}, await unprocessed(runtime)
    assert await grants_by_invoice(runtime) == {i["data"]["object"]["id"]: 1 for i in invoices}, "zero duplicates"
    newest = {e["data"]["object"]["id"]: e for e in sorted(subscription_events, key=lambda e: e["created"])}
    assert await subscription_states(runtime) == {sub: e["data"]["object"]["status"] for sub, e in newest.items()}
    expected: dict[str, int] = dict.fromkeys(customers, 0)
    for invoice in (i["data"]["object"] for i in invoices):
        if "customer" in invoice["metadata"]:
            expected[invoice["metadata"]["customer"]] += invoice["amount_paid"]
    async with runtime.sessions() as session:
        ledger = Ledger(session, runtime.tenants.get("alpha"))
        assert {c: (await ledger.balance(c)).balance for c in customers} == expected
    await assert_ledger_verified(runtime)


async def sweep_until_processed(runtime: Runtime, total: int) -> None:
    async def done() -> bool:
        await sweep_inbox(runtime)
        return (await statuses(runtime)).get("processed", 0) == total

    await until(done, every=0.5)


@pytest.mark.redis
async def test_a_worker_killed_mid_processing_applies_each_event_once(
    runtime: Runtime, make_runtime: Any, redis_url: str, worker_setup: Any
) -> None:
    inbox = {"lease_seconds": 2, "requeue_after_seconds": 2}
    setup = worker_setup(redis_url, inbox)
    first = setup.start()
    rt = make_runtime(jobs=redis_jobs(redis_url, setup.queue), inbox=inbox)
    events = [invoice_paid(pause_ms=300) for _ in range(120)]
    async with asgi_client(create_app(rt)) as http:
        await deliver_all(http, events)

        async def mid_processing() -> bool:
            counts = await statuses(rt)
            return counts.get("processed", 0) >= 10 and counts.get("processed", 0) < len(events)

        await until(mid_processing, every=0.02)
        # A first attempt is one transaction, so the events it was applying (each handler pauses
        # 300 ms after its write) are rolled back to `pending` by the kill, their grants with them.
        first.kill()
        interrupted = await not_processed(rt)
        assert interrupted
        setup.start()
        await sweep_until_processed(rt, len(events))

    assert await grants_by_invoice(runtime) == {e["data"]["object"]["id"]: 1 for e in events}
    await assert_ledger_verified(runtime)
    async with rt.sessions() as session:
        statement = select(WebhookEvent.stripe_event_id).where(WebhookEvent.stripe_event_id.in_(interrupted))
        resent = await session.scalars(statement.where(WebhookEvent.next_attempt_at > WebhookEvent.created_at))
        # Those the dead worker held (unacknowledged) came back through the sweeper; the rest were still queued.
        assert set(resent), "the events in flight at the kill were sent again"


@pytest.mark.redis
async def test_events_accepted_while_redis_is_down_are_processed_when_it_returns(
    runtime: Runtime, make_runtime: Any, worker_setup: Any
) -> None:
    with private_redis() as server:
        inbox = {"requeue_after_seconds": 1}
        setup = worker_setup(server.url, inbox)
        rt = make_runtime(jobs=redis_jobs(server.url, setup.queue), inbox=inbox)
        before, during = [invoice_paid() for _ in range(20)], [invoice_paid() for _ in range(20)]
        async with asgi_client(create_app(rt)) as http:
            await deliver_all(http, before)
            server.stop()
            await deliver_all(http, during)
            assert await statuses(rt) == {"pending": 40}, "accepted and stored, none processed yet"
            server.start()  # empty: whatever was queued before the outage is gone too
            setup.start()
            await sweep_until_processed(rt, 40)
    assert await grants_by_invoice(runtime) == {e["data"]["object"]["id"]: 1 for e in before + during}
    await assert_ledger_verified(runtime)


@pytest.mark.vault
async def test_openbao_down_serves_cached_secrets_until_the_ttl_then_503(runtime: Runtime, make_runtime: Any) -> None:
    bao = await asyncio.to_thread(start_openbao)
    try:
        bao.put_tenant("alpha", secrets_document("alpha"))
        rt = make_runtime(
            secrets={"backend": "vault", "ttl_seconds": 60},
            vault={"url": bao.url, "token": bao.root_token, "auth": "token"},
        )
        async with asgi_client(create_app(rt)) as http:
            assert (await deliver(http, invoice_paid())).status_code == 200  # reads and caches the secrets
            bao.stop()
            assert (await deliver(http, invoice_paid())).status_code == 200, "served from the cache"
            forged = encode(invoice_paid())
            refused = await http.post(
                "/t/alpha/webhooks/stripe", content=forged, headers=signed(forged, secrets=["whsec_forged"])
            )
            assert refused.status_code == 400, "a bad signature is refused even when the refresh fails"
            clock.advance(dt.timedelta(seconds=61))
            late = await deliver(http, invoice_paid())
            assert late.status_code == 503
            assert late.json()["error"]["code"] == "secrets_unavailable"
            await drain(rt)
        assert await statuses(rt) == {"processed": 2}, "only the two verified events were stored"
    finally:
        bao.stop()
