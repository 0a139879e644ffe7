"""Tenant resolution and authentication on `/t/{tenant}/v1`: API keys, scopes, end-user JWTs."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from tests.support.tenants import JWT_SECRETS, auth, default_tenants, tenant_block, user_auth

pytestmark = pytest.mark.postgres


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["alpha"] = tenant_block("Alpha App", ["example"], example={"greeting": "hej"})
    return tenants


async def put_customer(client: Any, tenant: str, customer: str) -> None:
    r = await client.put(
        f"/t/{tenant}/v1/customers/{customer}", json={"email": f"{customer}@example.com"}, headers=auth(tenant)
    )
    assert r.status_code in (200, 201), r.text


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


async def test_unknown_tenant_is_404(client: Any) -> None:
    r = await client.get("/t/nobody/v1/", headers=auth("alpha"))
    assert r.status_code == 404
    assert error_code(r) == "tenant_not_found"


async def test_missing_and_unknown_keys_are_401(client: Any) -> None:
    r = await client.get("/t/alpha/v1/")
    assert (r.status_code, error_code(r)) == (401, "unauthorized")
    r = await client.get("/t/alpha/v1/", headers={"Authorization": "Bearer tg_not_a_key"})
    assert (r.status_code, error_code(r)) == (401, "invalid_api_key")
    r = await client.get("/t/alpha/v1/", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


async def test_other_tenants_key_is_401(client: Any) -> None:
    r = await client.get("/t/beta/v1/", headers=auth("alpha"))
    assert (r.status_code, error_code(r)) == (401, "invalid_api_key")
    r = await client.get("/t/beta/v1/", headers=auth("beta"))
    assert r.status_code == 200
    assert r.json()["tenant"] == "beta"


async def test_admin_route_needs_admin_scope(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/admin", headers=auth("alpha"))
    assert (r.status_code, error_code(r)) == (403, "insufficient_scope")
    r = await client.get("/t/alpha/v1/example/admin", headers=auth("alpha", "admin"))
    assert r.status_code == 200


async def test_plugin_routes_only_for_tenants_that_enable_it(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/hello", headers=auth("alpha"))
    assert r.status_code == 200
    assert r.json() == {"greeting": "hej", "tenant": "alpha"}
    r = await client.get("/t/beta/v1/example/hello", headers=auth("beta"))
    assert (r.status_code, error_code(r)) == (404, "plugin_not_enabled")


async def test_end_user_token_reaches_only_its_own_customer(client: Any) -> None:
    await put_customer(client, "alpha", "cust-1")
    await put_customer(client, "alpha", "cust-2")
    r = await client.get("/t/alpha/v1/customers/cust-1", headers=user_auth("alpha", "cust-1"))
    assert r.status_code == 200
    assert r.json()["id"] == "cust-1"
    r = await client.get("/t/alpha/v1/customers/cust-2", headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, error_code(r)) == (404, "customer_not_found")
    r = await client.get("/t/alpha/v1/customers/cust-1/entitlements", headers=user_auth("alpha", "cust-1"))
    assert r.status_code == 200


async def test_end_user_token_cannot_reach_admin_or_tenant_routes(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/admin", headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, error_code(r)) == (403, "insufficient_scope")
    r = await client.get("/t/alpha/v1/", headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, error_code(r)) == (403, "insufficient_scope")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"expires_in": -10}, "token_expired"),
        ({"expires_in": None}, "invalid_token"),
        ({"secret": "not-the-tenant-secret-but-long-enough-0123"}, "invalid_token"),
    ],
)
async def test_bad_end_user_tokens_are_401(client: Any, kwargs: dict[str, Any], code: str) -> None:
    await put_customer(client, "alpha", "cust-1")
    r = await client.get("/t/alpha/v1/customers/cust-1", headers=user_auth("alpha", "cust-1", **kwargs))
    assert (r.status_code, error_code(r)) == (401, code)


def signed(claims: dict[str, Any], slug: str = "alpha") -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, JWT_SECRETS[slug], algorithm='HS256')}"}


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        # PyJWT alone takes a string of digits for exp: a token must carry numbers.
        (lambda now: {"sub": "cust-1", "exp": str(now + 300)}, "'exp' must be a number"),
        (lambda now: {"sub": "cust-1", "exp": now + 300, "iat": str(now)}, "'iat' must be a number"),
        (lambda now: {"sub": "cust-1", "exp": True}, "exp"),
        (lambda now: {"sub": "cust-1", "exp": now + 86_400 + 120}, "longer than this tenant allows"),
        (lambda now: {"sub": "cust-1", "iat": now - 86_400, "exp": now + 60}, "longer than this tenant allows"),
    ],
)
async def test_token_claims_are_numbers_and_short_lived(client: Any, claims: Any, fragment: str) -> None:
    await put_customer(client, "alpha", "cust-1")
    r = await client.get("/t/alpha/v1/customers/cust-1", headers=signed(claims(int(time.time()))))
    assert (r.status_code, error_code(r)) == (401, "invalid_token"), r.text
    assert fragment in r.json()["error"]["message"]


async def test_a_token_within_the_lifetime_with_fractional_exp_is_accepted(client: Any) -> None:
    await put_customer(client, "alpha", "cust-1")
    now = time.time()
    r = await client.get(
        "/t/alpha/v1/customers/cust-1", headers=signed({"sub": "cust-1", "iat": now, "exp": now + 86_000.5})
    )
    assert r.status_code == 200, r.text


async def test_end_user_token_of_one_tenant_is_401_on_another(client: Any) -> None:
    await put_customer(client, "beta", "cust-1")
    r = await client.get("/t/beta/v1/customers/cust-1", headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, error_code(r)) == (401, "invalid_token")


async def test_tenant_index_lists_plugins_and_scopes(client: Any) -> None:
    r = await client.get("/t/alpha/v1/", headers=auth("alpha", "admin"))
    assert r.json() == {"tenant": "alpha", "name": "Alpha App", "plugins": ["example"], "scopes": ["admin", "service"]}


class TestTenantTokenPolicy:
    """`tenants.<slug>.end_user_tokens`: a shorter lifetime, and a required audience and issuer."""

    @pytest.fixture
    def tenants_config(self) -> dict[str, Any]:
        tenants = default_tenants()
        tenants["alpha"] = tenant_block(
            "Alpha App",
            end_user_tokens={"max_lifetime_seconds": 600, "audience": "tollgate:alpha", "issuer": "https://alpha.app"},
        )
        return tenants

    async def test_audience_issuer_and_lifetime_are_enforced(self, client: Any) -> None:
        await put_customer(client, "alpha", "cust-1")
        now = int(time.time())
        good = {"sub": "cust-1", "exp": now + 300, "aud": "tollgate:alpha", "iss": "https://alpha.app"}
        r = await client.get("/t/alpha/v1/customers/cust-1", headers=signed(good))
        assert r.status_code == 200, r.text
        for bad in (
            {**good, "aud": "tollgate:beta"},
            {k: v for k, v in good.items() if k != "aud"},
            {**good, "iss": "https://evil.example"},
            {k: v for k, v in good.items() if k != "iss"},
            {**good, "exp": now + 900},
        ):
            r = await client.get("/t/alpha/v1/customers/cust-1", headers=signed(bad))
            assert (r.status_code, error_code(r)) == (401, "invalid_token"), bad
