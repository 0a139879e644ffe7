"""The ledger's jobs: settle lapsed grants and holds in short batches, and warn of credits about to expire.

Both take no objects, open a session per batch and are safe to run twice or side by side: each
account is locked (rows another worker holds are skipped) and re-read before anything changes,
and every batch commits on its own, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core.db import session_scope
from core.hookspecs import Schedule
from core.kernel import Kernel
from core.ledger.services import Ledger

EXPIRE_TASK = "core.ledger.expire"
NOTIFY_EXPIRING_TASK = "core.ledger.notify_expiring"
BATCH_SIZE = 200
MAX_BATCHES = 100
# Expiry holds each batch's accounts until it commits, and spends of those customers wait for
# them: small batches (set-based, one call each on PostgreSQL) keep every hold to milliseconds.
EXPIRE_BATCH_SIZE = 25
EXPIRE_MAX_BATCHES = 2000


async def expire_credits(
    kernel: Annotated[Kernel, TaskiqDepends()],
    batch_size: int = EXPIRE_BATCH_SIZE,
    max_batches: int = EXPIRE_MAX_BATCHES,
) -> int:
    """Release expired holds and expire lapsed grants for every tenant; returns accounts settled."""
    runtime = kernel
    settled = 0
    for tenant in runtime.tenants:
        for _ in range(max_batches):
            async with session_scope(runtime.sessions) as session:
                done = await Ledger(session, tenant).settle_due(batch_size)
            settled += done
            if done < batch_size:
                break
    return settled


async def notify_expiring(
    kernel: Annotated[Kernel, TaskiqDepends()], batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> int:
    """Send `credits.expiring_soon` once per grant entering its tenant's warning window."""
    runtime = kernel
    sent = 0
    for tenant in runtime.tenants:
        window = tenant.core.ledger.expiring_soon_seconds
        if not window or not tenant.core.notifications.url:
            continue
        for _ in range(max_batches):
            async with session_scope(runtime.sessions) as session:
                done = await Ledger(session, tenant).notify_expiring(dt.timedelta(seconds=window), batch_size)
            sent += done
            if done < batch_size:
                break
    return sent


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(expire_credits, task_name=EXPIRE_TASK),
        broker.register_task(notify_expiring, task_name=NOTIFY_EXPIRING_TASK),
    ]


SCHEDULES = [
    Schedule(task_name=EXPIRE_TASK, interval_seconds=60),
    Schedule(task_name=NOTIFY_EXPIRING_TASK, interval_seconds=900),
]
