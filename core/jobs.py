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
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

import msgspec
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, InMemoryBroker, ScheduleSource, TaskiqScheduler
from taskiq.scheduler.scheduled_task import ScheduledTask
from taskiq_redis import RedisStreamBroker

from core.batching import GroupCommit
from core.db import after_commit
from core.settings import JobsConfig

logger = logging.getLogger("tollgate.jobs")

# `XADD <stream> [MAXLEN ~|= n] * data <message>` for each message, as `RedisStreamBroker.kick` does.
# ARGV: maxlen ("" for none), "~" (approximate) or "=", then the messages.
_XADD_ALL = """
for i = 3, #ARGV do
  if ARGV[1] == '' then
    redis.call('XADD', KEYS[1], '*', 'data', ARGV[i])
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], ARGV[1], '*', 'data', ARGV[i])
  end
end
return #ARGV - 2
"""


K = TypeVar("K")
V = TypeVar("V")


def _by_key(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    """The values of (key, value) pairs grouped by key, both in the order first seen."""
    grouped: dict[K, list[V]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


class Schedule(msgspec.Struct, frozen=True):
    """A recurring job: the registered task's name and a cron line (UTC) or an interval."""

    task_name: str
    cron: str | None = None
    interval_seconds: int | None = None
    kwargs: dict[str, Any] = {}


class StreamBroker(RedisStreamBroker):  # type: ignore[misc]
    """taskiq-redis's stream broker, acknowledging in batches.

    taskiq-redis sends one XACK per finished task on a client made for it, which cost a worker
    about a third of the CPU of processing a Stripe event. Here a task's acknowledgement waits for
    one XACK, on one held connection, of every message that finished meanwhile: the same
    acknowledgement (a message is acknowledged only once its task is done), in one round trip.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (queue, message id) of the tasks finished since the last XACK.
        self._unacked: GroupCommit[tuple[str, str], None] = GroupCommit(self._xack)
        self._ack_client: Any = None

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:  # noqa: A002 - taskiq's name
        async def ack() -> None:
            await self._unacked.submit((queue_name, id))

        return ack

    async def _xack(self, finished: list[tuple[str, str]]) -> list[Exception | None]:
        """One XACK per queue for the messages finished meanwhile; a failed one fails its tasks' acks."""
        if self._ack_client is None:
            self._ack_client = Redis(connection_pool=self.connection_pool, single_connection_client=True)
        failed: dict[str, Exception] = {}
        for queue, ids in _by_key(finished).items():
            try:
                await self._ack_client.xack(queue, self.consumer_group_name, *ids)
            except Exception as exc:  # each task's ack fails as taskiq-redis's own would
                failed[queue] = exc
        return [failed.get(queue) for queue, _ in finished]

    async def shutdown(self) -> None:
        """Acknowledge the tasks finished so far, then close as taskiq-redis does.

        A task still running past the worker's wait (`jobs.shutdown_timeout_seconds`) finds the
        acknowledgements closed: its message stays pending, and another worker takes it once it has
        been idle `jobs.idle_timeout_ms` (at least once; every task is safe to run twice).
        """
        await self._unacked.close()
        await super().shutdown()


def build_broker(config: JobsConfig) -> AsyncBroker:
    if config.broker == "redis":
        return StreamBroker(
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
        # `send_many`'s script, on the broker's own connection pool (made on first use).
        self._xadd_all: Any = None
        # `send_soon`'s (task name, keywords, labels), waiting for the process's sender.
        self._unsent: GroupCommit[tuple[str, dict[str, Any], dict[str, str]], None] = GroupCommit(self._send_logged)

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

    def labels_now(self) -> dict[str, str]:
        """The labels a task sent from here now would carry (the request id, the trace context), for a task
        sent later on this caller's behalf by another (`send_soon`'s `labels`)."""
        labels: dict[str, str] = {}
        for middleware in self.broker.middlewares:
            if hasattr(middleware, "labels_now"):
                labels.update(middleware.labels_now())
        return labels

    async def send_many(
        self, task_name: str, calls: Sequence[dict[str, Any]], labels: Sequence[dict[str, str]] | None = None
    ) -> None:
        """Enqueue one task per keyword set now: on Redis streams in one round trip, else one by one.

        `labels[i]`, when given, are the labels of call i, taken where it was asked for (`labels_now`).

        The stream entries are exactly what `RedisStreamBroker.kick` writes for each `kiq` (the same
        message, middlewares and formatter, the same `XADD`), so a worker cannot tell them apart; a
        Lua script adds a whole queue's entries in one command, so Redis parses one command and
        answers once however many tasks there are.
        """
        from taskiq.utils import maybe_awaitable

        broker = self.broker
        each_labels = labels or [{}] * len(calls)
        if not isinstance(broker, RedisStreamBroker):
            for kwargs, call_labels in zip(calls, each_labels, strict=True):
                await self.tasks[task_name].kicker().with_labels(**call_labels).kiq(**kwargs)
            return
        kicker = self.tasks[task_name].kicker()
        messages = []
        by_queue: dict[str, list[bytes]] = {}
        for kwargs, call_labels in zip(calls, each_labels, strict=True):
            # taskiq builds a message only inside `kiq`, which also sends it; this is its first half.
            message = kicker._prepare_message(**kwargs)
            message.labels = {**message.labels, **call_labels}
            for middleware in broker.middlewares:
                message = await maybe_awaitable(middleware.pre_send(message))
            messages.append(message)
            sent = broker.formatter.dumps(message)
            by_queue.setdefault(sent.labels.get("queue_name") or broker.queue_name, []).append(sent.message)
        if self._xadd_all is None:
            # One connection held for the sends (they run one at a time): no pool checkout per send.
            client = Redis(connection_pool=broker.connection_pool, single_connection_client=True)
            self._xadd_all = client.register_script(_XADD_ALL)
        trim = ["", ""] if broker.maxlen is None else [str(broker.maxlen), "~" if broker.approximate else "="]
        for queue, entries in by_queue.items():
            await self._xadd_all(keys=[queue], args=[*trim, *entries])
        for message in messages:
            for middleware in reversed(broker.middlewares):
                await maybe_awaitable(middleware.post_send(message))

    async def send_soon(
        self,
        task_name: str,
        calls: Sequence[dict[str, Any]],
        *,
        labels: Sequence[dict[str, str]] | None = None,
        backlog: int = 4096,
    ) -> None:
        """Queue one task per keyword set for the process's sender, and return at once (for committed work).

        The sender sends everything queued by then with one `send_many` (one round trip), then what
        was queued meanwhile, and so on: the caller does not wait for the broker, and a busy process
        sends many callers' tasks at once. A failed send is logged and dropped, so only work whose
        rows a sweeper re-sends belongs here. Once `backlog` tasks are waiting (a slow broker) the
        caller waits for them to be sent.
        """
        each_labels = labels or [{}] * len(calls)
        self._unsent.put((task_name, kwargs, labels) for kwargs, labels in zip(calls, each_labels, strict=True))
        if len(self._unsent) > backlog:
            await self.sent()

    async def sent(self) -> None:
        """Wait until every task queued by `send_soon` has been sent (or its send failed)."""
        await self._unsent.drained()

    async def close(self) -> None:
        """Send every task queued by `send_soon`, and take no more (at shutdown, before the broker closes)."""
        await self._unsent.close()

    async def _send_logged(self, unsent: list[tuple[str, dict[str, Any], dict[str, str]]]) -> list[None]:
        """One `send_many` per task name; a failed send is logged, and fails nobody."""
        for task_name, sends in _by_key((name, (kwargs, labels)) for name, kwargs, labels in unsent).items():
            calls = [kwargs for kwargs, _ in sends]
            try:
                await self.send_many(task_name, calls, [labels for _, labels in sends])
            except Exception:
                logger.exception("sending %d %s task(s) failed; the sweeper sends them", len(calls), task_name)
        return [None] * len(unsent)

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
