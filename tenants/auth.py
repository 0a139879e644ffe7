"""Who is calling: tenant resolution and authentication for `/t/{tenant}/v1/...`.

Two kinds of callers. A tenant app's backend presents an API key (`Authorization: Bearer <key>`;
the tenant's secrets hold its SHA-256 with scopes `service` and/or `admin`). A tenant app's
frontend presents a short-lived end-user JWT (HS256, signed with the tenant's `jwt_secret`,
`sub` = the app's customer id, `exp` a number, no longer-lived than the tenant allows) and reaches
only the routes that admit end-user tokens (core/access.py), for that customer alone.
The guards run in this order: tenant (404), credentials (401), caller kind (403), customer (404).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import jwt
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core import logs
from core.access import END_USER, Caller, admitted, describe
from core.audit_trail.services import principal_name, remember_caller
from core.errors import Forbidden, NotFound, Unauthorized
from tenants.registry import EndUserTokens, Tenant
from tenants.secrets import TenantSecrets


@dataclass(frozen=True)
class Principal:
    kind: Literal["api_key", "end_user"]
    scopes: frozenset[str]
    name: str = ""
    customer: str | None = None
    # An API key's own identity (the start of its stored SHA-256): its rate-limit window, even unnamed.
    key_id: str = ""


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the tenant's API key or an end-user token as 'Authorization: Bearer <token>'.")
    return token.strip()


def authenticate(token: str, secrets: TenantSecrets, policy: EndUserTokens | None = None) -> Principal:
    """Turn a bearer token into a principal for this tenant, or raise 401."""
    if token.count(".") == 2:
        return _end_user(token, secrets, policy or EndUserTokens())
    key = secrets.find_api_key(token)
    if key is None:
        raise Unauthorized("The API key is not valid for this tenant.", code="invalid_api_key")
    return Principal(kind="api_key", scopes=frozenset(key.scopes), name=key.name, key_id=key.hash.lower()[:16])


def _end_user(token: str, secrets: TenantSecrets, policy: EndUserTokens) -> Principal:
    if not secrets.jwt_secret:
        raise Unauthorized("This tenant does not accept end-user tokens.", code="invalid_token")
    try:
        claims = jwt.decode(
            token,
            secrets.jwt_secret,
            algorithms=["HS256"],
            audience=policy.audience,
            issuer=policy.issuer,
            # The times are checked below, once they are known to be numbers (PyJWT takes "123" and true).
            options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"The end-user token is not valid: {exc}.", code="invalid_token") from None
    _check_times(claims, policy.max_lifetime_seconds)
    return Principal(kind="end_user", scopes=frozenset({END_USER}), customer=str(claims["sub"]))


def _check_times(claims: dict[str, Any], max_lifetime: int) -> None:
    """`exp`, `iat` and `nbf` are JSON numbers; the token is current, and valid for no longer than allowed."""
    for claim in ("exp", "iat", "nbf"):
        value = claims.get(claim)
        if claim in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise Unauthorized(
                f"The end-user token is not valid: '{claim}' must be a number of seconds since the epoch.",
                code="invalid_token",
            )
    now = time.time()
    exp = claims["exp"]
    if exp <= now:
        raise Unauthorized("The end-user token has expired.", code="token_expired")
    if claims.get("nbf", now) > now:
        raise Unauthorized("The end-user token is not valid yet ('nbf' is in the future).", code="invalid_token")
    too_long = exp - now > max_lifetime or ("iat" in claims and exp - claims["iat"] > max_lifetime)
    if too_long:
        raise Unauthorized(
            f"The end-user token is valid for longer than this tenant allows ({max_lifetime} s); mint shorter ones.",
            code="invalid_token",
            detail={"max_lifetime_seconds": max_lifetime},
        )


async def tenant_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Resolve the tenant, authenticate the caller and check the route admits it; store both on the scope."""
    runtime = connection.app.state.runtime
    state = connection.state  # built anew on each access
    tenant = runtime.tenants.get(connection.path_params["tenant_slug"])
    state.tenant = tenant
    logs.bind(tenant=tenant.slug)
    token = _bearer(connection)
    principal = authenticate(token, await runtime.secrets.get(tenant), tenant.core.end_user_tokens)
    state.principal = principal
    logs.bind(principal=principal.name or principal.kind)  # the key's name, never the key
    client = connection.client
    remember_caller(principal_name(principal.kind, principal.name, principal.customer), client.host if client else None)
    if connection.scope.get("method") == "OPTIONS":
        return  # Litestar's own answer (the Allow header) for any caller the tenant knows
    check_access(principal, admitted(handler.opt), connection.path_params.get("customer_id"))


def check_access(principal: Principal, callers: frozenset[Caller], customer: str | None) -> None:
    """Refuse a caller the route does not admit (403), or an end-user token on another customer (404)."""
    if principal.kind == "end_user":
        if END_USER not in callers:
            raise Forbidden(
                f"End-user tokens cannot call this route; it is for: {describe(callers)}.",
                code="insufficient_scope",
                detail={"callers": sorted(callers)},
            )
        if customer is not None and customer != principal.customer:
            # 404, not 403: a customer must not learn whether another customer exists.
            raise NotFound("No such customer.", code="customer_not_found")
        return
    if not principal.scopes & callers:
        raise Forbidden(
            f"This route needs an API key of a kind it admits: {describe(callers)}.",
            code="insufficient_scope",
            detail={"callers": sorted(callers)},
        )


def plugin_guard(plugin: str) -> Any:
    """A guard answering 404 `plugin_not_enabled` when the request's tenant has not enabled `plugin`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        tenant: Tenant = connection.state.tenant
        if not tenant.enabled(plugin):
            raise NotFound(
                f"The {plugin!r} plugin is not enabled for tenant {tenant.slug!r}.",
                code="plugin_not_enabled",
                detail={"plugin": plugin},
            )

    guard.__name__ = f"plugin_guard_{plugin}"
    return guard
