"""Worker tasks: hand out allowances that fall due (yearly plans' months, the free tier's month) and reconcile.

Both take no objects, work in short batches (each its own transaction) and are safe to run twice or
side by side: every allowance is unique on its (source, source_ref), and due subscriptions are
locked with SKIP LOCKED so two runs split the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core import clock
from core.db import session_scope
from core.hookspecs import Schedule
from core.kernel import Kernel
from plugins.subscriptions.allowances import Allowances
from plugins.subscriptions.config import PLUGIN, config_of
from plugins.subscriptions.periods import calendar_month
from plugins.subscriptions.reconcile import RECONCILE_TASK, reconcile_all
from plugins.subscriptions.repository import AllowanceRepository, SubscriptionRepository
from tenants.registry import Tenant

ALLOWANCES_TASK = "subscriptions.grant_allowances"
BATCH_SIZE = 200
MAX_BATCHES = 500


async def grant_allowances(kernel: Annotated[Kernel, TaskiqDepends()], batch_size: int = BATCH_SIZE) -> int:
    """Grant every allowance due now, for every tenant that enables the plugin; returns how many were looked at."""
    runtime = kernel
    done = 0
    for tenant in runtime.tenants:
        if tenant.enabled(PLUGIN):
            done += await _yearly_months(runtime, tenant, batch_size)
            done += await _free_months(runtime, tenant, batch_size)
    return done


async def _yearly_months(runtime: Any, tenant: Tenant, batch_size: int) -> int:
    now = clock.now()
    done = 0
    for _ in range(MAX_BATCHES):
        async with session_scope(runtime.sessions) as session:
            repo = SubscriptionRepository(session=session, tenant_id=tenant.slug)
            allowances = Allowances(session, tenant)
            due = await repo.allowance_due(now, batch_size)
            for subscription_id in due:
                row = await repo.by_stripe_id(subscription_id, for_update=True)
                if row is not None:
                    await allowances.yearly_month(row, now)
        done += len(due)
        if len(due) < batch_size:
            break
    return done


async def _free_months(runtime: Any, tenant: Tenant, batch_size: int) -> int:
    default = config_of(tenant).default
    if default.unlimited or not default.credits_per_month:
        return 0
    now = clock.now()
    month = calendar_month(now)
    done = 0
    for _ in range(MAX_BATCHES):
        async with session_scope(runtime.sessions) as session:
            customers = await AllowanceRepository(session=session, tenant_id=tenant.slug).customers_without_free(
                month.start, batch_size
            )
            allowances = Allowances(session, tenant)
            for customer in customers:
                await allowances.free(customer, now)
        done += len(customers)
        if len(customers) < batch_size:
            break
    return done


async def reconcile(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str | None = None) -> int:
    """Reconcile one tenant's subscriptions with Stripe (or every tenant's); returns how many drifted."""
    return await reconcile_all(kernel, [tenant] if tenant else None)


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(grant_allowances, task_name=ALLOWANCES_TASK),
        broker.register_task(reconcile, task_name=RECONCILE_TASK),
    ]


SCHEDULES = [
    # Often enough that a yearly plan's next month or a new month's free credits are never long late.
    Schedule(task_name=ALLOWANCES_TASK, interval_seconds=300),
    Schedule(task_name=RECONCILE_TASK, cron="41 3 * * *"),
]
