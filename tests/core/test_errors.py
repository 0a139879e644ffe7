"""Every 4xx/5xx answers `{"error": {"code", "message", "detail"}}`; no stack trace reaches a client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.tenants import auth, default_tenants, tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["alpha"] = tenant_block("Alpha App", ["example"])
    return tenants


def assert_error_shape(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def test_unknown_route_and_method(client: Any) -> None:
    assert_error_shape(await client.get("/nowhere"), 404, "not_found")
    assert_error_shape(await client.delete("/health/live"), 405, "method_not_allowed")


async def test_validation_error_names_the_field(client: Any) -> None:
    r = await client.put("/t/alpha/v1/customers/c1", json={"email": 42}, headers=auth("alpha"))
    assert_error_shape(r, 400, "validation_error")
    assert r.json()["error"]["detail"][0]["key"] == "email"


async def test_malformed_json_is_400(client: Any) -> None:
    r = await client.put(
        "/t/alpha/v1/customers/c1", content=b"{not json", headers={**auth("alpha"), "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"


async def test_unexpected_error_is_500_without_internals(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/boom", headers=auth("alpha"))
    assert_error_shape(r, 500, "internal_error")
    assert "hunter2" not in r.text
    assert "Traceback" not in r.text
    assert "RuntimeError" not in r.text


def test_validation_errors_list_only_the_callers_mistakes() -> None:
    from litestar.exceptions import ValidationException

    from core.errors import handle_http_exception

    exc = ValidationException(
        extra=[
            {"message": "Expected `int`, got `str`", "key": "amount", "source": "body"},
            {"message": "'tenant_slug'", "key": "tenant_slug", "source": "path"},
        ]
    )
    body = handle_http_exception(None, exc).content  # type: ignore[arg-type]
    assert body["error"]["detail"] == [{"message": "Expected `int`, got `str`", "key": "amount", "source": "body"}]
