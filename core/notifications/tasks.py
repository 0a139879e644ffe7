"""Tasks of the outbox: deliver one notification (by id), and the sweeper that re-sends lost or due ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

from core.hookspecs import Schedule
from core.notifications.services import DELIVER_TASK, SWEEP_TASK, NotificationDelivery, NotificationService
from core.retries import resend_lost

SWEEP_INTERVAL_SECONDS = 5


async def deliver_notification(tenant: str, notification_id: str) -> str | None:
    """One delivery attempt; safe to run twice (a settled or leased row is left alone)."""
    from core.runtime import current

    return await NotificationDelivery(current()).deliver(tenant, uuid.UUID(notification_id))


async def sweep_notifications() -> int:
    """Re-send notifications whose task was lost or whose retry is due; returns how many."""
    from core.runtime import current

    runtime = current()
    return await resend_lost(
        runtime, NotificationService, runtime.config.outbox, lambda tenant: tenant.core.notifications.max_attempts
    )


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(deliver_notification, task_name=DELIVER_TASK),
        broker.register_task(sweep_notifications, task_name=SWEEP_TASK),
    ]


SCHEDULES = [Schedule(task_name=SWEEP_TASK, interval_seconds=SWEEP_INTERVAL_SECONDS)]
