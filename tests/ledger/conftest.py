"""Fixtures and helpers for the ledger tests: customers, grants over HTTP, and the invariant check."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

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


INVARIANT_SQL = {
    # every grant: remaining = amount - consumed - expired - clawed back, and 0 <= reserved <= remaining
    "grant_counters": """
        SELECT count(*) FROM credit_grants
        WHERE remaining <> amount - consumed - expired - clawed_back
           OR remaining < 0 OR reserved < 0 OR reserved > remaining""",
    # every account: balance = the sum of its entries = remaining on its grants - held - debt
    "account_sums": """
        SELECT count(*) FROM credit_accounts a
        WHERE a.balance <> COALESCE((SELECT sum(e.amount) FROM ledger_entries e WHERE e.account_id = a.id), 0)
           OR a.balance <> COALESCE((SELECT sum(g.remaining) FROM credit_grants g WHERE g.account_id = a.id), 0)
                            - a.held - a.debt
           OR a.held <> COALESCE((SELECT sum(g.reserved) FROM credit_grants g WHERE g.account_id = a.id), 0)
           OR a.held <> COALESCE((SELECT sum(h.amount) FROM credit_holds h
                                  WHERE h.account_id = a.id AND h.status = 'active' AND NOT h.unlimited), 0)
           OR a.last_seq <> (SELECT count(*) FROM ledger_entries e WHERE e.account_id = a.id)
           OR (a.balance < 0 AND a.debt = 0)""",
    # each entry's balance_after follows the previous one by its amount
    "running_balance": """
        SELECT count(*) FROM ledger_entries e
        JOIN ledger_entries p ON p.account_id = e.account_id AND p.seq = e.seq - 1
        WHERE e.balance_after <> p.balance_after + e.amount""",
    # the consumed counter equals consume allocations minus restores
    "allocations": """
        SELECT count(*) FROM credit_grants g
        WHERE g.consumed <> COALESCE((SELECT sum(CASE WHEN x.kind = 'consume' THEN x.amount
                                                      WHEN x.kind = 'restore' THEN -x.amount ELSE 0 END)
                                      FROM credit_allocations x WHERE x.grant_id = g.id), 0)
           OR g.expired <> COALESCE((SELECT sum(x.amount) FROM credit_allocations x
                                     WHERE x.grant_id = g.id AND x.kind = 'expire'), 0)""",
}


async def assert_invariants(engine: AsyncEngine) -> None:
    """DESIGN.md §5's invariants, checked in SQL over every account and grant."""
    async with engine.connect() as conn:
        broken = {name: int((await conn.execute(text(sql))).scalar_one()) for name, sql in INVARIANT_SQL.items()}
    assert broken == dict.fromkeys(INVARIANT_SQL, 0), broken


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
