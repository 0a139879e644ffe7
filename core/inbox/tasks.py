"""Tasks of the inbox: process one stored event (by id), the sweeper that re-sends lost or due ones, and the
Stripe event backfill of every tenant that is due (core/inbox/backfill.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, TaskiqDepends

from core import metrics
from core.hookspecs import Schedule
from core.inbox.services import PROCESS_TASK, SWEEP_TASK, InboxProcessor, WebhookEventService
from core.kernel import Kernel
from core.retries import resend_lost, waiting_by_tenant

SWEEP_INTERVAL_SECONDS = 5
BACKFILL_TASK = "inbox.backfill"
# The task looks for tenants due every minute; each one is read every `stripe_backfill.interval_seconds` (>= 60).
BACKFILL_TICK_SECONDS = 60


async def process_event(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, event_id: str) -> str | None:
    """One processing attempt; safe to run twice (a settled or leased event is left alone)."""
    return await processor_of(kernel).process(tenant, uuid.UUID(event_id))


def processor_of(kernel: Kernel) -> InboxProcessor:
    """The kernel's processor, kept between tasks (it caches each tenant's handlers)."""
    processors: dict[str, InboxProcessor] = kernel.state
    if PROCESS_TASK not in processors:
        processors[PROCESS_TASK] = InboxProcessor(kernel)
    return processors[PROCESS_TASK]


async def sweep_inbox(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """Re-send events whose task was lost (broker down, worker killed) or whose retry is due; returns how many.

    Then it samples each tenant's backlog for the metrics (an indexed count of the waiting rows).
    """
    runtime = kernel
    policy = runtime.config.inbox
    sent = await resend_lost(runtime, WebhookEventService, policy, lambda _: policy.max_attempts)
    metrics.inbox_backlog(await waiting_by_tenant(runtime, WebhookEventService))
    return sent


async def backfill_stripe_events(kernel: Annotated[Kernel, TaskiqDepends()]) -> int:
    """Read back the Stripe events of every tenant due (`stripe_backfill`); returns how many tenants were read.

    Safe to run twice and side by side: each tenant is leased by one run, and skipped until it is due again.
    """
    from core.inbox.backfill import backfill_due

    return await backfill_due(kernel)


def register(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    return [
        broker.register_task(process_event, task_name=PROCESS_TASK),
        broker.register_task(sweep_inbox, task_name=SWEEP_TASK),
        broker.register_task(backfill_stripe_events, task_name=BACKFILL_TASK),
    ]


SCHEDULES = [
    Schedule(task_name=SWEEP_TASK, interval_seconds=SWEEP_INTERVAL_SECONDS),
    Schedule(task_name=BACKFILL_TASK, interval_seconds=BACKFILL_TICK_SECONDS),
]
