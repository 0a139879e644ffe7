"""Group commit of Stripe's deliveries on PostgreSQL: many requests' events stored by one statement.

Each request hands its verified event to the process's `InboxWriter` and waits. A flush takes
everything waiting, stores it with one `INSERT ... ON CONFLICT DO NOTHING` (its own transaction),
answers the requests once it is committed (an answer means "committed"), and hands the tasks of the
new pending rows to the process's sender (`Jobs.send_soon`), which sends them in one broker round
trip per send. While a flush runs the next batch gathers, so a busy process commits once per batch
instead of once per request, and a quiet one flushes each event at once.

A database failure fails every request of the batch (Stripe retries; nothing of it is stored, as one
statement is one transaction). A failed send fails no request: the rows are committed, and the
sweeper sends what has waited `requeue_after_seconds` again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING, NamedTuple

from core import clock
from core.db import driver_connection
from core.errors import ServiceUnavailable
from core.inbox.repository import NewEvent, insert_batch
from core.retries import PENDING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.jobs import Jobs

logger = logging.getLogger("tollgate.inbox")


class Stored(NamedTuple):
    """What became of one delivery: its new row's id, or None when the tenant already had the event."""

    row_id: uuid.UUID | None


class InboxWriter:
    """The process's group commit for the inbox (PostgreSQL only: it speaks asyncpg under the engine)."""

    def __init__(self, engine: AsyncEngine, jobs: Jobs, task_name: str, *, max_batch: int = 512, inserts: int = 1):
        self.engine = engine
        self.jobs = jobs
        self.task_name = task_name
        self.max_batch = max_batch
        # INSERTs in flight at once. The next batch gathers while one runs, then starts as soon as it
        # is committed (its tasks are sent and its requests answered meanwhile).
        self.inserts = inserts
        self._inserting = 0
        self._waiting: list[tuple[NewEvent, asyncio.Future[Stored]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def store(self, event: NewEvent) -> Stored:
        """Store `event` with whatever else is waiting; returns once it is committed (raises if it was not)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, future))
        if self._inserting < self.inserts:
            self._start_flush()
        return await future

    async def close(self) -> None:
        """Wait for the flushes in flight and their tasks' sends (at shutdown)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        await self.jobs.sent()

    def _start_flush(self) -> None:
        self._inserting += 1
        task = asyncio.create_task(self._flush())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _inserted(self) -> None:
        self._inserting -= 1
        if self._waiting and self._inserting < self.inserts:
            self._start_flush()

    async def _flush(self) -> None:
        # The batch is taken when the flush starts running, so the requests of the same loop turn join it.
        batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
        if not batch:
            self._inserted()
            return
        # One row per (tenant, event id): a duplicate within the batch waits on the first one's fate.
        first: dict[tuple[str, str], NewEvent] = {}
        for event, _ in batch:
            first.setdefault((event.tenant_id, event.stripe_event_id), event)
        try:
            new = await self._insert(list(first.values()))
        except Exception:
            logger.exception("storing %d Stripe event(s) failed; they are answered 503 (Stripe retries)", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(
                        ServiceUnavailable("The event could not be stored; try again.", code="inbox_unavailable")
                    )
            return
        finally:
            # The next batch may start its INSERT now, while this one is answered.
            self._inserted()
        for event, future in batch:
            key = (event.tenant_id, event.stripe_event_id)
            # Only the delivery whose row was written is new; every other copy is a duplicate.
            row_id = new.get(key) if first[key] is event else None
            if not future.done():
                future.set_result(Stored(row_id))
        calls = [
            {"tenant": tenant, "event_id": str(row_id)}
            for (tenant, event_id), row_id in new.items()
            if first[tenant, event_id].status == PENDING
        ]
        if calls:
            await self.jobs.send_soon(self.task_name, calls)

    async def _insert(self, events: list[NewEvent]) -> dict[tuple[str, str], uuid.UUID]:
        async with driver_connection(self.engine) as connection:
            return await insert_batch(connection, events, clock.now())
