"""`PUT|GET /customers/{customer_id}`: upsert by the app's own id, tenant-scoped, on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from core.customers.models import Customer
from tests.support.tenants import auth

both_databases = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


@both_databases
async def test_put_creates_then_updates(client: Any) -> None:
    url = "/t/alpha/v1/customers/user-42"
    r = await client.put(
        url, json={"email": "a@example.com", "name": "Ada", "metadata": {"plan": "x"}}, headers=auth("alpha")
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "user-42"
    r = await client.put(url, json={"name": "Ada L.", "metadata": {"team": "y"}}, headers=auth("alpha"))
    assert r.status_code == 200
    body = r.json()
    assert (body["email"], body["name"], body["metadata"]) == ("a@example.com", "Ada L.", {"plan": "x", "team": "y"})
    assert body["stripe_customer_id"] is None
    r = await client.get(url, headers=auth("alpha"))
    assert r.json()["name"] == "Ada L."


@both_databases
async def test_customers_are_tenant_scoped(client: Any, runtime: Any) -> None:
    await client.put("/t/alpha/v1/customers/same-id", json={"email": "alpha@example.com"}, headers=auth("alpha"))
    r = await client.get("/t/beta/v1/customers/same-id", headers=auth("beta"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "customer_not_found"
    r = await client.put("/t/beta/v1/customers/same-id", json={"email": "beta@example.com"}, headers=auth("beta"))
    assert r.status_code == 201
    r = await client.get("/t/alpha/v1/customers/same-id", headers=auth("alpha"))
    assert r.json()["email"] == "alpha@example.com"


@pytest.mark.parametrize(
    ("customer", "body", "code"),
    [
        ("ok-id", {"email": "not-an-email"}, "validation_error"),
        ("ok-id", {"unknown": 1}, "validation_error"),
        ("ok-id", {"metadata": {"k": 1}}, "validation_error"),
        ("bad%20id", {"email": "a@example.com"}, "invalid_customer_id"),
        ("x" * 256, {"email": "a@example.com"}, "invalid_customer_id"),
    ],
)
async def test_bad_input_is_rejected_and_writes_nothing(
    client: Any, runtime: Any, customer: str, body: dict[str, Any], code: str
) -> None:
    r = await client.put(f"/t/alpha/v1/customers/{customer}", json=body, headers=auth("alpha"))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == code
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 0


async def test_concurrent_first_puts_create_one_customer(client: Any, runtime: Any) -> None:
    results = await asyncio.gather(
        *[
            client.put("/t/alpha/v1/customers/racer", json={"email": f"r{i}@example.com"}, headers=auth("alpha"))
            for i in range(8)
        ]
    )
    assert sorted(r.status_code for r in results).count(201) == 1
    assert all(r.status_code in (200, 201) for r in results)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1
