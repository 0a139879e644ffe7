"""Strict request input for every tenant route: JSON bodies only, bounded, typed exactly, sane dates.

Litestar converts request data leniently (`"10"` and `1.0` become the integer 10 and 1, a bare
number becomes a date). Money and credits must not be guessed at, so before a handler runs this
guard checks what the caller sent against the handler's own declared types, strictly:

- a body goes only to a route that takes one, as `application/json` (else 415 `unsupported_media_type`);
- the JSON is at most `MAX_DEPTH` deep with at most `MAX_MEMBERS` object members, checked on the
  bytes before decoding (else 400 `invalid_json`);
- it decodes into the handler's `data` type with msgspec's strict mode: integers are JSON
  integers, strings are strings (else 400 `validation_error` naming the field);
- every date, in the body or the query, is RFC 3339 with an offset and between `EARLIEST` and
  `LATEST` (else 400 `validation_error`).

A refused request reaches no handler, so it writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from dataclasses import dataclass
from typing import Any, Final, Union, get_args, get_origin

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.errors import BadRequest, TollgateError

MAX_DEPTH: Final = 32
MAX_MEMBERS: Final = 2_000
MAX_BODY_BYTES: Final = 1024 * 1024
EARLIEST: Final = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)

RFC3339: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})", re.ASCII
)
_JSON_TOKENS: Final = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}:]', re.DOTALL)
_MSGSPEC_PATH: Final = re.compile(r" - at (?:`key` in )?`\$\.?(.*)`$")


class UnsupportedMediaType(TollgateError):
    code = "unsupported_media_type"


def invalid(key: str, message: str, source: str = "body") -> BadRequest:
    return BadRequest(
        "The request is not valid.",
        code="validation_error",
        detail=[{"message": message, "key": key, "source": source}],
    )


@dataclass(frozen=True)
class InputPlan:
    """What one handler takes: its body type (if any), and which of its query parameters are dates."""

    data_type: Any
    data_optional: bool
    data_has_dates: bool
    date_params: tuple[str, ...]


# Per handler function, built on its first request. Keyed by the function, not the handler object:
# a controller's route reaches the guard as a new handler object on every request (keyed by those,
# the plan was rebuilt each time and the dict grew without end).
_plans: dict[Any, InputPlan] = {}


async def input_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Refuse input the handler's types do not admit exactly; see the module's docstring."""
    function = getattr(handler.fn, "__func__", handler.fn)
    plan = _plans.get(function)
    if plan is None:
        plan = _plans[function] = _plan(handler)
    for name in plan.date_params:
        for raw in connection.query_params.getall(name, []):
            check_instant(parse_instant(raw, name, "query"), name, "query")
    if plan.data_type is None or not isinstance(connection, Request):
        return
    body = await connection.body()
    if not body.strip():
        if plan.data_optional:
            return
        raise BadRequest("This route takes a JSON body.", code="invalid_json")
    media_type = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType(
            "Send the request body as JSON with 'Content-Type: application/json'.",
            detail={"content_type": media_type or None},
        )
    value = decode_strict(body, plan.data_type)
    if plan.data_has_dates:
        _check_dates(value, "")


def check_json_shape(body: bytes) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH or with more than MAX_MEMBERS object members, before decoding."""
    openers = body.count(b"[") + body.count(b"{")
    if openers <= MAX_DEPTH and body.count(b":") <= MAX_MEMBERS:
        return
    depth = members = 0
    for token in _JSON_TOKENS.findall(body):
        first = token[:1]
        if first in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise BadRequest(f"The JSON body is nested deeper than {MAX_DEPTH} levels.", code="invalid_json")
        elif first in (b"]", b"}"):
            depth -= 1
        elif first == b":":
            members += 1
            if members > MAX_MEMBERS:
                raise BadRequest(f"The JSON body has more than {MAX_MEMBERS} object members.", code="invalid_json")


def decode_strict(body: bytes, type_: Any) -> Any:
    """The body decoded as `type_` by msgspec's strict rules; 400 with the field's name otherwise."""
    check_json_shape(body)
    try:
        return msgspec.json.decode(body, type=type_, strict=True)
    except msgspec.ValidationError as exc:
        # msgspec stops at the first wrong field, which may come before a syntax error further on.
        _check_syntax(body)
        message, key = split_msgspec_error(str(exc))
        raise invalid(key, message) from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.", code="invalid_json") from None


def _check_syntax(body: bytes) -> None:
    try:
        msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise BadRequest(f"The body is not valid JSON: {exc}.", code="invalid_json") from None


def split_msgspec_error(text: str) -> tuple[str, str]:
    """msgspec's "Expected `int`, got `str` - at `$.amount`" as (message, "amount")."""
    match = _MSGSPEC_PATH.search(text)
    message = text[: match.start()] if match else text
    key = match.group(1) if match else ""
    field = re.search(r"(?:missing required|unknown) field `([^`]*)`", message)
    if field:
        key = f"{key}.{field.group(1)}" if key else field.group(1)
    return message, key


def parse_instant(raw: str, key: str, source: str) -> dt.datetime:
    if not RFC3339.fullmatch(raw):
        raise invalid(key, "Expected an RFC 3339 date-time with an offset, e.g. 2026-12-01T00:00:00Z", source)
    try:
        return dt.datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise invalid(key, "Not a real date-time", source) from None


def check_instant(value: dt.datetime, key: str, source: str = "body") -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise invalid(key, "Expected a date-time with an offset (Z or +hh:mm)", source)
    if not EARLIEST <= value < LATEST:
        raise invalid(key, f"Expected a date-time from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}", source)


def _check_dates(value: Any, path: str) -> None:
    if isinstance(value, dt.datetime):
        check_instant(value, path)
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _check_dates(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_dates(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_dates(v, f"{path}[{i}]")


def _plan(handler: BaseRouteHandler) -> InputPlan:
    parameters = handler.parsed_fn_signature.parameters
    data = parameters.get("data")
    date_params = tuple(
        getattr(field.kwarg_definition, "query", None) or name
        for name, field in parameters.items()
        if name != "data" and _holds_datetime(field.annotation)
    )
    if data is None:
        return InputPlan(None, True, False, date_params)
    return InputPlan(
        data_type=data.annotation,
        data_optional=data.is_optional or data.has_default,
        data_has_dates=_holds_datetime(data.annotation, deep=True),
        date_params=date_params,
    )


def _holds_datetime(annotation: Any, *, deep: bool = False, seen: set[int] | None = None) -> bool:
    """Whether a type is (or, `deep`, contains) a datetime."""
    if annotation is dt.datetime:
        return True
    seen = seen if seen is not None else set()
    if id(annotation) in seen:
        return False
    seen.add(id(annotation))
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType) or (deep and origin is not None):
        return any(_holds_datetime(arg, deep=deep, seen=seen) for arg in get_args(annotation))
    if deep and isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        hints = msgspec.structs.fields(annotation)
        return any(_holds_datetime(f.type, deep=deep, seen=seen) for f in hints)
    if getattr(annotation, "__metadata__", None) is not None:
        return _holds_datetime(get_args(annotation)[0], deep=deep, seen=seen)
    return False
