"""Deliveries that fail their signature check, counted per tenant for the backfill's warning, cheaply and safely.

Anyone can post to a tenant's webhook route, so a refused delivery never costs a database write of its
own: each API process counts failures in memory (and in `tollgate_stripe_signature_failures_total`) and
writes them at most once every `every` seconds per tenant, in the background, after the request has been
answered. A delivery that verifies resets the row: at once after this process wrote failures, else at
most once every `heartbeat` seconds, so a process that only sees good deliveries still clears what
another process recorded. The row (`stripe_backfill_states`) then says, across every process:

- `signature_failures`: failures recorded since the last verified delivery (failures older than it are
  dropped when they are written late; a success written after newer failures keeps their count);
- `signature_failing_since`, `signature_failed_at`, `signature_passed_at`: the row's first failure, the
  latest one, and the latest success.

The scheduled backfill reads it: `signature_failures >= signature_failures_warning` with no success after
the latest failure is the `stripe.signature_failures` warning. A write that fails (the database down) is
logged and its counts kept for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, or_, update

from core import clock, metrics
from core.db import scoped, session_scope
from core.inbox.models import BackfillState
from core.inbox.repository import ensure_state

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.inbox")

# At most one write per tenant and process this often, however many deliveries fail.
FLUSH_SECONDS = 10.0
# A process that only sees verified deliveries records one this often (it clears other processes' failures).
HEARTBEAT_SECONDS = 300.0


@dataclass
class _Tally:
    """One tenant's checks in this process not written yet."""

    failures: int = 0
    failing_since: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    passed_at: dt.datetime | None = None
    # This process wrote failures after its last written success: the next success is written promptly.
    failures_written: bool = False
    # time.monotonic() of the last write (of either kind); -inf: none yet.
    written: float = float("-inf")
    success_written: float = float("-inf")
    flush: asyncio.Task[None] | None = None
    # The flush is waiting for its turn (cancelled by `flush()`), not writing (awaited by it).
    waiting: bool = False


class SignatureWatch:
    """The process's counts of failed and passed signature checks per tenant, written behind the requests."""

    def __init__(self, runtime: Kernel, *, every: float = FLUSH_SECONDS, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.runtime = runtime
        self.every = every
        self.heartbeat = heartbeat
        self._tallies: dict[str, _Tally] = {}
        self._closed = False

    def failed(self, tenant: str) -> None:
        """A delivery to `tenant` failed its signature check (called before it is answered 400)."""
        metrics.signature_failed(tenant)
        tally = self._tally(tenant)
        now = clock.now()
        tally.failures += 1
        tally.failing_since = tally.failing_since or now
        tally.failed_at = now
        self._schedule(tenant, tally)

    def passed(self, tenant: str) -> None:
        """A delivery to `tenant` verified: nothing to do on most calls (one dict lookup, one clock read)."""
        tally = self._tallies.get(tenant)
        if tally is None:
            tally = self._tally(tenant)
        elif (
            not tally.failures
            and not tally.failures_written
            and time.monotonic() - tally.success_written < self.heartbeat
        ):
            return
        # The failures counted so far came before this success: they are not in a row any more.
        tally.failures, tally.failing_since, tally.failed_at = 0, None, None
        tally.passed_at = clock.now()
        self._schedule(tenant, tally)

    async def flush(self) -> None:
        """Write every tenant's counts now (tests, and at shutdown)."""
        for tenant, tally in list(self._tallies.items()):
            pending = tally.flush
            if pending is not None and not pending.done():
                if tally.waiting:
                    pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
            tally.flush = None
            await self._write(tenant, tally)

    async def close(self) -> None:
        self._closed = True
        await self.flush()

    def _tally(self, tenant: str) -> _Tally:
        tally = self._tallies.get(tenant)
        if tally is None:
            tally = self._tallies[tenant] = _Tally()
        return tally

    def _schedule(self, tenant: str, tally: _Tally) -> None:
        if self._closed or (tally.flush is not None and not tally.flush.done()):
            return
        # A success after failures this process wrote is not held back: the warning should clear soon.
        prompt = tally.passed_at is not None and tally.failures_written
        delay = 0.0 if prompt else max(0.0, tally.written + self.every - time.monotonic())
        try:
            tally.flush = asyncio.get_running_loop().create_task(self._flush_later(tenant, tally, delay))
        except RuntimeError:  # no running loop (a synchronous caller): the next call or `flush()` writes it
            tally.flush = None

    async def _flush_later(self, tenant: str, tally: _Tally, delay: float) -> None:
        if delay:
            tally.waiting = True
            try:
                await asyncio.sleep(delay)
            finally:
                tally.waiting = False
        await self._write(tenant, tally)
        if tally.failures or tally.passed_at is not None:  # counted meanwhile, or a failed write
            tally.flush = None
            self._schedule(tenant, tally)

    async def _write(self, tenant: str, tally: _Tally) -> None:
        if not tally.failures and tally.passed_at is None:
            return
        failures, failing_since, failed_at, passed_at = (
            tally.failures,
            tally.failing_since,
            tally.failed_at,
            tally.passed_at,
        )
        tally.failures, tally.failing_since, tally.failed_at, tally.passed_at = 0, None, None, None
        tally.written = time.monotonic()
        try:
            await record_checks(
                self.runtime,
                tenant,
                failures=failures,
                failing_since=failing_since,
                failed_at=failed_at,
                passed_at=passed_at,
            )
        except Exception:
            logger.warning("recording %s's signature checks failed; kept for the next write", tenant, exc_info=True)
            # Kept unless a newer success counted meanwhile makes them moot (it comes after all of them).
            if tally.passed_at is None:
                tally.passed_at = passed_at
                tally.failures += failures
                tally.failing_since = failing_since or tally.failing_since
                tally.failed_at = tally.failed_at or failed_at
            return
        if passed_at is not None:
            tally.success_written = tally.written
            tally.failures_written = False
        if failures:
            tally.failures_written = True


async def record_checks(
    runtime: Kernel,
    tenant: str,
    *,
    failures: int,
    failing_since: dt.datetime | None,
    failed_at: dt.datetime | None,
    passed_at: dt.datetime | None,
) -> None:
    """Add one process's checks to the tenant's row: a success resets the row's failures unless one of them is
    newer (then the count is kept whole: it errs towards warning), then failures after the row's last success
    are added (a success always came before the failures counted with it)."""
    model = BackfillState
    async with session_scope(runtime.sessions) as session:
        await ensure_state(session, tenant)
        now = clock.now()
        if passed_at is not None:
            statement: Any = scoped(update(model), model, tenant).where(
                or_(model.signature_passed_at.is_(None), model.signature_passed_at < passed_at)
            )
            # It ends the row only if no failure recorded is newer (another process's, written first).
            ends = or_(model.signature_failed_at.is_(None), model.signature_failed_at < passed_at)
            await session.execute(
                statement.values(
                    signature_failures=case((ends, 0), else_=model.signature_failures),
                    signature_failing_since=case((ends, None), else_=model.signature_failing_since),
                    signature_passed_at=passed_at,
                    updated_at=now,
                )
            )
        if failures and failed_at is not None:
            statement = scoped(update(model), model, tenant).where(
                or_(model.signature_passed_at.is_(None), model.signature_passed_at < failed_at)
            )
            await session.execute(
                statement.values(
                    signature_failures=model.signature_failures + failures,
                    signature_failing_since=case(
                        (model.signature_failing_since.is_(None), failing_since or failed_at),
                        else_=model.signature_failing_since,
                    ),
                    signature_failed_at=case(
                        (or_(model.signature_failed_at.is_(None), model.signature_failed_at < failed_at), failed_at),
                        else_=model.signature_failed_at,
                    ),
                    updated_at=now,
                )
            )
