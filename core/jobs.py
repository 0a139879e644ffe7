"""Background jobs: the taskiq broker from settings, task registration, enqueue-after-commit, schedules.

Embedded (`jobs.broker = "memory"`): taskiq's InMemoryBroker runs tasks in the web process and an
embedded scheduler loop sends the cron schedules. Production (`"redis"`): RedisStreamBroker, which
acknowledges and redelivers (at least once) — `taskiq worker core.worker:broker` and
`taskiq scheduler core.worker:scheduler` run beside the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, InMemoryBroker, ScheduleSource, TaskiqScheduler
from taskiq.scheduler.scheduled_task import ScheduledTask

from core.db import after_commit
from core.hookspecs import Schedule
from core.settings import JobsConfig

logger = logging.getLogger("tollgate.jobs")


def build_broker(config: JobsConfig) -> AsyncBroker:
    if config.broker == "redis":
        from taskiq_redis import RedisStreamBroker

        return RedisStreamBroker(
            url=config.redis_url,
            queue_name=config.queue_name,
            consumer_group_name=config.consumer_group,
            idle_timeout=config.idle_timeout_ms,
        )
    return InMemoryBroker(max_async_tasks=64)


class Jobs:
    """The broker plus every task the kernel and the plugins registered, by name."""

    def __init__(self, broker: AsyncBroker) -> None:
        self.broker = broker
        self.tasks: dict[str, AsyncTaskiqDecoratedTask[Any, Any]] = {}
        self.schedules: list[Schedule] = []
        # A client on the broker's own connection pool, for `send_many` (made on first use).
        self._redis: Any = None

    def add_tasks(self, tasks: Sequence[AsyncTaskiqDecoratedTask[Any, Any]]) -> None:
        for task in tasks:
            if task.task_name in self.tasks:
                raise ValueError(f"two tasks are named {task.task_name!r}")
            self.tasks[task.task_name] = task

    def add_schedules(self, schedules: Sequence[Schedule]) -> None:
        for schedule in schedules:
            if schedule.task_name not in self.tasks:
                raise ValueError(f"schedule names unknown task {schedule.task_name!r}")
            self.schedules.append(schedule)

    async def send(self, task_name: str, **kwargs: Any) -> None:
        """Enqueue now (use `enqueue` inside a transaction)."""
        await self.tasks[task_name].kiq(**kwargs)

    async def send_many(self, task_name: str, calls: Sequence[dict[str, Any]]) -> None:
        """Enqueue one task per keyword set now: on Redis streams in one round trip, else one by one.

        The stream entries are exactly what `RedisStreamBroker.kick` writes for each `kiq` (the same
        message, middlewares and formatter), so a worker cannot tell them apart.
        """
        from taskiq.utils import maybe_awaitable
        from taskiq_redis import RedisStreamBroker

        broker = self.broker
        if not isinstance(broker, RedisStreamBroker):
            for kwargs in calls:
                await self.send(task_name, **kwargs)
            return
        from redis.asyncio import Redis

        kicker = self.tasks[task_name].kicker()
        entries = []
        for kwargs in calls:
            # taskiq builds a message only inside `kiq`, which also sends it; this is its first half.
            message = kicker._prepare_message(**kwargs)
            for middleware in broker.middlewares:
                message = await maybe_awaitable(middleware.pre_send(message))
            entries.append((message, broker.formatter.dumps(message)))
        if self._redis is None:
            self._redis = Redis(connection_pool=broker.connection_pool)
        pipeline = self._redis.pipeline(transaction=False)
        for _, sent in entries:
            queue = sent.labels.get("queue_name") or broker.queue_name
            pipeline.xadd(queue, {b"data": sent.message}, maxlen=broker.maxlen, approximate=broker.approximate)
        await pipeline.execute()
        for message, _ in entries:
            for middleware in reversed(broker.middlewares):
                await maybe_awaitable(middleware.post_send(message))

    def enqueue(self, session: AsyncSession, task_name: str, **kwargs: Any) -> None:
        """Enqueue once `session` commits; a rolled-back transaction never starts a job."""
        if task_name not in self.tasks:
            raise KeyError(f"no task named {task_name!r}")

        async def _send() -> None:
            await self.send(task_name, **kwargs)

        after_commit(session, _send)

    @property
    def embedded(self) -> bool:
        return isinstance(self.broker, InMemoryBroker)

    async def ping(self) -> None:
        """Raise when the broker cannot be reached (readiness)."""
        if self.embedded:
            return
        from redis.asyncio import Redis

        pool = getattr(self.broker, "connection_pool", None)
        if pool is not None:
            async with Redis(connection_pool=pool) as redis:
                await redis.ping()


class HookScheduleSource(ScheduleSource):
    """Schedules contributed through the `tollgate_schedules` hook, for taskiq's scheduler."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs

    async def get_schedules(self) -> list[ScheduledTask]:
        return [
            ScheduledTask(
                task_name=s.task_name,
                labels={},
                args=[],
                kwargs=dict(s.kwargs),
                cron=s.cron,
                interval=s.interval_seconds,
                schedule_id=f"{s.task_name}:{s.cron or s.interval_seconds}",
            )
            for s in self.jobs.schedules
        ]


def build_scheduler(jobs: Jobs) -> TaskiqScheduler:
    return TaskiqScheduler(broker=jobs.broker, sources=[HookScheduleSource(jobs)])


class EmbeddedScheduler:
    """taskiq's scheduler loop inside the web process, for the embedded (single-process) shape."""

    def __init__(self, jobs: Jobs) -> None:
        self._scheduler = build_scheduler(jobs)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        from taskiq.cli.scheduler.run import SchedulerLoop

        # Sweeps run every few seconds; taskiq's INFO line per send would drown the request log.
        for name in ("taskiq.cli.scheduler.run", "taskiq.receiver.receiver"):
            logging.getLogger(name).setLevel(logging.WARNING)

        loop = SchedulerLoop(self._scheduler, event_loop=asyncio.get_running_loop())
        self._task = asyncio.create_task(loop.run(skip_first_run=True))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
