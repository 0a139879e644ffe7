"""Tasks of the inbox: process one stored event (by id), and the sweeper that re-sends lost or due ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

from core.hookspecs import Schedule
from core.inbox.services import PROCESS_TASK, SWEEP_TASK, InboxProcessor, WebhookEventService
from core.retries import resend_lost

SWEEP_INTERVAL_SECONDS = 5


async def process_event(tenant: str, event_id: str) -> str | None:
    """One processing attempt; safe to run twice (a settled or leased event is left alone)."""
    return await _processor().process(tenant, uuid.UUID(event_id))


_processors: list[InboxProcessor] = []


def _processor() -> InboxProcessor:
    """The process's processor, kept between tasks (it caches each tenant's handlers)."""
    from core.runtime import current

    runtime = current()
    if not _processors or _processors[0].runtime is not runtime:
        _processors[:] = [InboxProcessor(runtime)]
    return _processors[0]


async def sweep_inbox() -> int:
    """Re-send events whose task was lost (broker down, worker killed) or whose retry is due; returns how many."""
    from core.runtime import current

    runtime = current()
    policy = runtime.config.inbox
    return await resend_lost(runtime, WebhookEventService, policy, lambda _: policy.max_attempts)


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(process_event, task_name=PROCESS_TASK),
        broker.register_task(sweep_inbox, task_name=SWEEP_TASK),
    ]


SCHEDULES = [Schedule(task_name=SWEEP_TASK, interval_seconds=SWEEP_INTERVAL_SECONDS)]
