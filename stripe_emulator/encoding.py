"""Stripe's request encoding: bracketed form keys to nested params, typed access, validation.

The SDK sends `items[0][price]=...`, `expand[0]=...`, `metadata[k]=v` (query string for GET
and DELETE, form body for POST); Stripe also accepts `expand[]=...`. Known parameter names
come from the SDK's own `*Params` TypedDicts, so an unknown or misspelt parameter answers
400 `parameter_unknown` exactly where the real API would.
"""

from __future__ import annotations

import builtins
import importlib
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from .errors import StripeError, invalid_request, missing_param, unknown_param

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")
# Metadata keys are user data: `metadata[0]` is a key named "0", never a list index.
_FREE_FORM = frozenset({"metadata"})


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    return parse_qsl(raw, keep_blank_values=True)


def _split_key(key: str) -> list[str]:
    head, bracket, rest = key.partition("[")
    if not bracket:
        return [key]
    parts = [head]
    tail = "[" + rest
    pos = 0
    while pos < len(tail):
        match = _KEY_PART.match(tail, pos)
        if match is None:
            raise invalid_request(f"Invalid parameter name: {key}", param=key)
        parts.append(match.group(1))
        pos = match.end()
    return parts


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Nest `a[b][0][c]=v` pairs into dicts; digit-keyed dicts become lists afterwards."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _split_key(key)
        node = root
        for i, raw_part in enumerate(parts):
            # `[]` appends: it takes the next free index of this level.
            part = raw_part or str(sum(1 for k in node if k.isdigit()))
            if i == len(parts) - 1:
                node[part] = value
                break
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
    nested: dict[str, Any] = _listify(root, inside_free_form=False)
    return nested


def _listify(node: dict[str, Any], *, inside_free_form: bool) -> Any:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out[key] = _listify(value, inside_free_form=key in _FREE_FORM)
        else:
            out[key] = value
    if not inside_free_form and out and all(k.isdigit() for k in out):
        return [out[k] for k in sorted(out, key=int)]
    return out


def decode_json(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise invalid_request(f"Invalid JSON body: {exc}") from exc
    if not isinstance(data, dict):
        raise invalid_request("The JSON body must be an object.")
    return data


# ---------------------------------------------------------------- known parameters


@cache
def _sdk_params_class(name: str) -> Any:
    """`checkout.SessionCreateParams` -> the TypedDict in `stripe.params.checkout`."""
    module_name, _, cls_name = name.rpartition(".")
    try:
        module = importlib.import_module(
            "stripe.params" + (f".{module_name}" if module_name else "")
        )
        return getattr(module, cls_name)
    except (ImportError, AttributeError):
        return None


_REQUEST_OPTION_KEYS = frozenset(
    {
        "api_key",
        "content_type",
        "headers",
        "idempotency_key",
        "max_network_retries",
        "stripe_account",
        "stripe_context",
        "stripe_version",
    }
)


class _LenientNames(dict[str, Any]):
    """Names for evaluating SDK hints: module globals, else builtins, else Any.

    The SDK imports some typing names under TYPE_CHECKING only, which would make
    `typing.get_type_hints` fail on every params class.
    """

    def __init__(self, module_globals: dict[str, Any]) -> None:
        super().__init__()
        self.module_globals = module_globals

    def __missing__(self, name: str) -> Any:
        if name in self.module_globals:
            return self.module_globals[name]
        if hasattr(builtins, name):
            raise KeyError(name)
        return Any


def _resolve(tp: Any, names: _LenientNames) -> Any:
    if isinstance(tp, str):
        return eval(tp, names.module_globals, names)  # noqa: S307 - SDK type hints only
    if isinstance(tp, typing.ForwardRef):
        return eval(tp.__forward_arg__, names.module_globals, names)  # noqa: S307
    return tp


@cache
def _names_for(module_name: str) -> _LenientNames:
    return _LenientNames(vars(importlib.import_module(module_name)))


@cache
def _hints(cls: Any) -> dict[str, tuple[Any, _LenientNames]] | None:
    names = _names_for(cls.__module__)
    out: dict[str, tuple[Any, _LenientNames]] = {}
    for klass in reversed(cls.__mro__):
        for key, raw in getattr(klass, "__annotations__", {}).items():
            if key in _REQUEST_OPTION_KEYS:
                continue
            out[key] = (raw, _names_for(klass.__module__) if klass is not cls else names)
    return out


def _is_typed_dict(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "__total__") and hasattr(tp, "__annotations__")


def _unwrap(tp: Any, names: _LenientNames) -> list[Any]:
    """Every concrete alternative of a hint (NotRequired/Union/Optional peeled)."""
    try:
        tp = _resolve(tp, names)
    except Exception:  # noqa: BLE001 - an unresolvable hint disables the check below it
        return [Any]
    origin = typing.get_origin(tp)
    if origin in (typing.NotRequired, typing.Required):
        return _unwrap(typing.get_args(tp)[0], names)
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in typing.get_args(tp):
            out.extend(_unwrap(arg, names))
        return out
    return [tp]


def _check_value(value: Any, tp: Any, names: _LenientNames, path: str) -> None:
    options = _unwrap(tp, names)
    if isinstance(value, dict):
        typed = [t for t in options if _is_typed_dict(t)]
        if not typed:
            return
        hints = _hints(typed[0])
        if hints is None:
            return
        for key, sub in value.items():
            if key not in hints:
                raise unknown_param(f"{path}[{key}]")
            sub_tp, sub_names = hints[key]
            _check_value(sub, sub_tp, sub_names, f"{path}[{key}]")
    elif isinstance(value, list):
        for tp_option in options:
            if typing.get_origin(tp_option) is list:
                (item_tp,) = typing.get_args(tp_option)
                for i, item in enumerate(value):
                    _check_value(item, item_tp, names, f"{path}[{i}]")
                return


def check_known(params: Mapping[str, Any], sdk_class: str | None) -> None:
    """Raise `parameter_unknown` for a name the SDK's params type does not declare."""
    if sdk_class is None:
        return
    cls = _sdk_params_class(sdk_class)
    hints = _hints(cls) if cls is not None else None
    if hints is None:
        return
    for key, value in params.items():
        if key not in hints:
            raise unknown_param(key)
        tp, names = hints[key]
        _check_value(value, tp, names, key)


# ---------------------------------------------------------------- typed access


def _empty_unset(name: str) -> StripeError:
    return invalid_request(
        f"You passed an empty string for '{name}'. We assume empty values are an "
        f"attempt to unset a parameter; however '{name}' cannot be unset. You should "
        f"remove '{name}' from your request or supply a non-empty value.",
        param=name,
        code="parameter_invalid_empty",
    )


class Params:
    """Typed, Stripe-worded access to one level of decoded params (`path` names errors)."""

    def __init__(self, raw: Mapping[builtins.str, Any], path: builtins.str = "") -> None:
        self.raw: Mapping[builtins.str, Any] = raw
        self.path = path

    def name(self, key: builtins.str) -> builtins.str:
        return f"{self.path}[{key}]" if self.path else key

    def has(self, key: builtins.str) -> builtins.bool:
        return key in self.raw

    def str(
        self, key: builtins.str, *, required: builtins.bool = False, choices: Iterable[builtins.str] | None = None
    ) -> builtins.str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise missing_param(self.name(key))
            return None
        if isinstance(value, (dict, list)):
            raise invalid_request(
                f"Invalid string: {json.dumps(value)}", param=self.name(key),
                code="parameter_invalid_string",
            )
        text = str(value)
        if required and text == "":
            raise _empty_unset(self.name(key))
        if choices is not None and text != "" and text not in choices:
            allowed = list(choices)
            listed = ", ".join(allowed[:-1]) + (f", or {allowed[-1]}" if len(allowed) > 1 else allowed[0])
            raise invalid_request(
                f"Invalid {self.name(key)}: must be one of {listed}",
                param=self.name(key),
            )
        return text

    def int(
        self, key: builtins.str, *, required: builtins.bool = False, minimum: builtins.int | None = None
    ) -> builtins.int | None:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise missing_param(self.name(key))
            return None
        if isinstance(value, bool):
            value = str(value)
        try:
            number = int(value) if not isinstance(value, str) else int(value, 10)
        except (TypeError, ValueError):
            raise invalid_request(
                f"Invalid integer: {value}", param=self.name(key),
                code="parameter_invalid_integer",
            ) from None
        if minimum is not None and number < minimum:
            raise invalid_request(
                f"This value must be greater than or equal to {minimum}.",
                param=self.name(key),
            )
        return number

    def float(self, key: builtins.str) -> builtins.float | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise invalid_request(
                f"Invalid decimal: {value}", param=self.name(key)
            ) from None

    def bool(self, key: builtins.str) -> builtins.bool | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise invalid_request(
            f"Invalid boolean: {value}", param=self.name(key),
            code="parameter_invalid_boolean",
        )

    def timestamp_or_now(self, key: builtins.str, now: builtins.int) -> builtins.int | None:
        if self.raw.get(key) == "now":
            return now
        return self.int(key)

    def dict(self, key: builtins.str, *, required: builtins.bool = False) -> Params | None:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise missing_param(self.name(key))
            return None
        if isinstance(value, list):
            value = {str(i): v for i, v in enumerate(value)}
        if not isinstance(value, Mapping):
            raise invalid_request(f"Invalid object: {value}", param=self.name(key))
        return Params(value, self.name(key))

    def list(self, key: builtins.str, *, required: builtins.bool = False) -> builtins.list[Any]:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise missing_param(self.name(key))
            return []
        if isinstance(value, Mapping):
            raise invalid_request(
                f"Invalid array: {self.name(key)} must be an array",
                param=self.name(key),
            )
        if not isinstance(value, list):
            value = [value]
        return [
            Params(item, f"{self.name(key)}[{i}]") if isinstance(item, Mapping) else item
            for i, item in enumerate(value)
        ]

    def str_list(self, key: builtins.str) -> builtins.list[builtins.str]:
        return [str(v) for v in self.list(key) if not isinstance(v, Params)]

    def metadata(
        self, key: builtins.str = "metadata", existing: Mapping[builtins.str, builtins.str] | None = None
    ) -> builtins.dict[builtins.str, builtins.str] | None:
        """Stripe's merge: `metadata[k]=` deletes k, `metadata=` deletes everything."""
        if key not in self.raw:
            return None
        value = self.raw[key]
        if value == "":
            return {}
        if not isinstance(value, Mapping):
            raise invalid_request(
                "Invalid metadata: metadata must be a hash", param=self.name(key)
            )
        merged = dict(existing or {})
        for k, v in value.items():
            if isinstance(v, (Mapping, list)):
                raise invalid_request(
                    f"Invalid value for metadata key {k}: must be a string",
                    param=f"{self.name(key)}[{k}]",
                )
            if v == "" or v is None:
                merged.pop(k, None)
            else:
                merged[str(k)] = str(v)
        if len(merged) > 50:
            raise invalid_request(
                "Invalid metadata: metadata cannot have more than 50 keys",
                param=self.name(key),
            )
        return merged

    def expand(self) -> builtins.list[builtins.str]:
        return self.str_list("expand")
