"""The group commit on its own: every caller gets its own answer, whatever the batches and their failures."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from core.batching import Closed, GroupCommit


class Recorder:
    """A batch function that answers each number doubled, refuses negative ones, and records its batches."""

    def __init__(self, *, gated: bool = False, fail_batch: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.running = 0
        self.most_running = 0
        # A gated batch waits until the test opens the gate: it stays in flight meanwhile.
        self.gate = asyncio.Event()
        if not gated:
            self.gate.set()
        self.fail_batch = fail_batch

    async def __call__(self, items: list[int]) -> Sequence[int | Exception]:
        self.batches.append(list(items))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(0)
            await self.gate.wait()
            if self.fail_batch:
                raise ConnectionError("the database went away")
            return [ValueError(f"negative: {n}") if n < 0 else 2 * n for n in items]
        finally:
            self.running -= 1


async def turns(n: int = 3) -> None:
    """Let the loop run every task that is ready, a few rounds over."""
    for _ in range(n):
        await asyncio.sleep(0)


async def submitted(commit: GroupCommit[int, int], n: int) -> asyncio.Task[int]:
    """`submit(n)`, running: the item is queued, and taken if a flush was free."""
    call = asyncio.ensure_future(commit.submit(n))
    await turns()
    return call


async def outcome(call: asyncio.Future[int] | asyncio.Task[int]) -> int | str:
    try:
        return await call
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


async def test_each_caller_gets_its_own_answer_from_one_batch() -> None:
    flush = Recorder()
    commit = GroupCommit(flush)
    answers = await asyncio.gather(*(commit.submit(n) for n in range(10)))
    assert answers == [2 * n for n in range(10)]
    assert flush.batches == [list(range(10))], "the callers of one loop turn share one batch, in order"


async def test_one_failing_item_fails_its_caller_only() -> None:
    commit = GroupCommit(Recorder())
    answers = await asyncio.gather(*(outcome(asyncio.ensure_future(commit.submit(n))) for n in (1, -2, 3)))
    assert answers == [2, "ValueError: negative: -2", 6]


async def test_a_failing_batch_fails_each_of_its_callers_and_the_next_batch_still_runs() -> None:
    flush = Recorder(fail_batch=True)
    commit = GroupCommit(flush)
    answers = await asyncio.gather(*(outcome(asyncio.ensure_future(commit.submit(n))) for n in (1, 2)))
    assert answers == ["ConnectionError: the database went away"] * 2
    flush.fail_batch = False
    assert await commit.submit(3) == 6


async def test_batches_are_at_most_max_batch_and_one_runs_at_a_time() -> None:
    flush = Recorder()
    commit = GroupCommit(flush, max_batch=4)
    answers = await asyncio.gather(*(commit.submit(n) for n in range(10)))
    assert answers == [2 * n for n in range(10)]
    assert flush.batches == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], "oldest first"
    assert flush.most_running == 1


async def test_the_next_batch_gathers_while_one_is_in_flight() -> None:
    flush = Recorder(gated=True)
    commit = GroupCommit(flush)
    first = await submitted(commit, 1)
    assert flush.batches == [[1]], "a quiet group commit flushes an item at once"
    later = [asyncio.ensure_future(commit.submit(n)) for n in (2, 3, 4)]
    await turns()
    assert flush.batches == [[1]], "no second flush while one is in flight"
    flush.gate.set()
    assert await asyncio.gather(first, *later) == [2, 4, 6, 8]
    assert flush.batches == [[1], [2, 3, 4]]


async def test_at_most_flushes_batches_in_flight() -> None:
    flush = Recorder(gated=True)
    commit = GroupCommit(flush, max_batch=1, flushes=2)
    calls = [await submitted(commit, n) for n in range(5)]
    assert flush.running == 2
    flush.gate.set()
    assert await asyncio.gather(*calls) == [0, 2, 4, 6, 8]
    assert flush.most_running == 2


async def test_an_item_queued_as_a_flush_ends_is_not_stranded() -> None:
    flushed: list[int] = []

    async def flush_then_queue(items: list[int]) -> list[int | Exception]:
        await asyncio.sleep(0)
        if items == [1]:
            # Runs once this flush has found nothing more queued and its task has ended, before the
            # loop has run the task's done callbacks: the moment a flush ends and an item comes.
            asyncio.get_running_loop().call_soon(commit.put, [2])
        flushed.extend(items)
        return [2 * n for n in items]

    commit: GroupCommit[int, int] = GroupCommit(flush_then_queue)
    assert await commit.submit(1) == 2
    await asyncio.wait_for(commit.drained(), 5)
    assert flushed == [1, 2]
    # Callers arriving at every step of a flush's life: each is answered.
    for delay in range(6):
        first = asyncio.ensure_future(commit.submit(10))
        for _ in range(delay):
            await asyncio.sleep(0)
        assert await asyncio.wait_for(asyncio.gather(first, commit.submit(11)), 5) == [20, 22]
    assert len(commit) == 0


async def test_a_cancelled_caller_loses_its_answer_only() -> None:
    flush = Recorder(gated=True)
    commit = GroupCommit(flush)
    gone = asyncio.ensure_future(commit.submit(1))
    stays = await submitted(commit, 2)
    gone.cancel()
    flush.gate.set()
    assert await stays == 4
    assert gone.cancelled()
    assert flush.batches == [[1, 2]], "the item was flushed all the same"


async def test_a_flush_stopped_mid_batch_fails_its_batch_and_the_queue() -> None:
    flush = Recorder(gated=True)
    commit = GroupCommit(flush)
    in_flight = await submitted(commit, 1)
    queued = await submitted(commit, 2)
    assert (flush.batches, len(commit)) == ([[1]], 1)
    (task,) = commit._tasks
    task.cancel()
    results = await asyncio.gather(in_flight, queued, return_exceptions=True)
    assert [type(r) for r in results] == [asyncio.CancelledError] * 2
    assert len(commit) == 0
    # The group commit still serves: the next item starts a flush of its own.
    flush.gate.set()
    assert await asyncio.wait_for(commit.submit(3), 5) == 6


async def test_put_queues_without_waiting_and_logs_failures(caplog: pytest.LogCaptureFixture) -> None:
    flush = Recorder()
    commit = GroupCommit(flush)
    commit.put([1, -1, 2])
    commit.put([])
    assert flush.batches == [], "nothing is flushed before the caller yields"
    assert len(commit) == 3
    await commit.drained()
    assert flush.batches == [[1, -1, 2]]
    assert "1 item(s) nobody waits for failed" in caplog.text


async def test_close_flushes_what_is_queued_then_refuses_more() -> None:
    flush = Recorder()
    commit = GroupCommit(flush, max_batch=2)
    calls = [asyncio.ensure_future(commit.submit(n)) for n in range(5)]
    await asyncio.sleep(0)
    commit.put([5])
    await commit.close()
    assert all(c.done() for c in calls)
    assert [c.result() for c in calls] == [0, 2, 4, 6, 8]
    assert sum(flush.batches, []) == [0, 1, 2, 3, 4, 5]
    with pytest.raises(Closed):
        await commit.submit(6)
    with pytest.raises(Closed):
        commit.put([7])


async def test_a_batch_function_answering_the_wrong_count_fails_the_batch() -> None:
    async def short(items: list[int]) -> list[int | Exception]:
        return items[1:]

    commit: GroupCommit[int, int] = GroupCommit(short)
    with pytest.raises(ValueError, match="1 answers for a batch of 2"):
        await asyncio.gather(commit.submit(1), commit.submit(2))


def test_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Recorder(), max_batch=0)
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Recorder(), flushes=0)
