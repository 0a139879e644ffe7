"""The expiry job: bounded batches, safe to run twice or side by side, resumable after a kill; expiring-soon notices."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from core import clock
from core.ledger.models import CreditGrant, CreditHold, LedgerEntry
from core.ledger.tasks import EXPIRE_TASK, NOTIFY_EXPIRING_TASK, expire_credits, notify_expiring
from core.runtime import Runtime
from tests.ledger.conftest import assert_invariants, low_balance_runtime, low_notices
from tests.ledger.test_service import add_customer, run
from tests.support.tenants import default_tenants, tenant_block

DAY = dt.timedelta(days=1)
CUSTOMERS = 25


async def seed(runtime: Runtime, customers: int = CUSTOMERS) -> None:
    """Each customer: 10 credits expiring tomorrow, 3 that never expire, and a hold of 2 for an hour."""
    for i in range(customers):
        c = await add_customer(runtime, f"c{i}")
        await run(
            runtime, lambda lg, c=c: lg.grant(c, 10, source="t", source_ref=f"{c}-e", expires_at=clock.now() + DAY)
        )
        await run(runtime, lambda lg, c=c: lg.grant(c, 3, source="t", source_ref=f"{c}-k"))
        await run(runtime, lambda lg, c=c: lg.hold(c, 2, ttl_seconds=3600))


async def counts(runtime: Runtime) -> tuple[int, int, int]:
    async with runtime.sessions() as session:
        expire_entries = await session.scalar(select(func.count()).where(LedgerEntry.kind == "expire"))
        expired = await session.scalar(select(func.coalesce(func.sum(CreditGrant.expired), 0)))
        active = await session.scalar(select(func.count()).where(CreditHold.status == "active"))
    return int(expire_entries or 0), int(expired or 0), int(active or 0)


async def test_job_is_registered_and_scheduled(runtime: Runtime) -> None:
    assert {EXPIRE_TASK, NOTIFY_EXPIRING_TASK} <= set(runtime.jobs.tasks)
    assert {s.task_name for s in runtime.jobs.schedules} >= {EXPIRE_TASK, NOTIFY_EXPIRING_TASK}


async def test_expires_in_batches_and_is_safe_to_run_twice(runtime: Runtime) -> None:
    await seed(runtime)
    assert await expire_credits(runtime, batch_size=10) == 0, "nothing has lapsed yet"
    clock.advance(DAY + dt.timedelta(seconds=1))
    assert await expire_credits(runtime, batch_size=10) == CUSTOMERS
    # Holds lapse first (their 2 credits go back), then all 10 of the grant expire.
    assert await counts(runtime) == (CUSTOMERS, CUSTOMERS * 10, 0)
    assert await expire_credits(runtime, batch_size=10) == 0
    assert await counts(runtime) == (CUSTOMERS, CUSTOMERS * 10, 0)
    shown = await run(runtime, lambda lg: lg.balance("c0"))
    assert (shown.balance, shown.held) == (3, 0)
    await assert_invariants(runtime.engine)


async def test_concurrent_runs_expire_each_grant_once(runtime: Runtime) -> None:
    await seed(runtime)
    clock.advance(DAY + dt.timedelta(seconds=1))
    settled = await asyncio.gather(*(expire_credits(runtime, batch_size=4) for _ in range(4)))
    assert sum(settled) == CUSTOMERS
    assert await counts(runtime) == (CUSTOMERS, CUSTOMERS * 10, 0)
    await assert_invariants(runtime.engine)


async def test_resumes_after_a_kill(runtime: Runtime) -> None:
    await seed(runtime)
    clock.advance(DAY + dt.timedelta(seconds=1))
    # A run stopped after its first batch leaves the rest for the next run...
    assert await expire_credits(runtime, batch_size=10, max_batches=1) == 10
    assert (await counts(runtime))[0] == 10
    # ...and one cancelled mid-flight rolls back its open batch and loses nothing either.
    task = asyncio.create_task(expire_credits(runtime, batch_size=3))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await expire_credits(runtime, batch_size=10)
    assert await counts(runtime) == (CUSTOMERS, CUSTOMERS * 10, 0)
    await assert_invariants(runtime.engine)


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["alpha"] = tenant_block(
        "Alpha App", notifications={"url": "http://127.0.0.1:9/hooks"}, ledger={"expiring_soon_seconds": 2 * 86400}
    )
    return tenants


async def test_expiring_soon_notices_go_out_once(runtime: Runtime) -> None:
    from core.notifications.models import Notification

    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="soon", expires_at=clock.now() + 3 * DAY))
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="later", expires_at=clock.now() + 30 * DAY))
    assert await notify_expiring(runtime) == 0
    clock.advance(DAY + dt.timedelta(hours=1))
    assert await notify_expiring(runtime) == 1
    assert await notify_expiring(runtime) == 0
    async with runtime.sessions() as session:
        rows = (await session.scalars(select(Notification).order_by(Notification.created_at))).all()
    kinds = [r.event_type for r in rows]
    assert kinds.count("credits.expiring_soon") == 1
    assert kinds.count("credits.granted") == 2
    notice = next(r for r in rows if r.event_type == "credits.expiring_soon")
    assert (notice.data["customer"], notice.data["credits"]) == (c, 10)


async def test_low_balance_notice(runtime: Runtime, make_runtime: Any) -> None:
    low = low_balance_runtime(make_runtime)
    c = await add_customer(low)
    await run(low, lambda lg: lg.grant(c, 15, source="t", source_ref="g"))
    await run(low, lambda lg: lg.spend(c, 3))
    await run(low, lambda lg: lg.spend(c, 3))
    await run(low, lambda lg: lg.spend(c, 3))
    assert await low_notices(low) == [9]
