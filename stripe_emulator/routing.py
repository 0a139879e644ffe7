"""Routes and the request/response types the resource modules see.

API handlers are synchronous: the whole emulator runs on one event loop, so a handler
runs to completion without interleaving, which keeps each API call atomic (as Stripe's
object locks do) without any locking here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .encoding import Params
from .store import Account

if TYPE_CHECKING:
    from .accounts import Emulator


@dataclass
class ApiRequest:
    """One authenticated `/v1` call, as a handler sees it."""

    account: Account
    params: Params
    path_params: dict[str, str]
    method: str
    path: str
    base_url: str
    request_id: str
    idempotency_key: str | None

    def arg(self, name: str) -> str:
        return self.path_params[name]


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ControlRequest:
    """One `/_emulator` call: JSON or form body, account from the bearer key if given."""

    emulator: Emulator
    account: Account | None
    body: dict[str, Any]
    query: dict[str, Any]
    path_params: dict[str, str]
    method: str
    path: str
    base_url: str
    request_id: str

    def arg(self, name: str) -> str:
        return self.path_params[name]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Any
    # The SDK params TypedDict that lists this endpoint's parameters.
    sdk_params: str | None = None
    # Helpers that need no account (health, creating accounts, hosted pages).
    public: bool = False

    def compile(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern)
        return re.compile(f"^{regex}$")


class Router:
    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = [(route, route.compile()) for route in routes]

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        for route, regex in self._routes:
            if route.method != method:
                continue
            found = regex.match(path)
            if found is not None:
                return route, found.groupdict()
        return None, {}
