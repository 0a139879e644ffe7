"""One writer per customer per process: concurrent writes to one customer's credits queue here first.

Every ledger write locks the customer's account row until its transaction commits; the database lock
is what keeps spends exact across processes. But when many requests for one customer arrive at once,
each would take a pooled connection and wait on that row in PostgreSQL while the holder competes with
them for the event loop. Queueing in-process instead keeps connections free for other customers and
lets the holder commit sooner, so a hot customer does not collapse throughput.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class CustomerTurns:
    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._waiting: dict[tuple[str, str], int] = {}

    @asynccontextmanager
    async def turn(self, tenant: str, customer: str) -> AsyncIterator[None]:
        key = (tenant, customer)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                # Nobody else wants this customer: forget the lock, so the map holds only hot customers.
                del self._waiting[key], self._locks[key]


TURNS = CustomerTurns()
