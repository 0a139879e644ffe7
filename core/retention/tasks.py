"""Tasks of retention: the daily run sends one task per tenant; each prunes its tenant in short batches.

A tenant's task stops after `MAX_BATCHES` batches of a kind and sends itself again, so no task runs
long enough for the broker to hand it to a second worker (`jobs.idle_timeout_ms`); a second copy
running anyway takes other rows (skip-locked) or finds none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core.hookspecs import Schedule
from core.kernel import Kernel
from core.retention.policy import policy_for
from core.retention.services import Retention

TENANT_TASK = "retention.tenant"
DAILY_TASK = "retention.daily"
# Batches of each kind one task runs before it sends itself again.
MAX_BATCHES = 50


async def prune_tenant(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str) -> dict[str, int]:
    """Apply one tenant's policy; returns the rows pruned by kind. Safe twice, and resumable after a kill."""
    chosen = kernel.tenants.get(tenant)
    retention = Retention(kernel, chosen)
    if not retention.policy.enabled:
        return {}
    run = await retention.run(max_batches=MAX_BATCHES)
    if not run.complete:
        await kernel.jobs.send(TENANT_TASK, tenant=tenant)
    return run.pruned


async def prune_every_tenant(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """The daily run: one task per tenant whose retention is enabled; returns how many were sent."""
    slugs = enabled_tenants(kernel)
    for slug in slugs:
        await kernel.jobs.send(TENANT_TASK, tenant=slug)
    return len(slugs)


def enabled_tenants(kernel: Kernel) -> list[str]:
    return [t.slug for t in kernel.tenants if policy_for(kernel.config.retention, t).enabled]


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(prune_tenant, task_name=TENANT_TASK),
        broker.register_task(prune_every_tenant, task_name=DAILY_TASK),
    ]


def schedules(kernel: Kernel) -> list[Schedule]:
    """The daily run, while any tenant's retention is enabled (a tenant may enable it alone)."""
    return [Schedule(task_name=DAILY_TASK, cron=kernel.config.retention.cron)] if enabled_tenants(kernel) else []
