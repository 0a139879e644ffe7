"""Jobs: the broker comes from settings; a real worker process runs a task against the local Redis."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
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
    finally:
        worker.stop()
        await producer.stop()


async def test_schedules_reach_the_scheduler_source(runtime: Any) -> None:
    schedules = await HookScheduleSource(runtime.jobs).get_schedules()
    example = [s for s in schedules if s.task_name == "example.touch_customer"]
    assert example and example[0].cron == "0 3 * * *"
