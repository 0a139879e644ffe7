"""A taskiq no-op task on the benchmark's Redis queue: the broker's own ceiling, measured beside Tollgate's.

`taskiq worker tests.benchmarks.noop_tasks:broker` with TOLLGATE_BENCH_REDIS and TOLLGATE_BENCH_NOOP_QUEUE set.
"""

from __future__ import annotations

import os

from taskiq_redis import RedisStreamBroker

QUEUE = os.environ.get("TOLLGATE_BENCH_NOOP_QUEUE", "tollgate_bench_noop")
broker = RedisStreamBroker(
    url=os.environ.get("TOLLGATE_BENCH_REDIS", "redis://127.0.0.1:6379/0"), queue_name=QUEUE, consumer_group_name=QUEUE
)


@broker.task(task_name="bench.noop")
async def noop() -> None:
    return None
