"""Waiting for the in-process broker in tests."""

from __future__ import annotations

import asyncio
from typing import Any


async def drain(runtime: Any) -> None:
    """Wait for the in-process broker's tasks, including those they send."""
    broker = runtime.jobs.broker
    await runtime.jobs.sent()
    while broker._running_tasks:
        await broker.wait_all()
        # Finished tasks leave the set in a done-callback; awaiting done tasks never yields to run it.
        await asyncio.sleep(0)
        await runtime.jobs.sent()
