"""`GET /entitlements` in one statement (PostgreSQL): the same answer as every plugin's hook in a session.

The subscriptions plugin answers from its columns a customer without a plan (this month's allowance
granted) and a restricted plan; it hands the rest to its hook (the allowance still to grant, a plan
in good standing and its catalog features). Each state is read both ways and compared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select

from core import clock
from core.customers.services import CustomerService
from core.db import session_scope
from core.entitlements import ANSWERED, collect
from core.ledger.models import CreditGrant
from core.runtime import Runtime
from plugins.subscriptions.allowances import SOURCE_FREE
from plugins.subscriptions.models import Subscription
from tests.subscriptions.conftest import create_customer
from tests.support.tenants import auth


async def by_hook(runtime: Runtime, customer: str) -> dict[str, Any]:
    """Every plugin's answer through `tollgate_entitlements` in a session: the path SQLite always takes."""
    tenant = runtime.tenants.get("alpha")
    async with session_scope(runtime.sessions) as session:
        row = await CustomerService(session, tenant).get(customer)
        merged = await collect(runtime.plugins, tenant, row, session, runtime)
    return {
        "customer": merged.customer,
        "tier": merged.tier,
        "models": merged.models,
        "features": merged.features,
        "limits": merged.limits,
        "sources": merged.sources,
    }


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
    # How the second read was answered: the plugin's columns, or its hook (a plan in good standing).
    assert ways == {
        "fresh": ("statement",),
        "active": ("session",),
        "grace": ("session",),
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
