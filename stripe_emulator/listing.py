"""Stripe list endpoints: newest first, `limit`, `starting_after`/`ending_before`, `created`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .encoding import Params
from .errors import invalid_request
from .store import Account, JsonObj


def _created_filter(params: Params) -> Callable[[JsonObj], bool]:
    if not params.has("created"):
        return lambda obj: True
    if not isinstance(params.raw["created"], dict):
        exact = params.int("created")
        return lambda obj: obj["created"] == exact
    bounds = params.dict("created")
    assert bounds is not None
    gt, gte = bounds.int("gt"), bounds.int("gte")
    lt, lte = bounds.int("lt"), bounds.int("lte")

    def keep(obj: JsonObj) -> bool:
        c = obj["created"]
        return not (
            (gt is not None and c <= gt)
            or (gte is not None and c < gte)
            or (lt is not None and c >= lt)
            or (lte is not None and c > lte)
        )

    return keep


def paginate(
    account: Account,
    params: Params,
    items: Sequence[JsonObj],
    url: str,
) -> JsonObj:
    """A list object over `items` (given oldest first, as they were created)."""
    limit = params.int("limit")
    if limit is None:
        limit = 10
    if limit < 1:
        raise invalid_request("This value must be greater than or equal to 1.", param="limit")
    if limit > 100:
        raise invalid_request("This value must be less than or equal to 100.", param="limit")
    keep = _created_filter(params)
    newest_first = [obj for obj in reversed(items) if keep(obj)]
    ids = [obj["id"] for obj in newest_first]
    after, before = params.str("starting_after"), params.str("ending_before")
    if after:
        if after not in ids:
            raise _bad_cursor(account, after, "starting_after")
        start = ids.index(after) + 1
        page = newest_first[start : start + limit]
        has_more = start + limit < len(newest_first)
    elif before:
        if before not in ids:
            raise _bad_cursor(account, before, "ending_before")
        end = ids.index(before)
        start = max(0, end - limit)
        page = newest_first[start:end]
        has_more = start > 0
    else:
        page = newest_first[:limit]
        has_more = len(newest_first) > limit
    return {
        "object": "list",
        "data": [account.render(obj) for obj in page],
        "has_more": has_more,
        "url": url,
    }


def _bad_cursor(account: Account, id_: str, param: str) -> Exception:
    obj = account.find(id_)
    noun = obj["object"] if obj else "object"
    return invalid_request(f"No such {noun}: '{id_}'", param=param, code="resource_missing")


def embedded_list(data: list[JsonObj], url: str) -> JsonObj:
    """A list that lives inside another object (subscription items, invoice lines)."""
    return {"object": "list", "data": data, "has_more": False, "url": url}
