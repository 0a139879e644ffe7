"""Opaque list cursors: a page answers `next_cursor`, the next request hands it back unchanged.

A cursor names the list it belongs to and the last row of the page it ended, base64url-encoded so
clients do not build or edit them. Anything else (another list's cursor, edited text, a row id
typed by hand) is a 400 `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Final, TypeVar

from core.errors import BadRequest

T = TypeVar("T")

_SEQ: Final = re.compile(r"[0-9]{1,18}", re.ASCII)
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
_TIMED: Final = re.compile(r"(-?[0-9]{1,18}):([A-Za-z0-9_-]{1,255})", re.ASCII)
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_LENGTH: Final = 200


def encode_cursor(kind: str, position: object) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, parse: Callable[[str], T | None]) -> T | None:
    """The position a cursor of list `kind` names; None for no cursor; 400 `invalid_cursor` otherwise."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_LENGTH or not cursor.isascii():
            raise ValueError(cursor)
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error):
        text = ""
    found, _, position = text.partition(":")
    value = parse(position) if found == kind else None
    if value is None:
        raise BadRequest(
            "The cursor is not one this list returned; pass `next_cursor` from the previous page unchanged.",
            code="invalid_cursor",
        )
    return value


def seq_position(text: str) -> int | None:
    return int(text) if _SEQ.fullmatch(text) else None


def uuid_position(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _UUID.fullmatch(text) else None


def timed_key(at: dt.datetime, row_id: object) -> str:
    """The position of a row in a list ordered by (time, id): microseconds since the epoch and the id."""
    return f"{(at - _EPOCH) // dt.timedelta(microseconds=1)}:{row_id}"


def timed_position(text: str) -> tuple[dt.datetime, str] | None:
    """The (time, id) a `timed_key` names."""
    found = _TIMED.fullmatch(text)
    if found is None:
        return None
    try:
        return _EPOCH + dt.timedelta(microseconds=int(found[1])), found[2]
    except OverflowError:
        return None
