"""The schedule's task grants the free tier's monthly allowance to every customer without a plan, once a month,
on PostgreSQL and on the embedded SQLite alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core import clock
from core.ledger.models import CreditGrant
from core.runtime import Runtime
from plugins.subscriptions.periods import add_months, calendar_month
from plugins.subscriptions.tasks import ALLOWANCES_TASK
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import create_customer, subscribed
from tests.support.jobs import drain


async def free_grants(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        statement = select(CreditGrant.source_ref).where(CreditGrant.source == "subscriptions.free")
        return sorted((await session.scalars(statement)).all())


async def run_schedule(runtime: Runtime) -> None:
    assert any(s.task_name == ALLOWANCES_TASK and s.interval_seconds for s in runtime.jobs.schedules)
    await runtime.jobs.send(ALLOWANCES_TASK)
    await runtime.jobs.send(ALLOWANCES_TASK)  # two runs side by side grant nothing twice
    await drain(runtime)


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_the_free_allowance_goes_to_every_customer_without_a_plan_once_a_month(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    for customer in ("a-1", "a-2"):
        await create_customer(client, customer)
    await subscribed(runtime, client, stripe_emulator, alpha_key)  # cust-1 subscribes to basic

    await run_schedule(runtime)
    month = calendar_month(clock.now()).start
    assert await free_grants(runtime) == [f"a-1:{month:%Y-%m}", f"a-2:{month:%Y-%m}"]

    clock.advance(add_months(month, 1) - clock.now() + dt.timedelta(minutes=1))
    await run_schedule(runtime)
    following = add_months(month, 1)
    assert await free_grants(runtime) == sorted(
        [f"a-1:{month:%Y-%m}", f"a-2:{month:%Y-%m}", f"a-1:{following:%Y-%m}", f"a-2:{following:%Y-%m}"]
    )
