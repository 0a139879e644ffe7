"""Rate limits on the tenant API: per tenant, per API key, per end-user customer; 429 with the headers.

On the embedded default (SQLite, the memory store) unless a test says otherwise; the Redis store is
tried with two apps on one real Redis, counting together.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from core.app import create_app
from core.errors import SettingsError
from tests.support.app import asgi_client
from tests.support.database import wipe
from tests.support.tenants import auth, default_tenants, tenant_block, user_auth

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def limited(alpha: dict[str, int], beta: dict[str, int] | None = None) -> dict[str, Any]:
    """The two test tenants, with these `rate_limits` blocks."""
    tenants = default_tenants()
    tenants["alpha"] = tenant_block("Alpha App", rate_limits=alpha)
    if beta is not None:
        tenants["beta"] = tenant_block("Beta App", rate_limits=beta)
    return tenants


@contextlib.asynccontextmanager
async def serving(make_runtime: Any, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    runtime = make_runtime(**overrides)
    await wipe(runtime.engine)  # the session's database: no customer left by another test's runtime
    async with asgi_client(create_app(runtime)) as http:
        yield http


def refused(r: httpx.Response) -> dict[str, Any]:
    """The 429's error, after checking its shape and that its headers agree with it."""
    assert r.status_code == 429, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == "rate_limited"
    detail = error["detail"]
    assert detail["window_seconds"] == 60
    assert 1 <= detail["retry_after"] <= 60
    assert r.headers["retry-after"] == str(detail["retry_after"])
    assert r.headers["ratelimit-limit"] == str(detail["limit"])
    assert r.headers["ratelimit-remaining"] == "0"
    assert r.headers["ratelimit-reset"] == str(detail["retry_after"])
    return error


def count_429s(tenant: str, per: str) -> float:
    return REGISTRY.get_sample_value("tollgate_rate_limited_total", {"tenant": tenant, "per": per}) or 0.0


async def test_a_tenant_at_its_limit_is_refused_while_another_is_served(make_runtime: Any) -> None:
    before = count_429s("alpha", "tenant")
    async with serving(make_runtime, tenants=limited({"requests_per_minute": 3})) as http:
        for remaining in (2, 1, 0):
            r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
            assert r.status_code == 200, r.text
            assert (r.headers["ratelimit-limit"], r.headers["ratelimit-remaining"]) == ("3", str(remaining))
            assert 1 <= int(r.headers["ratelimit-reset"]) <= 60
        error = refused(await http.get("/t/alpha/v1/", headers=auth("alpha")))
        assert error["detail"]["per"] == "tenant"
        assert error["detail"]["limit"] == 3
        assert "'alpha'" in error["message"]
        # The tenant's window holds every caller of the tenant: its admin key is refused too.
        assert refused(await http.get("/t/alpha/v1/", headers=auth("alpha", "admin")))["detail"]["per"] == "tenant"
        for _ in range(10):
            r = await http.get("/t/beta/v1/", headers=auth("beta"))
            assert r.status_code == 200, r.text
            assert r.json()["tenant"] == "beta"
        assert refused(await http.get("/t/alpha/v1/", headers=auth("alpha")))
    assert count_429s("alpha", "tenant") - before == 3
    assert count_429s("beta", "tenant") == 0


async def test_keys_have_their_own_windows_and_share_the_tenants(make_runtime: Any) -> None:
    tenants = limited({"requests_per_minute": 3, "per_key_requests_per_minute": 2})
    async with serving(make_runtime, tenants=tenants) as http:
        for _ in range(2):
            assert (await http.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200
        service_key = refused(await http.get("/t/alpha/v1/", headers=auth("alpha")))
        assert (service_key["detail"]["per"], service_key["detail"]["limit"]) == ("key", 2)
        assert "API key" in service_key["message"]
        # The refused request counted nowhere: the admin key finds the tenant's third request free.
        r = await http.get("/t/alpha/v1/", headers=auth("alpha", "admin"))
        assert r.status_code == 200, r.text
        assert (r.headers["ratelimit-limit"], r.headers["ratelimit-remaining"]) == ("3", "0")
        tenant_wide = refused(await http.get("/t/alpha/v1/", headers=auth("alpha", "admin")))
        assert (tenant_wide["detail"]["per"], tenant_wide["detail"]["limit"]) == ("tenant", 3)


async def test_end_user_tokens_are_counted_per_customer(make_runtime: Any) -> None:
    tenants = limited({"per_customer_requests_per_minute": 2})
    async with serving(make_runtime, tenants=tenants) as http:
        for _ in range(2):
            # No such customer (404): counted all the same, as any authenticated request.
            r = await http.get("/t/alpha/v1/customers/c1", headers=user_auth("alpha", "c1"))
            assert r.status_code == 404, r.text
            assert r.headers["ratelimit-limit"] == "2"
        error = refused(await http.get("/t/alpha/v1/customers/c1", headers=user_auth("alpha", "c1")))
        assert error["detail"]["per"] == "customer"
        r = await http.get("/t/alpha/v1/customers/c2", headers=user_auth("alpha", "c2"))
        assert r.status_code == 404, r.text
        assert (await http.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200


async def test_webhooks_health_schema_and_strangers_are_never_counted(make_runtime: Any) -> None:
    async with serving(make_runtime, tenants=limited({"requests_per_minute": 1})) as http:
        for _ in range(5):
            # Unknown credentials are refused before any count: a stranger cannot spend a tenant's limit.
            r = await http.get("/t/alpha/v1/", headers={"Authorization": "Bearer tg_not_a_key"})
            assert r.status_code == 401
        assert (await http.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200
        refused(await http.get("/t/alpha/v1/", headers=auth("alpha")))
        for _ in range(5):
            webhook = await http.post("/t/alpha/webhooks/stripe", content=b"{}")
            assert webhook.status_code == 400, webhook.text  # no signature; never 429
            for path in ("/health/live", "/health/ready", "/schema/openapi.json"):
                r = await http.get(path)
                assert r.status_code == 200, (path, r.text)
                assert "ratelimit-limit" not in r.headers
            assert "ratelimit-limit" not in webhook.headers


async def test_the_defaults_are_generous_and_shown_on_every_answer(make_runtime: Any) -> None:
    async with serving(make_runtime) as http:
        r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
        assert r.status_code == 200, r.text
        # The key's window (20,000) is nearer its limit than the tenant's (30,000).
        assert (r.headers["ratelimit-limit"], r.headers["ratelimit-remaining"]) == ("20000", "19999")
        assert r.headers["ratelimit-policy"] == "30000;w=60, 20000;w=60"
        r = await http.get("/t/alpha/v1/customers/c1", headers=user_auth("alpha", "c1"))
        assert (r.headers["ratelimit-limit"], r.headers["ratelimit-remaining"]) == ("600", "599")


async def test_zero_is_no_limit_and_disabled_is_none(make_runtime: Any) -> None:
    unlimited = limited({"requests_per_minute": 0, "per_key_requests_per_minute": 0})
    async with serving(make_runtime, tenants=unlimited) as http:
        r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
        assert r.status_code == 200
        assert "ratelimit-limit" not in r.headers
    tenants = limited({"requests_per_minute": 1})
    async with serving(make_runtime, tenants=tenants, rate_limits={"enabled": False}) as http:
        for _ in range(3):
            r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
            assert r.status_code == 200
            assert "ratelimit-limit" not in r.headers


async def test_two_apps_on_one_redis_count_together(make_runtime: Any, redis_url: str) -> None:
    prefix = f"tollgate-test:{uuid.uuid4().hex}"
    settings = {
        "tenants": limited({"requests_per_minute": 4}),
        "jobs": {"broker": "memory", "embedded_scheduler": False, "redis_url": redis_url},
        "rate_limits": {"store": "redis", "key_prefix": prefix},
    }
    try:
        async with serving(make_runtime, **settings) as one, serving(make_runtime, **settings) as two:
            for n, http in enumerate((one, two, one, two)):
                r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
                assert r.status_code == 200, r.text
                assert r.headers["ratelimit-remaining"] == str(3 - n)
            assert refused(await one.get("/t/alpha/v1/", headers=auth("alpha")))["detail"]["per"] == "tenant"
            assert refused(await two.get("/t/alpha/v1/", headers=auth("alpha")))["detail"]["per"] == "tenant"
            assert (await two.get("/t/beta/v1/", headers=auth("beta"))).status_code == 200
        async with Redis.from_url(redis_url) as redis:
            alpha = {k.decode().removeprefix(f"{prefix}:{{alpha}}:") for k in await redis.keys(f"{prefix}:{{alpha}}:*")}
            assert len(alpha) == 2
            assert "tenant" in alpha
            assert any(k.startswith("key:") and len(k) == len("key:") + 16 for k in alpha)
            assert 0 < await redis.pttl(f"{prefix}:{{alpha}}:tenant") <= 60_000
            assert await redis.get(f"{prefix}:{{alpha}}:tenant") == b"4"
    finally:
        async with Redis.from_url(redis_url) as redis:
            if keys := await redis.keys(f"{prefix}:*"):
                await redis.delete(*keys)


async def test_an_unreachable_redis_serves_requests_uncounted(make_runtime: Any) -> None:
    settings = {
        "tenants": limited({"requests_per_minute": 1}),
        "jobs": {"broker": "memory", "embedded_scheduler": False, "redis_url": "redis://127.0.0.1:1/0"},
        "rate_limits": {"store": "redis"},
    }
    async with serving(make_runtime, **settings) as http:
        for _ in range(3):
            r = await http.get("/t/alpha/v1/", headers=auth("alpha"))
            assert r.status_code == 200, r.text
            assert "ratelimit-limit" not in r.headers


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"tenants": limited({"requests_per_minute": -1})}, "tenants.alpha: Expected `int` >= 0"),
        ({"tenants": limited({"per_key": 5})}, "tenants.alpha: Object contains unknown field `per_key`"),
        ({"rate_limits": {"store": "disk"}}, "Invalid enum value 'disk' - at `$.rate_limits.store`"),
        ({"rate_limits": {"per_customer_requests_per_minute": "many"}}, "$.rate_limits.per_customer_requests"),
    ],
)
def test_bad_limits_stop_the_process_naming_the_key(make_runtime: Any, overrides: Any, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        make_runtime(**overrides)
    assert expected in str(caught.value)
