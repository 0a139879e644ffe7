"""A new customer's first purchases, arriving at once on two API processes, each answer 2xx.

The first purchase creates the customer's Stripe customer and stores its id on the customer row,
whose `stripe_customer_id` is uniquely indexed; the purchase row refers to the customer. Two app
instances with their own engines (two processes, as far as PostgreSQL can tell) send the same new
customer's first purchase at the same moment, round after round.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.app import create_app
from core.customers.models import Customer
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import auth

pytestmark = pytest.mark.postgres

ROUNDS = 20
OK_URL = "https://app.example/ok"
Purchase = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]


async def payg(http: httpx.AsyncClient, customer: str) -> httpx.Response:
    body = {"credits": 250, "currency": "usd"}
    return await http.post(f"/t/alpha/v1/customers/{customer}/credit-purchases", json=body, headers=auth("alpha"))


async def token_package(http: httpx.AsyncClient, customer: str) -> httpx.Response:
    body = {"package": "standard", "success_url": OK_URL}
    return await http.post(f"/t/alpha/v1/customers/{customer}/orders", json=body, headers=auth("alpha"))


async def subscription(http: httpx.AsyncClient, customer: str) -> httpx.Response:
    body = {"tier": "basic", "interval": "month", "success_url": OK_URL}
    path = f"/t/alpha/v1/customers/{customer}/checkout/subscription"
    return await http.post(path, json=body, headers=auth("alpha"))


async def portal(http: httpx.AsyncClient, customer: str) -> httpx.Response:
    path = f"/t/alpha/v1/customers/{customer}/portal"
    return await http.post(path, json={"return_url": OK_URL}, headers=auth("alpha"))


@pytest.mark.parametrize("purchase", [payg, token_package, subscription, portal], ids=lambda p: p.__name__)
async def test_first_purchases_on_two_processes_at_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_runtime: Any,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,
    purchase: Purchase,
) -> None:
    other: Runtime = make_runtime()
    failures: list[str] = []
    async with asgi_client(create_app(other)) as second:
        for round_ in range(ROUNDS):
            customer = f"first-{round_}"
            r = await client.put(f"/t/alpha/v1/customers/{customer}", json={}, headers=auth("alpha"))
            assert r.status_code == 201, r.text
            answers = await asyncio.gather(purchase(client, customer), purchase(second, customer))
            failures += [f"{customer}: {a.status_code} {a.text}" for a in answers if a.status_code >= 300]
        await drain(other)
    assert failures == [], f"{len(failures)} of {2 * ROUNDS} answers failed"
    # Both requests of a round made or found the same Stripe customer, and the row holds it.
    async with runtime.sessions() as session:
        rows = (await session.execute(select(Customer.external_id, Customer.stripe_customer_id))).tuples().all()
    stored = dict(rows)
    assert len(stored) == ROUNDS and all(stored.values())
    stripe_customers = await stripe_emulator.stripe_client(alpha_key).v1.customers.list_async({"limit": 100})
    assert sorted(c.id for c in stripe_customers.data) == sorted(str(v) for v in stored.values())
