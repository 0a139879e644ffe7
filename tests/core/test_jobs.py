"""Jobs: the broker comes from settings; a real worker process runs a task against the local Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import select
from taskiq import InMemoryBroker
from taskiq_redis import RedisStreamBroker

from core.customers.models import Customer
from core.jobs import HookScheduleSource
from tests.support.tenants import default_tenants, secrets_document, tenant_block
from tests.support.worker import start_worker

pytestmark = pytest.mark.redis


def test_broker_comes_from_settings(make_runtime: Any, redis_url: str) -> None:
    assert isinstance(make_runtime().jobs.broker, InMemoryBroker)
    redis_runtime = make_runtime(jobs={"broker": "redis", "redis_url": redis_url, "queue_name": "q-settings"})
    assert isinstance(redis_runtime.jobs.broker, RedisStreamBroker)


async def test_real_worker_process_runs_a_task(
    make_runtime: Any, runtime: Any, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    queue = f"tollgate-test-{uuid.uuid4().hex[:8]}"
    tenants = default_tenants()
    tenants["alpha"] = tenant_block("Alpha App", ["example"])
    settings = {
        "database": {"url": pg_url},
        "jobs": {"broker": "redis", "redis_url": redis_url, "queue_name": queue, "consumer_group": queue},
        "tenants": tenants,
        "tenant_secrets": {"alpha": secrets_document("alpha"), "beta": secrets_document("beta")},
    }
    producer = make_runtime(**settings)
    await producer.start()
    worker = start_worker(settings, log=tmp_path / "worker.log")
    try:
        await producer.jobs.send(
            "example.touch_customer", tenant="alpha", customer="from-worker", email="w@example.com"
        )
        for _ in range(300):
            async with producer.sessions() as session:
                row = await session.scalar(select(Customer).where(Customer.external_id == "from-worker"))
            if row is not None:
                break
            await asyncio.sleep(0.1)
        assert row is not None, (tmp_path / "worker.log").read_text()[-3000:]
        assert (row.tenant_id, row.email) == ("alpha", "w@example.com")
        # The worker acknowledges in batches: every message it finished is acknowledged all the same.
        await producer.jobs.send_many("example.touch_customer", touches(*(f"batch{n}" for n in range(20))))
        with Redis.from_url(redis_url) as client:
            for _ in range(300):
                pending = client.xpending(queue, queue)["pending"]
                read = client.xinfo_groups(queue)[0]["entries-read"]
                if read == 21 and pending == 0:
                    break
                await asyncio.sleep(0.1)
        assert (read, pending) == (21, 0), (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.stop()
        await producer.stop()


async def test_schedules_reach_the_scheduler_source(runtime: Any) -> None:
    schedules = await HookScheduleSource(runtime.jobs).get_schedules()
    example = [s for s in schedules if s.task_name == "example.touch_customer"]
    assert example and example[0].cron == "0 3 * * *"


@pytest.fixture
async def streams(make_runtime: Any, redis_url: str) -> AsyncIterator[Any]:
    """A started runtime on its own Redis stream."""
    queue = f"tollgate-test-{uuid.uuid4().hex[:8]}"
    runtime = make_runtime(
        jobs={"broker": "redis", "redis_url": redis_url, "queue_name": queue, "consumer_group": queue}
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


def touches(*customers: str) -> list[dict[str, Any]]:
    return [{"tenant": "alpha", "customer": c, "email": f"{c}@example.com"} for c in customers]


def stream_entries(redis_url: str, runtime: Any) -> list[dict[str, Any]]:
    """Each entry's fields, and its message decoded (task id aside: taskiq makes a new one per send).

    A blocking client on purpose: reading never yields to the event loop, so the process's sender
    cannot run while a test looks.
    """
    with Redis.from_url(redis_url) as client:
        entries: list[tuple[bytes, dict[bytes, bytes]]] = client.xrange(runtime.jobs.broker.queue_name)
    decoded = []
    for _, fields in entries:
        message = json.loads(fields[b"data"])
        message.pop("task_id")
        decoded.append({"fields": sorted(fields), "message": message})
    return decoded


def customers_in(redis_url: str, runtime: Any) -> list[str]:
    return [e["message"]["kwargs"]["customer"] for e in stream_entries(redis_url, runtime)]


async def test_send_many_writes_what_kiq_writes(streams: Any, redis_url: str) -> None:
    calls = touches("c0", "c1", "c2")
    for kwargs in calls:
        await streams.jobs.send("example.touch_customer", **kwargs)
    by_kiq = stream_entries(redis_url, streams)
    await streams.jobs.send_many("example.touch_customer", calls)
    assert len(by_kiq) == 3
    assert stream_entries(redis_url, streams) == by_kiq + by_kiq, "the same entries, in the order given"


async def test_send_many_trims_the_stream_like_the_broker(streams: Any, redis_url: str) -> None:
    streams.jobs.broker.maxlen, streams.jobs.broker.approximate = 5, False
    await streams.jobs.send_many("example.touch_customer", touches(*(f"c{n}" for n in range(12))))
    assert customers_in(redis_url, streams) == [f"c{n}" for n in range(7, 12)]


async def test_send_soon_returns_before_sending_and_sent_waits(streams: Any, redis_url: str) -> None:
    await streams.jobs.send_soon("example.touch_customer", touches("a"))
    await streams.jobs.send_soon("example.touch_customer", touches("b"))
    assert customers_in(redis_url, streams) == [], "nothing is sent before the caller yields"
    await streams.jobs.sent()
    assert customers_in(redis_url, streams) == ["a", "b"]


async def test_a_failed_send_is_logged_and_the_next_one_still_goes(
    streams: Any, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A task name nobody registered: its send fails; the sender must survive it.
    await streams.jobs.send_soon("no.such_task", [{"x": 1}])
    await streams.jobs.send_soon("example.touch_customer", touches("c"))
    await streams.jobs.sent()
    assert "sending 1 no.such_task task(s) failed" in caplog.text
    assert customers_in(redis_url, streams) == ["c"]


async def test_send_soon_waits_once_its_backlog_is_full(streams: Any, redis_url: str) -> None:
    await streams.jobs.send_soon("example.touch_customer", touches("a", "b", "c"), backlog=4)
    assert customers_in(redis_url, streams) == []
    # Over the backlog: this caller waits until everything queued is sent.
    await streams.jobs.send_soon("example.touch_customer", touches("d", "e"), backlog=4)
    assert customers_in(redis_url, streams) == ["a", "b", "c", "d", "e"]
