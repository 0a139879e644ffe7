"""taskiq entry points: `taskiq worker core.worker:broker` and `taskiq scheduler core.worker:scheduler`.

Importing this module builds the process's Runtime from the settings and registers every task.
"""

from __future__ import annotations

from typing import Any

from taskiq import TaskiqEvents

from core import heap, logs, tracing
from core.exporter import process_exiting
from core.jobs import build_scheduler
from core.runtime import Runtime

runtime = Runtime.build()
logs.configure(runtime.config.logging, runtime.config.env)
tracing.install(runtime.config.tracing)
broker = runtime.jobs.broker
scheduler = build_scheduler(runtime.jobs)


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _started(_: Any) -> None:
    heap.settle()


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _shutdown(_: Any) -> None:
    await runtime.drain()
    await runtime.engine.dispose()
    process_exiting()
