"""One shape for every list: `limit` and an opaque `cursor` in, `{"data", "has_more", "next_cursor"}` out.

Every list route takes `page: PageQuery` (the `limit` and `cursor` query parameters, provided by the
app) and answers a `Page[T]`, newest first unless the route says otherwise. A page fetches one row
more than it shows: that row's presence is `has_more`. A fixed collection answered whole (the tiers,
the packages on sale) is a `Page` too, built by `whole()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Final, Generic, TypeVar

import msgspec
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from core.cursors import decode_cursor, encode_cursor

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200


class Page(msgspec.Struct, Generic[T]):
    """A page of a list: its items, whether more follow, and the cursor that fetches them."""

    data: Annotated[list[T], msgspec.Meta(description="The items of this page, newest first unless the route says.")]
    has_more: Annotated[bool, msgspec.Meta(description="More items follow: fetch them with `next_cursor`.")]
    next_cursor: Annotated[
        str | None,
        msgspec.Meta(description="Pass it back unchanged as `cursor` for the next page; null: this is the last page."),
    ]


@dataclass(frozen=True)
class PageRequest:
    """What the caller asked of a list: how many items, after which cursor."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def position(self, kind: str, parse: Callable[[str], P | None]) -> P | None:
        """Where the page starts in list `kind` (None: at the top); 400 `invalid_cursor` for a foreign cursor."""
        return decode_cursor(kind, self.cursor, parse)

    @property
    def fetch(self) -> int:
        """How many rows to read: one more than the page shows, to learn whether more follow."""
        return self.limit + 1

    def page(self, rows: Sequence[R], kind: str, position: Callable[[R], object], items: Iterable[T]) -> Page[T]:
        """The page of `rows` (read with `fetch`), shown as `items` (the first `limit` rows converted)."""
        has_more = len(rows) > self.limit
        shown = list(items)[: self.limit]
        cursor = encode_cursor(kind, position(rows[self.limit - 1])) if has_more else None
        return Page(data=shown, has_more=has_more, next_cursor=cursor)


def provide_page_request(
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        QueryParameter(description="`next_cursor` of the previous page, unchanged; none for the first page."),
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


PageQuery = NamedDependency[PageRequest]
"""A list route's `page` parameter: `async def list_x(self, page: PageQuery) -> Page[X]`."""


def whole(items: Iterable[T]) -> Page[T]:
    """A collection answered in one page: fixed and small, it takes no cursor."""
    return Page(data=list(items), has_more=False, next_cursor=None)
