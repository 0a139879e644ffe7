"""`GET /entitlements` in one statement (PostgreSQL): the same answer as every plugin's hook in a session.

The subscriptions plugin answers from its columns a customer without a plan (this month's allowance
granted), a restricted plan, and a plan in good standing with its price's catalog terms; it hands
its hook the allowance still to grant. Each state is read both ways and compared.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
from sqlalchemy import func, select

from core import clock
from core.customers.services import CustomerService
from core.db import driver_call, session_scope
from core.entitlements import ANSWERED, statement_for
from core.ledger.models import CreditGrant
from core.migrate import upgrade
from core.runtime import Runtime
from plugins.subscriptions.allowances import SOURCE_FREE, free_ref
from plugins.subscriptions.models import Subscription
from tests.subscriptions.conftest import by_hook, create_customer
from tests.support import services
from tests.support.tenants import auth


async def holds(runtime: Runtime, customer: str, status: str, *, past_due_days: int | None = None) -> None:
    """A subscription row of `status` for the customer (as the webhooks would have stored it)."""
    now = clock.now()
    async with session_scope(runtime.sessions) as session:
        row = await CustomerService(session, runtime.tenants.get("alpha")).get(customer)
        session.add(
            Subscription(
                tenant_id="alpha",
                customer_id=row.id,
                customer=customer,
                stripe_subscription_id=f"sub_{uuid.uuid4().hex[:14]}",
                stripe_customer_id=f"cus_{customer}",
                item_id="si_1",
                price_id="price_basic_month",
                tier="basic",
                interval="month",
                currency="usd",
                status=status,
                current_period_start=now - dt.timedelta(days=3),
                current_period_end=now + dt.timedelta(days=27),
                past_due_since=None if past_due_days is None else now - dt.timedelta(days=past_due_days),
                created_at=now,
                updated_at=now,
            )
        )


async def free_grants(runtime: Runtime, customer: str) -> int:
    async with runtime.sessions() as session:
        statement = select(func.count()).where(
            CreditGrant.tenant_id == "alpha",
            CreditGrant.source == SOURCE_FREE,
            CreditGrant.source_ref.like(f"{customer}:%"),
        )
        return int(await session.scalar(statement) or 0)


async def test_every_state_reads_as_the_hooks_answer(client: Any, runtime: Runtime) -> None:
    states = {
        "fresh": None,  # no plan, this month's allowance still to grant: the hook grants it
        "active": ("active", None),  # in good standing: the hook asks the catalog
        "grace": ("past_due", 1),  # in dunning, within the grace period: the tier still applies
        "lapsed": ("past_due", 30),  # the grace period over: restricted, answered from the row
        "unpaid": ("unpaid", None),
        "paused": ("paused", None),
    }
    for customer, state in states.items():
        await create_customer(client, customer)
        if state is not None:
            await holds(runtime, customer, state[0], past_due_days=state[1])
    ways: dict[str, tuple[str, ...]] = {}
    for customer in states:
        path = f"/t/alpha/v1/customers/{customer}/entitlements"
        first, before = await client.get(path, headers=auth("alpha")), dict(ANSWERED)
        assert first.status_code == 200, first.text
        again = await client.get(path, headers=auth("alpha"))
        assert first.json() == again.json() == await by_hook(runtime, customer), customer
        ways[customer] = tuple(k for k in ANSWERED if ANSWERED[k] > before[k])
    # How the second read was answered: every state from the plugin's columns (no catalog is enabled;
    # tests/subscriptions/test_catalog.py reads a synced price's terms in the statement).
    assert ways == {
        "fresh": ("statement",),
        "active": ("statement",),
        "grace": ("statement",),
        "lapsed": ("statement",),
        "unpaid": ("statement",),
        "paused": ("statement",),
    }
    answers = {c: (await by_hook(runtime, c))["sources"]["subscriptions"] for c in states}
    assert {c: (a["tier"], a["status"], a["restricted"]) for c, a in answers.items()} == {
        "fresh": ("free", "free", False),
        "active": ("basic", "active", False),
        "grace": ("basic", "past_due", False),
        "lapsed": ("free", "past_due", True),
        "unpaid": ("free", "unpaid", True),
        "paused": ("free", "paused", True),
    }
    # The free allowance was granted once, by the first read, however many reads followed.
    assert await free_grants(runtime, "fresh") == 1


async def test_an_unknown_customer_is_a_404_and_tenants_stay_apart(client: Any, runtime: Runtime) -> None:
    await create_customer(client, "only-alpha")
    r = await client.get("/t/alpha/v1/customers/only-alpha/entitlements", headers=auth("alpha"))
    assert r.status_code == 200
    for tenant, customer in (("alpha", "nobody"), ("beta", "only-alpha")):
        r = await client.get(f"/t/{tenant}/v1/customers/{customer}/entitlements", headers=auth(tenant))
        assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found"), (tenant, customer)


# 400 customers and the allowance table analyzed while empty; then each customer's allowance of the
# month is written (autovacuum off: no ANALYZE comes), as on a tenant's first day before autovacuum.
STALE = [
    "ALTER TABLE subscription_allowances SET (autovacuum_enabled = false)",
    """INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'c' || i, '{}', 'alpha', now(), now() FROM generate_series(0, 399) i""",
    "ANALYZE",
]
ALLOWANCES = """INSERT INTO subscription_allowances (id, customer, kind, tier, credits, source, source_ref,
period_start, period_end, grant_id, tenant_id, created_at, updated_at)
SELECT md5('s' || i)::uuid, 'c' || i, 'free', 'free', 10, $1, 'c' || i || ':' || $2, now(), now(),
md5('g' || i)::uuid::text, 'alpha', now(), now() FROM generate_series(0, 399) i"""


def _allowance_scans(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if plan.get("Relation Name") == "subscription_allowances":
        yield plan
    for child in plan.get("Plans", []):
        yield from _allowance_scans(child)


async def test_the_allowance_check_reads_only_the_customers_rows_before_any_analyze(
    runtime: Runtime, pg_admin_url: str
) -> None:
    """With the table's statistics those of an empty one, the planner once took the customer index for
    the (source, source_ref) check and read the whole tenant's allowances: 0.24 ms of a 0.3 ms read."""
    name = services.unique_name("tollgate_stale")
    await services.create_database(pg_admin_url, name)
    url = services.database_url(pg_admin_url, name)
    try:
        await asyncio.to_thread(upgrade, url)
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        try:
            now = clock.now()
            for setup in STALE:
                await connection.execute(setup)
            await connection.execute(ALLOWANCES, SOURCE_FREE, free_ref("c0", now).removeprefix("c0:"))
            statement, params = statement_for(runtime, runtime.tenants.get("alpha"), "c7", now)
            sql, *values = driver_call(statement.select, runtime.engine.dialect, params)
            explained = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *values)
        finally:
            await connection.close()
    finally:
        await services.drop_database(pg_admin_url, name)
    scans = list(_allowance_scans(json.loads(explained)[0]["Plan"]))
    assert scans, "the statement no longer checks the allowance table"
    for scan in scans:
        assert scan["Node Type"] in {"Index Scan", "Index Only Scan"}, scan
        assert scan.get("Rows Removed by Filter", 0) == 0, scan
        assert scan["Actual Rows"] <= 1, scan
