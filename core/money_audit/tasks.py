"""Tasks of the money audit: the daily run sends one audit per tenant; each audits one tenant's period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core import clock
from core.hookspecs import Schedule
from core.kernel import Kernel
from core.money_audit.services import MoneyAudit

if TYPE_CHECKING:
    from core.settings import MoneyAuditConfig

RUN_TASK = "money_audit.run"
DAILY_TASK = "money_audit.daily"


async def audit_tenant(
    kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, since: str, until: str, repair: bool = False
) -> str:
    """Audit one tenant's `[since, until)` (ISO datetimes); returns the run's id. A second run changes no money."""
    run = await MoneyAudit(kernel, kernel.tenants.get(tenant)).run(
        dt.datetime.fromisoformat(since), dt.datetime.fromisoformat(until), trigger="schedule", repair=repair
    )
    return str(run)


async def audit_every_tenant(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """The daily run: one audit task per tenant over the last `lookback_days`; returns how many were sent."""
    config = kernel.config.money_audit
    if not config.enabled:
        return 0
    until = clock.now()
    since = until - dt.timedelta(days=config.lookback_days)
    slugs = kernel.tenants.slugs()
    for slug in slugs:
        await kernel.jobs.send(RUN_TASK, tenant=slug, since=since.isoformat(), until=until.isoformat())
    return len(slugs)


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(audit_tenant, task_name=RUN_TASK),
        broker.register_task(audit_every_tenant, task_name=DAILY_TASK),
    ]


def schedules(config: MoneyAuditConfig) -> list[Schedule]:
    return [Schedule(task_name=DAILY_TASK, cron=config.cron)] if config.enabled else []
