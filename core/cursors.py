"""Opaque list cursors: a page answers `next_cursor`, the next request hands it back unchanged.

A cursor names the list it belongs to and the last row of the page it ended, base64url-encoded so
clients do not build or edit them. Anything else (another list's cursor, edited text, a row id
typed by hand) is a 400 `invalid_cursor`.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable
from typing import Final, TypeVar

from core.errors import BadRequest

T = TypeVar("T")

_SEQ: Final = re.compile(r"[0-9]{1,18}", re.ASCII)
_UUID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
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
