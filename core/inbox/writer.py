"""Group commit of Stripe's deliveries on PostgreSQL: many requests' events stored by one statement.

Each request hands its verified event to the process's `InboxWriter` and waits. A flush takes
everything waiting, stores it with one `INSERT ... ON CONFLICT DO NOTHING` (its own transaction),
hands the tasks of the new pending rows to the process's sender (`Jobs.send_soon`, one broker round
trip per send) and answers the requests once the INSERT is committed (an answer means "committed").
While a flush runs the next batch gathers (`core.batching.GroupCommit`), so a busy process commits
once per batch instead of once per request, and a quiet one flushes each event at once. When the
sender's backlog is full (Redis slow or down), a flush waits for it before answering.

A database failure fails every request of the batch (Stripe retries; nothing of it is stored, as one
statement is one transaction). A failed send fails no request: the rows are committed, and the
sweeper sends what has waited `requeue_after_seconds` again.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, NamedTuple

from core import clock
from core.batching import GroupCommit
from core.db import driver_connection
from core.errors import ServiceUnavailable
from core.inbox.repository import NewEvent, insert_batch_unless_salted
from core.retries import PENDING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from core.jobs import Jobs

logger = logging.getLogger("tollgate.inbox")


class Stored(NamedTuple):
    """What became of one delivery: its new row's id, or None when the tenant already had the event."""

    row_id: uuid.UUID | None


class Salted(Exception):
    """The event's tenant has erased customers: scrub the event with this digest key, then store it."""

    def __init__(self, salt: str) -> None:
        super().__init__("the tenant has erased customers")
        self.salt = salt


class InboxWriter:
    """The process's group commit for the inbox (PostgreSQL only: it speaks asyncpg under the engine)."""

    def __init__(self, engine: AsyncEngine, jobs: Jobs, task_name: str, *, max_batch: int = 512, inserts: int = 1):
        self.engine = engine
        self.jobs = jobs
        self.task_name = task_name
        # `inserts`: INSERTs in flight at once. The next batch gathers while one runs. Each event goes
        # with its request's task labels (request id, trace context): its task is sent by the flush.
        self._batches: GroupCommit[tuple[NewEvent, dict[str, str], bool], Stored] = GroupCommit(
            self._flush, max_batch=max_batch, flushes=inserts
        )

    async def store(self, event: NewEvent, *, unless_salted: bool = False) -> Stored:
        """Store `event` with whatever else is waiting; returns once it is committed (raises if it was not).

        `unless_salted`: the event names a Stripe customer and its tenant was not known to have erased
        any; if it has now, `Salted` is raised and nothing is stored. The batch asks once per tenant,
        on its own connection: no delivery waits for a round trip of its own.
        """
        return await self._batches.submit((event, self.jobs.labels_now(), unless_salted))

    async def close(self) -> None:
        """Store what is waiting, then wait for the tasks' sends (at shutdown)."""
        await self._batches.close()
        await self.jobs.sent()

    async def _flush(self, batch: list[tuple[NewEvent, dict[str, str], bool]]) -> list[Stored | Exception]:
        try:
            async with driver_connection(self.engine) as connection:
                # One row per (tenant, event id): a duplicate within the batch waits on the first one's fate.
                first: dict[tuple[str, str], tuple[NewEvent, bool]] = {}
                labels: dict[tuple[str, str], dict[str, str]] = {}
                for event, event_labels, check in batch:
                    key = (event.tenant_id, event.stripe_event_id)
                    if key not in first:
                        first[key], labels[key] = (event, check), event_labels
                events, checks = zip(*first.values(), strict=True)
                new, salts = await insert_batch_unless_salted(connection, events, checks, clock.now())
        except Exception:
            logger.exception("storing %d Stripe event(s) failed; they are answered 503 (Stripe retries)", len(batch))
            return [
                ServiceUnavailable("The event could not be stored; try again.", code="inbox_unavailable") for _ in batch
            ]
        answers: list[Stored | Exception] = []
        for event, _, check in batch:
            key = (event.tenant_id, event.stripe_event_id)
            if check and event.tenant_id in salts:
                answers.append(Salted(salts[event.tenant_id]))
            else:
                # Only the delivery whose row was written is new; every other copy is a duplicate.
                answers.append(Stored(new.get(key) if first[key][0] is event else None))
        pending = [(key, row_id) for key, row_id in new.items() if first[key][0].status == PENDING]
        if pending:
            # Returns at once, unless the sender's backlog is full (Redis slow or down): then this
            # batch's answers, and the next batch, wait for it.
            await self.jobs.send_soon(
                self.task_name,
                [{"tenant": tenant, "event_id": str(row_id)} for (tenant, _), row_id in pending],
                labels=[labels[key] for key, _ in pending],
            )
        return answers
