"""Who may call a route: every tenant route declares, where it is declared, the callers it admits.

Three kinds of caller reach `/t/{tenant}/v1`: a tenant backend with a `service` API key, an
operator or back office with an `admin` API key, and a tenant app's frontend with an end-user
token that speaks for one customer. A route says which of them it admits:

    @post("/spend", **access(SERVICE, ADMIN))
    @get("/balance", **access(SERVICE, ADMIN, END_USER))

The declaration is enforced by the tenant guard (tenants/auth.py), shown in the OpenAPI document
(one security requirement per admitted caller and a line in the description), and checked by a
meta-test that fails when a route forgets it. A route without one admits service keys only.
End-user tokens read their own customer and start their own payments; no route that moves credits
or changes a customer record admits them (the README's table lists every route).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from litestar.openapi.spec import Operation, SecurityScheme


class Caller(StrEnum):
    SERVICE = "service"
    ADMIN = "admin"
    END_USER = "end_user"


SERVICE: Final = Caller.SERVICE
ADMIN: Final = Caller.ADMIN
END_USER: Final = Caller.END_USER

OPT_KEY: Final = "callers"
ERRORS_KEY: Final = "errors"
DEFAULT_CALLERS: Final = frozenset({SERVICE})

# The OpenAPI security scheme each caller authenticates with, and how the document names it.
SCHEMES: Final = {
    SERVICE: ("serviceKey", "service key"),
    ADMIN: ("adminKey", "admin key"),
    END_USER: ("endUserToken", "end-user token (own customer only)"),
}
SECURITY_SCHEMES: Final = {
    "serviceKey": SecurityScheme(
        type="http",
        scheme="bearer",
        description="A tenant API key with the `service` scope: the tenant app's backend.",
    ),
    "adminKey": SecurityScheme(
        type="http",
        scheme="bearer",
        description="A tenant API key with the `admin` scope: operators and back-office tools.",
    ),
    "endUserToken": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="JWT",
        description=(
            "A short-lived end-user JWT (HS256, signed with the tenant's `jwt_secret`; `sub` = the customer id, "
            "`exp` a number). It reaches only its own customer's read routes and payment starts."
        ),
    ),
}


def access(*callers: Caller, errors: Iterable[str] = ()) -> dict[str, Any]:
    """Keyword arguments for a route decorator declaring who may call the route, and what it may refuse.

    `@get("/x", **access(SERVICE, ADMIN, END_USER))` puts the declaration in the handler's `opt`
    (what the guard reads), its security requirements and the description line in the document.
    `errors=("insufficient_credits", ...)` names the error codes the route's own rules raise; the
    document (core/openapi.py) adds them to the ones every route of its kind answers (authentication,
    input, tenant and customer lookups, rate limits, unavailability).
    """
    if not callers:
        raise ValueError("access() needs at least one caller")
    admitted = frozenset(Caller(c) for c in callers)
    return {
        "opt": {OPT_KEY: admitted, ERRORS_KEY: tuple(errors)},
        "security": [{SCHEMES[c][0]: []} for c in Caller if c in admitted],
        "operation_class": CallerOperation,
    }


def admitted(opt: dict[str, Any]) -> frozenset[Caller]:
    """The callers a handler admits (its declaration, or service keys only)."""
    declared: frozenset[Caller] | None = opt.get(OPT_KEY)
    return declared if declared is not None else DEFAULT_CALLERS


def declared_errors(opt: dict[str, Any]) -> tuple[str, ...]:
    """The error codes a handler declares its own rules raise (`access(..., errors=...)`)."""
    return tuple(opt.get(ERRORS_KEY, ()))


def declared(opt: dict[str, Any]) -> bool:
    return OPT_KEY in opt


def describe(callers: frozenset[Caller]) -> str:
    return ", ".join(SCHEMES[c][1] for c in Caller if c in callers)


@dataclass
class CallerOperation(Operation):
    """An operation whose description ends with the callers its security requirements admit."""

    def __post_init__(self) -> None:
        names = {name for requirement in self.security or [] for name in requirement}
        callers = frozenset(c for c in Caller if SCHEMES[c][0] in names)
        if callers:
            line = f"Callers: {describe(callers)}."
            self.description = f"{self.description}\n\n{line}" if self.description else line
