"""The metrics rollup's tasks: the daily run sends one task per tenant; each rolls up its tenant's closed days.

A tenant's task fills every family the way a metrics request would (the kernel's families here, the
plugins' through `tollgate_admin_figures`, which fill theirs as they answer), in one transaction. Safe
twice and side by side: a fill that finds its days built does nothing (core/analytics/rollup.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core import clock
from core.analytics.credits import ENTRIES, GRANTS
from core.analytics.operations import EVENTS, lag_counts
from core.analytics.rollup import fill, rebuilding
from core.analytics.series import Series
from core.db import session_scope
from core.hookspecs import Schedule
from core.kernel import Kernel

TENANT_TASK = "analytics.rollup_tenant"
DAILY_TASK = "analytics.rollup_daily"


async def roll_up_tenant(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str) -> None:
    """Roll up one tenant's closed days not yet rolled up, and rebuild the days changed since."""
    chosen = kernel.tenants.get(tenant)
    async with session_scope(kernel.sessions) as session:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        rebuilding(session)
        now = clock.now()
        series = Series.of(None, now, "day", None, now=now, dialect=dialect)
        await kernel.ask(
            "tollgate_admin_figures", chosen, session=session, since=series.since, until=series.until, series=series
        )
        for daily in (GRANTS, ENTRIES, EVENTS, lag_counts(dialect)):
            await fill(session, chosen, daily, dialect)


async def roll_up_every_tenant(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """The daily run: one task per tenant; returns how many were sent."""
    slugs = [t.slug for t in kernel.tenants]
    for slug in slugs:
        await kernel.jobs.send(TENANT_TASK, tenant=slug)
    return len(slugs)


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(roll_up_tenant, task_name=TENANT_TASK),
        broker.register_task(roll_up_every_tenant, task_name=DAILY_TASK),
    ]


def schedules(kernel: Kernel) -> list[Schedule]:
    return [Schedule(task_name=DAILY_TASK, cron=kernel.config.analytics.cron)] if kernel.config.analytics.rollup else []
