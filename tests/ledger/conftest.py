"""Fixtures and helpers for the ledger tests: customers, grants over HTTP, and the invariant check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.ledger.verify import verify_ledger
from tests.support.tenants import auth

Client = httpx.AsyncClient


async def put_customer(client: Client, customer: str, tenant: str = "alpha") -> None:
    r = await client.put(f"/t/{tenant}/v1/customers/{customer}", json={}, headers=auth(tenant))
    assert r.status_code in (200, 201), r.text


async def grant(client: Client, customer: str, amount: int, tenant: str = "alpha", **body: Any) -> dict[str, Any]:
    r = await client.post(
        f"/t/{tenant}/v1/customers/{customer}/grants", json={"credits": amount, **body}, headers=auth(tenant, "admin")
    )
    assert r.status_code in (200, 201), r.text
    return r.json()  # type: ignore[no-any-return]


async def balance(client: Client, customer: str, tenant: str = "alpha") -> dict[str, Any]:
    r = await client.get(f"/t/{tenant}/v1/customers/{customer}/balance", headers=auth(tenant))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def spend(client: Client, customer: str, amount: int, tenant: str = "alpha", **kw: Any) -> httpx.Response:
    headers = {**auth(tenant), **kw.pop("headers", {})}
    return await client.post(
        f"/t/{tenant}/v1/customers/{customer}/spend", json={"credits": amount, **kw}, headers=headers
    )


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    tables = ["credit_accounts", "credit_grants", "ledger_entries", "credit_allocations", "credit_holds"]
    async with engine.connect() as conn:
        return {t: int((await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()) for t in tables}


async def ledger_violations(engine: AsyncEngine) -> list[str]:
    """DESIGN.md §5's invariants over every account and grant (`core.ledger.verify`), one line per violator.

    The source check is left out: these tests grant under made-up sources (`t`, `test`, `prop`).
    """
    report = await verify_ledger(engine, sources=None, keep=5)
    return [v.line() for v in report.violations]


async def assert_invariants(engine: AsyncEngine) -> None:
    assert await ledger_violations(engine) == []


@pytest.fixture
async def customer(client: Client) -> str:
    await put_customer(client, "cust-1")
    return "cust-1"


def low_balance_runtime(make_runtime: Any, threshold: int = 10) -> Any:
    """A runtime whose tenant `alpha` sends `credits.low` below `threshold` credits."""
    from tests.support.tenants import default_tenants, tenant_block

    tenants = default_tenants()
    tenants["alpha"] = tenant_block(
        "Alpha App", notifications={"url": "http://127.0.0.1:9/hooks", "credits_low_threshold": threshold}
    )
    return make_runtime(tenants=tenants)


async def low_notices(runtime: Any) -> list[int]:
    """The balances of the `credits.low` notices written so far."""
    from sqlalchemy import select

    from core.notifications.models import Notification

    async with runtime.sessions() as session:
        rows = (await session.scalars(select(Notification).where(Notification.event_type == "credits.low"))).all()
        return [r.data["balance"] for r in rows]
