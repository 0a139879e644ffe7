"""Who is calling: tenant resolution and authentication for `/t/{tenant}/v1/...`.

Two kinds of callers. A tenant app's backend presents an API key (`Authorization: Bearer <key>`;
the tenant's secrets hold its SHA-256 with scopes `service` and/or `admin`). A tenant app's
frontend presents a short-lived end-user JWT (HS256, signed with the tenant's `jwt_secret`,
`sub` = the app's customer id, `exp` required) and reaches only that customer's non-admin routes.
The guards run in this order: tenant (404), credentials (401), scope (403), customer (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import jwt
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.errors import Forbidden, NotFound, Unauthorized
from tenants.registry import Tenant
from tenants.secrets import TenantSecrets


@dataclass(frozen=True)
class Principal:
    kind: Literal["api_key", "end_user"]
    scopes: frozenset[str]
    name: str = ""
    customer: str | None = None

    @property
    def is_admin(self) -> bool:
        return "admin" in self.scopes


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the tenant's API key or an end-user token as 'Authorization: Bearer <token>'.")
    return token.strip()


def authenticate(token: str, secrets: TenantSecrets) -> Principal:
    """Turn a bearer token into a principal for this tenant, or raise 401."""
    if token.count(".") == 2:
        return _end_user(token, secrets)
    key = secrets.find_api_key(token)
    if key is None:
        raise Unauthorized("The API key is not valid for this tenant.", code="invalid_api_key")
    return Principal(kind="api_key", scopes=frozenset(key.scopes), name=key.name)


def _end_user(token: str, secrets: TenantSecrets) -> Principal:
    if not secrets.jwt_secret:
        raise Unauthorized("This tenant does not accept end-user tokens.", code="invalid_token")
    try:
        claims = jwt.decode(token, secrets.jwt_secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The end-user token has expired.", code="token_expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"The end-user token is not valid: {exc}.", code="invalid_token") from None
    return Principal(kind="end_user", scopes=frozenset({"end_user"}), customer=str(claims["sub"]))


async def tenant_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Resolve the tenant, authenticate the caller and check scope and customer; store both on the scope."""
    runtime = connection.app.state.runtime
    state = connection.state  # built anew on each access
    tenant = runtime.tenants.get(connection.path_params["tenant_slug"])
    state.tenant = tenant
    token = _bearer(connection)
    principal = authenticate(token, await runtime.secrets.get(tenant))
    state.principal = principal
    check_access(principal, handler, connection.path_params.get("customer"))


def check_access(principal: Principal, handler: BaseRouteHandler, customer: str | None) -> None:
    admin_only = bool(handler.opt.get("admin"))
    if principal.kind == "end_user":
        if admin_only:
            raise Forbidden("End-user tokens cannot reach admin routes.", code="insufficient_scope")
        if handler.opt.get("catalog"):
            return
        if customer is None or customer != principal.customer:
            # 404, not 403: a customer must not learn whether another customer exists.
            raise NotFound("No such customer.", code="customer_not_found")
        return
    if admin_only and not principal.is_admin:
        raise Forbidden("This route needs an API key with the 'admin' scope.", code="insufficient_scope")
    if not admin_only and not principal.scopes & {"service", "admin"}:
        raise Forbidden("This API key has no usable scope.", code="insufficient_scope")


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
