"""Who may call what, for every route: declared where the route is, enforced, documented, tabled.

The expectations are computed from the declarations (`core.access`), as the served document shows
them; the one hand-written list is the routes end-user tokens must never reach, whatever a
declaration says.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.access import ADMIN, END_USER, SERVICE, Caller, declared
from core.runtime import Runtime
from tests.edge.conftest import ADMIN_ONLY_KEY
from tests.edge.routes import OTHER, OWN, Operation, operations
from tests.support.database import row_counts
from tests.support.jobs import drain
from tests.support.tenants import auth, user_auth

pytestmark = pytest.mark.postgres

README = Path(__file__).resolve().parents[2] / "README.md"
# What a frontend must never do for its customer: move credits or money, or change the customer record.
NEVER_END_USER = {
    "PUT /customers/{customer_id}",
    "POST /customers/{customer_id}/spend",
    "POST /customers/{customer_id}/holds",
    "GET /customers/{customer_id}/holds/{hold_id}",
    "POST /customers/{customer_id}/holds/{hold_id}/capture",
    "POST /customers/{customer_id}/holds/{hold_id}/release",
    "POST /customers/{customer_id}/grants",
    "POST /customers/{customer_id}/clawbacks",
    "POST /orders/{order_id}/refund",
    "PATCH /customers/{customer_id}/subscription",
    "DELETE /customers/{customer_id}/subscription",
    "DELETE /customers/{customer_id}",
    "GET /customers/{customer_id}/export",
}
# The route that erases the customer the other routes are called on.
ERASURE = "DELETE /customers/{customer_id}"
# The example plugin's route that raises, to show a 500 carries no internals.
FAILS_ON_PURPOSE = {"GET /example/boom"}
PRINCIPALS: dict[str, dict[str, str]] = {
    "no key": {},
    "other tenant's service key": auth("beta"),
    "other tenant's admin key": auth("beta", "admin"),
    "service key": auth("alpha"),
    "admin-only key": {"Authorization": f"Bearer {ADMIN_ONLY_KEY}"},
    "service+admin key": auth("alpha", "admin"),
    "end-user token, same customer": user_auth("alpha", OWN, expires_in=3600),
    "end-user token, other customer": user_auth("alpha", OTHER, expires_in=3600),
}


def expected(op: Operation, principal: str) -> tuple[int, str] | None:
    """The guard's refusal for this caller on this route, or None when the route admits it."""
    kinds: dict[str, set[Caller]] = {
        "service key": {SERVICE},
        "admin-only key": {ADMIN},
        "service+admin key": {SERVICE, ADMIN},
        "end-user token, same customer": {END_USER},
        "end-user token, other customer": {END_USER},
    }
    if principal == "no key":
        return 401, "unauthorized"
    if principal.startswith("other tenant"):
        return 401, "invalid_api_key"
    if not kinds[principal] & op.callers:
        return 403, "insufficient_scope"
    if principal == "end-user token, other customer" and op.per_customer:
        return 404, "customer_not_found"
    return None


def test_every_tenant_route_declares_its_callers(app: Litestar) -> None:
    undeclared = [
        f"{sorted(handler.http_methods)} {route.path} ({handler.handler_name})"
        for route in app.routes
        if route.path.startswith("/t/{tenant_slug:str}/v1")
        for handler in getattr(route, "route_handlers", [])
        if "OPTIONS" not in handler.http_methods and not declared(handler.opt)
    ]
    assert not undeclared, f"routes without **access(...): {undeclared}"


def test_the_document_shows_each_operations_callers(document: dict[str, Any]) -> None:
    ops = operations(document)
    assert len(ops) > 40
    for op in ops:
        assert op.callers, op.key
        described = document["paths"]["/t/{tenant_slug}/v1" + (op.template if op.template != "/" else "")]
        description = described[op.method.lower()]["description"]
        assert "Callers: " in description, op.key
    schemes = document["components"]["securitySchemes"]
    assert set(schemes) == {"serviceKey", "adminKey", "endUserToken"}


def test_end_user_tokens_never_move_credits_or_change_customers(document: dict[str, Any]) -> None:
    by_key = {op.key: op for op in operations(document)}
    assert set(by_key) >= NEVER_END_USER, NEVER_END_USER - set(by_key)
    reaching = sorted(key for key in NEVER_END_USER if END_USER in by_key[key].callers)
    assert not reaching, f"end-user tokens reach {reaching}"


def test_readme_has_the_principal_table(document: dict[str, Any]) -> None:
    """README's route x caller table is the declarations, row for row (the example plugin is a test's)."""
    text = README.read_text()
    rows = {}
    for line in text.splitlines():
        match = re.fullmatch(r"\| `([A-Z]+ [^`]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \|.*", line)
        if match:
            rows[match.group(1)] = tuple(cell.strip() != "—" for cell in match.groups()[1:])
    declared_rows = {
        op.key: (SERVICE in op.callers, ADMIN in op.callers, END_USER in op.callers)
        for op in operations(document)
        if not op.template.startswith("/example")
    }
    assert rows == declared_rows


async def test_every_route_answers_each_caller_as_declared(
    client: httpx.AsyncClient, runtime: Runtime, document: dict[str, Any]
) -> None:
    await customers_with_credits(client)
    checked = 0
    for op in operations(document):
        refused = {p: e for p in PRINCIPALS if (e := expected(op, p)) is not None}
        before = await row_counts(runtime.engine)
        for principal, (status, code) in refused.items():
            r = await client.request(op.method, op.url(), json=op.body, headers=PRINCIPALS[principal])
            assert (r.status_code, r.json()["error"]["code"]) == (status, code), f"{op.key} as {principal}: {r.text}"
            checked += 1
        assert await row_counts(runtime.engine) == before, f"{op.key}: a refused call wrote"
        for principal in PRINCIPALS.keys() - refused.keys():
            r = await client.request(op.method, op.url(), json=op.body, headers=PRINCIPALS[principal])
            code = r.json().get("error", {}).get("code") if r.status_code >= 400 else None
            assert r.status_code not in (401, 403), f"{op.key} as {principal}: {r.text}"
            assert r.status_code != 500 or op.key in FAILS_ON_PURPOSE, f"{op.key} as {principal}: {r.text}"
            assert code not in ("customer_not_found", "plugin_not_enabled", "tenant_not_found"), (
                f"{op.key} as {principal}: {r.text}"
            )
            checked += 1
        # The admitted calls' jobs (a catalog sync, a replay) finish before the next refusals are counted.
        await drain(runtime)
        if op.key == ERASURE:
            await customers_with_credits(client)  # the erased ids are free again: the next routes need them
    assert checked > 300


async def customers_with_credits(client: httpx.AsyncClient) -> None:
    for customer in (OWN, OTHER):
        r = await client.put(
            f"/t/alpha/v1/customers/{customer}", json={"email": f"{customer}@x.io"}, headers=auth("alpha")
        )
        assert r.status_code in (200, 201), r.text
    r = await client.post(f"/t/alpha/v1/customers/{OWN}/grants", json={"credits": 100}, headers=auth("alpha", "admin"))
    assert r.status_code == 201, r.text


async def test_options_answers_known_callers_only(client: httpx.AsyncClient) -> None:
    """Found by the fuzzer: OPTIONS on a tenant route was a 500."""
    url = f"/t/alpha/v1/customers/{OWN}/balance"
    for headers in (auth("alpha"), user_auth("alpha", OTHER)):
        r = await client.options(url, headers=headers)
        assert r.status_code == 204, r.text
        assert "GET" in r.headers["allow"]
    r = await client.options(url)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthorized")
