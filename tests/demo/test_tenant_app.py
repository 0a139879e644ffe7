"""The demo's tenant apps reach Tollgate only through the generated client (`tollgate_client`), so every step
of `make demo` also proves the client and the OpenAPI document; a refused call stops the walk by its error code.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tollgate_client import AuthenticatedClient
from tollgate_client.api.ledger import get_balance, spend_credits
from tollgate_client.models import Balance, SpendCreate

from core.app import create_app
from core.runtime import Runtime
from demo.world import StepFailed, TenantApp
from tests.support.app import lifespan
from tests.support.tenants import KEYS

DEMO = Path(__file__).resolve().parents[2] / "demo"
# Not Tollgate's API: the tenant apps' notification endpoint (it is called, it calls nothing).
NOT_TOLLGATE = {"receiver.py"}
HTTPX_CALLS = {"AsyncClient", "Client", "request", "stream", "get", "post", "put", "patch", "delete", "head"}


def raw_http_calls(source: str) -> list[str]:
    """`httpx.<client or verb>(...)` calls: an HTTP client of the demo's own, outside the generated one."""
    return [
        f"line {node.lineno}: httpx.{node.func.attr}(...)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "httpx"
        and node.func.attr in HTTPX_CALLS
    ]


def test_no_demo_module_makes_its_own_http_client() -> None:
    found = {
        path.name: calls
        for path in sorted(DEMO.glob("*.py"))
        if path.name not in NOT_TOLLGATE and (calls := raw_http_calls(path.read_text()))
    }
    assert not found, f"demo/ calls Tollgate through tollgate_client only: {found}"


def test_the_scan_finds_a_raw_call() -> None:
    assert raw_http_calls("import httpx\nasync def f(): return httpx.AsyncClient(base_url='x')\n")
    assert raw_http_calls("import httpx\nhttpx.post('http://x/t/a/v1/spend')\n")


def test_a_tenant_app_holds_only_generated_clients() -> None:
    clients = {field.name: field.type for field in dataclasses.fields(TenantApp) if field.name != "slug"}
    assert clients == {"service": "AuthenticatedClient", "admin": "AuthenticatedClient"}


on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
async def alpha(runtime: Runtime) -> AsyncIterator[TenantApp]:
    app = create_app(runtime)
    async with lifespan(app):
        transport = httpx.ASGITransport(app=app)
        service, admin = (
            AuthenticatedClient(
                base_url="http://tollgate.test", token=KEYS["alpha"][scope], httpx_args={"transport": transport}
            )
            for scope in ("service", "admin")
        )
        async with service, admin:
            yield TenantApp("alpha", service=service, admin=admin)


@on_sqlite
async def test_a_call_answers_the_documents_model(alpha: TenantApp) -> None:
    await alpha.customer("user-1", "ada@example.com")
    balance = await alpha.balance("user-1")
    assert isinstance(balance, Balance)
    assert (balance.customer, balance.balance) == ("user-1", 0)


@on_sqlite
async def test_a_refused_call_stops_the_walk_with_its_error_code(alpha: TenantApp) -> None:
    with pytest.raises(StepFailed, match=r"alpha: get_balance nobody answered 404: customer_not_found: "):
        await alpha.call(get_balance.asyncio_detailed, "nobody")


@on_sqlite
async def test_an_expected_refusal_is_the_typed_error(alpha: TenantApp) -> None:
    await alpha.customer("user-2", "bo@example.com")
    short = await alpha.refused(spend_credits.asyncio_detailed, "user-2", expect=402, body=SpendCreate(credits_=1))
    assert short.error.code == "insufficient_credits"
    with pytest.raises(StepFailed, match=r"answered 402: insufficient_credits: .* \(expected 409\)"):
        await alpha.refused(spend_credits.asyncio_detailed, "user-2", expect=409, body=SpendCreate(credits_=1))
