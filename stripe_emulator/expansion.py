"""`expand[]`: replace ids by their objects along dotted paths (`latest_invoice.payments`).

Includable fields (present only when expanded, like `invoice.payments`) are computed by
hooks that the resource modules register.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .errors import invalid_request
from .listing import paginate
from .routing import ApiRequest
from .store import Account, JsonObj

Includable = Callable[[Account, JsonObj], Any]
_LOOKS_LIKE_ID = re.compile(r"^[a-z]+_[A-Za-z0-9_]+$")
INCLUDABLE: dict[tuple[str, str], Includable] = {}


def includable(object_type: str, field: str) -> Callable[[Includable], Includable]:
    def register(fn: Includable) -> Includable:
        INCLUDABLE[(object_type, field)] = fn
        return fn

    return register


def _not_expandable(path: str) -> Exception:
    return invalid_request(f"This property cannot be expanded ({path}).", param="expand")


def expand(account: Account, obj: JsonObj, paths: list[str]) -> JsonObj:
    for path in paths:
        if len(path.split(".")) > 4:
            raise invalid_request(
                f"You cannot expand more than 4 levels of a property. Property: {path}",
                param="expand",
            )
        _expand_in(account, obj, path.split("."), path)
    return obj


def _expand_value(account: Account, value: Any, rest: list[str], path: str) -> Any:
    if isinstance(value, str):
        target = account.find(value)
        if target is None:
            if not _LOOKS_LIKE_ID.match(value):
                raise _not_expandable(path)
            return value
        value = account.render(target)
    if isinstance(value, dict) and rest:
        _expand_in(account, value, rest, path)
    elif isinstance(value, list):
        return [_expand_value(account, item, rest, path) for item in value]
    return value


def _expand_in(account: Account, obj: JsonObj, segments: list[str], path: str) -> None:
    head, rest = segments[0], segments[1:]
    if obj.get("object") == "list" and head == "data":
        obj["data"] = [_expand_value(account, item, rest, path) for item in obj["data"]]
        return
    hook = INCLUDABLE.get((obj.get("object", ""), head))
    if hook is not None and head not in obj:
        obj[head] = hook(account, obj)
        if rest:
            obj[head] = _expand_value(account, obj[head], rest, path)
        return
    if head not in obj:
        raise _not_expandable(path)
    value = obj[head]
    if value is None:
        return
    if isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], str)):
        obj[head] = _expand_value(account, value, rest, path)
    elif isinstance(value, (dict, list)):
        if not rest:
            # Already an object (embedded); Stripe treats this as a no-op only for
            # expandable fields, and an embedded object is one.
            return
        obj[head] = _expand_value(account, value, rest, path)
    else:
        raise _not_expandable(path)


def respond(req: ApiRequest, obj: JsonObj) -> JsonObj:
    """The rendered object with the request's `expand[]` applied."""
    return expand(req.account, req.account.render(obj), req.params.expand())


def respond_list(req: ApiRequest, items: Sequence[JsonObj], url: str) -> JsonObj:
    page = paginate(req.account, req.params, items, url)
    return expand(req.account, page, req.params.expand())


def respond_filtered(req: ApiRequest, object_type: str, url: str, **filters: str) -> JsonObj:
    """A list of `object_type` narrowed by equality filters: each param (name) that is sent must match
    the object's field (value), e.g. `respond_filtered(req, "refund", url, charge="charge")`."""
    wanted = {field: req.params.str(param) for param, field in filters.items()}
    items = [
        obj
        for obj in req.account.all(object_type)
        if all(value is None or obj[field] == value for field, value in wanted.items())
    ]
    return respond_list(req, items, url)
