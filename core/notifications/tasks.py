"""Tasks of the outbox: deliver one notification (by id), and the sweeper that re-sends lost or due ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core import metrics
from core.hookspecs import Schedule
from core.kernel import Kernel
from core.notifications.services import DELIVER_TASK, SWEEP_TASK, NotificationDelivery, NotificationService
from core.retries import resend_lost

SWEEP_INTERVAL_SECONDS = 5


async def deliver_notification(
    kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, notification_id: str
) -> str | None:
    """One delivery attempt; safe to run twice (a settled or leased row is left alone)."""
    status = await NotificationDelivery(kernel).deliver(tenant, uuid.UUID(notification_id))
    metrics.notification_attempted(tenant, status)
    return status


async def sweep_notifications(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """Re-send notifications whose task was lost or whose retry is due; returns how many."""
    runtime = kernel
    return await resend_lost(
        runtime, NotificationService, runtime.config.outbox, lambda tenant: tenant.core.notifications.max_attempts
    )


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(deliver_notification, task_name=DELIVER_TASK),
        broker.register_task(sweep_notifications, task_name=SWEEP_TASK),
    ]


SCHEDULES = [Schedule(task_name=SWEEP_TASK, interval_seconds=SWEEP_INTERVAL_SECONDS)]
