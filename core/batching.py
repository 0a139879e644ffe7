"""Group commit: many callers' items handed to one batch function, each caller answered on its own.

The spend path, inbox ingest, the inbox's first attempts, the task sender and the worker's
acknowledgements all make one round trip (one statement, one transaction, one Redis command) for
whatever many callers queued meanwhile. `GroupCommit` is that mechanism; what a batch means stays
with each user's batch function.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Generic, TypeVar

from core import metrics

logger = logging.getLogger("tollgate.batching")

Item = TypeVar("Item")
Answer = TypeVar("Answer")


class Closed(RuntimeError):
    """The group commit was closed: it takes no more items."""


class GroupCommit(Generic[Item, Answer]):
    """Items queued by many callers, flushed in batches by one batch function.

    `await submit(item)` queues the item and returns its own answer (or raises its own error).
    A flush takes everything queued by the time it runs (at most `max_batch` items, oldest first),
    so the callers of one loop turn share a batch, and runs `flush(items)` once; then it takes what
    was queued meanwhile, until nothing waits. At most `flushes` flushes run at once: with one, the
    next batch gathers while a batch is in flight, and batches run in the order queued.

    `flush` answers one entry per item, in the items' order: the item's answer, or an Exception
    that its caller raises (one item's failure, the others answered). An Exception raised by
    `flush` fails every item of its batch; the next batch is flushed all the same. What a failure
    does to the rest of a batch (roll it all back, retry the others alone, drop a broken connection)
    is the batch function's business. A flush stopped by anything else (a cancellation, the process
    exiting) fails its batch and every item still queued with that, and ends.

    An item once queued is flushed even if its caller stops waiting: a cancelled caller only loses
    the answer. `put(items)` queues items nobody waits for (their answers are dropped; a failure
    is logged). `close()` refuses new items and waits until every queued one is flushed.
    """

    def __init__(
        self,
        flush: Callable[[list[Item]], Awaitable[Sequence[Answer | Exception]]],
        *,
        max_batch: int | None = None,
        flushes: int = 1,
    ) -> None:
        if (max_batch is not None and max_batch < 1) or flushes < 1:
            raise ValueError("max_batch and flushes must be at least 1")
        self._flush = flush
        self._name: str = getattr(flush, "__qualname__", type(flush).__name__)
        self.max_batch = max_batch
        self.flushes = flushes
        self._waiting: list[tuple[Item, asyncio.Future[Answer] | None]] = []
        # Flushes running: counted down in the same step that finds the queue empty, so an item
        # queued after that step starts a flush of its own and none is left waiting.
        self._flushing = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def submit(self, item: Item) -> Answer:
        """Queue `item` and wait for its answer: what the batch function answered for it, or its error."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._queue([(item, future)])
        return await future

    def put(self, items: Iterable[Item]) -> None:
        """Queue items without waiting for them (their answers are dropped; a failure is logged)."""
        self._queue([(item, None) for item in items])

    def __len__(self) -> int:
        """Items queued and not yet taken by a flush."""
        return len(self._waiting)

    @property
    def idle(self) -> bool:
        """Nothing queued and no flush running."""
        return not self._waiting and not self._flushing

    async def drained(self) -> None:
        """Wait until every item queued so far (and any queued meanwhile) has been flushed."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Take no more items, and wait for the queued ones to be flushed."""
        self._closed = True
        await self.drained()

    def _queue(self, entries: list[tuple[Item, asyncio.Future[Answer] | None]]) -> None:
        if self._closed:
            raise Closed("this group commit is closed")
        if not entries:
            return
        self._waiting.extend(entries)
        if self._flushing < self.flushes:
            self._flushing += 1
            task = asyncio.create_task(self._run())
            self._tasks.add(task)
            task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        # A flush ends with an error only when it was stopped mid-batch; its callers got the error.
        if not task.cancelled():
            task.exception()

    async def _run(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Answer] | None]] = []
        try:
            while self._waiting:
                # Taken when the flush runs, so the callers of the loop turn that started it join it.
                size = len(self._waiting) if self.max_batch is None else self.max_batch
                batch, self._waiting = self._waiting[:size], self._waiting[size:]
                metrics.batch_flushed(self._name, len(batch))
                try:
                    answers: Sequence[Answer | Exception] = await self._flush([item for item, _ in batch])
                except Exception as error:
                    answers = [error] * len(batch)
                if len(answers) != len(batch):
                    answers = [ValueError(f"{len(answers)} answers for a batch of {len(batch)}")] * len(batch)
                self._answer(batch, answers)
                batch = []
        except BaseException as stopped:
            stranded, self._waiting = batch + self._waiting, []
            for _, future in stranded:
                if future is not None and not future.done():
                    future.set_exception(stopped)
            raise
        finally:
            self._flushing -= 1

    def _answer(
        self, batch: list[tuple[Item, asyncio.Future[Answer] | None]], answers: Sequence[Answer | Exception]
    ) -> None:
        dropped: list[Exception] = []
        for (_, future), answer in zip(batch, answers, strict=True):
            if future is None:
                if isinstance(answer, Exception):
                    dropped.append(answer)
            elif future.done():
                continue  # its caller stopped waiting
            elif isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)
        if dropped:
            logger.error(
                "%d item(s) nobody waits for failed in %s",
                len(dropped),
                getattr(self._flush, "__qualname__", self._flush),
                exc_info=dropped[0],
            )
