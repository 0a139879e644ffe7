"""The platform's clock: every "now" in Tollgate comes from here, so tests can move time.

Expiry, holds and dunning depend on time; a test that waits six months needs a clock it can
turn forward without touching the system clock. Production never sets an offset.

A deployment of several processes shares one moved clock through a file: `TOLLGATE_SHARED_CLOCK`
names a file holding the offset in seconds, which every process reads. That is for
rehearsing a deployment against Stripe test clocks (the deploy walk of docs/deploy.md); a process
that finds it set says so in its log at start.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

CLOCK_FILE_VAR = "TOLLGATE_SHARED_CLOCK"

_offset = dt.timedelta()


class _SharedOffset:
    """The offset kept in a file, read on every call: a rehearsal is not a benchmark, and a cached read
    keyed on the file's modification time would miss two writes within one timestamp tick."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dt.timedelta:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return dt.timedelta()
        return dt.timedelta(seconds=float(text or 0))

    def write(self, offset: dt.timedelta) -> None:
        scratch = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        scratch.write_text(f"{offset.total_seconds():.6f}\n")
        scratch.replace(self.path)


def _from_environment() -> _SharedOffset | None:
    named = os.environ.get(CLOCK_FILE_VAR)
    if not named:
        return None
    logging.getLogger(__name__).warning(
        "%s is set: this process's clock is moved by the offset in %s (rehearsals only)", CLOCK_FILE_VAR, named
    )
    return _SharedOffset(Path(named))


_shared = _from_environment()


def now() -> dt.datetime:
    """The current UTC time, shifted by the offset tests may set."""
    return dt.datetime.now(dt.UTC) + (_shared.read() if _shared is not None else _offset)


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward (tests and the demo only)."""
    global _offset  # noqa: PLW0603 - one process-wide clock is the point
    if _shared is not None:
        _shared.write(_shared.read() + delta)
        return
    _offset += delta


def share(path: Path | None) -> None:
    """Keep the offset in `path`, shared with the other processes that name it; None: in memory again."""
    global _shared  # noqa: PLW0603
    _shared = _SharedOffset(path) if path is not None else None


def reset() -> None:
    global _offset  # noqa: PLW0603
    _offset = dt.timedelta()
    if _shared is not None:
        _shared.write(dt.timedelta())
