"""The platform's clock: every "now" in Tollgate comes from here, so tests can move time.

Expiry, holds and dunning depend on time; a test that waits six months needs a clock it can
turn forward without touching the system clock. Production never sets an offset.
"""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta()


def now() -> dt.datetime:
    """The current UTC time, shifted by the offset tests may set."""
    return dt.datetime.now(dt.UTC) + _offset


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward (tests and the demo only)."""
    global _offset  # noqa: PLW0603 - one process-wide clock is the point
    _offset += delta


def reset() -> None:
    global _offset  # noqa: PLW0603
    _offset = dt.timedelta()
