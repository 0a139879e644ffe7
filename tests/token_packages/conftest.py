"""Fixtures of the token packages tests: creditshop (alpha, CNY) and fiko (beta, USD/EUR, recurring) on
their own emulator accounts, and a `Shop` that buys, pays in the emulator and forwards Stripe's signed events.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import select

from core.notifications.models import Notification
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.inbox.stripe_events import deliver
from tests.support.jobs import drain
from tests.support.stripe_tenants import *  # noqa: F403 - alpha_key, beta_key, tenant_secrets, settings_overrides
from tests.support.tenants import auth, tenant_block

CREDITSHOP: dict[str, Any] = {
    "default_currency": "cny",
    "expiry": {"months": 6},
    "packages": {
        "trial": {"name": "体验包", "credits": 500, "prices": {"cny": 5000}},
        "standard": {"name": "标准包", "credits": 1000, "bonus_credits": 100, "prices": {"cny": 10000, "usd": 1500}},
        "value": {"name": "超值包", "credits": 5000, "bonus_credits": 1000, "prices": {"cny": 50000}},
        "premium": {"name": "豪华包", "credits": 10000, "bonus_credits": 3000, "prices": {"cny": 100000}},
    },
}
FIKO: dict[str, Any] = {
    "packages": {
        "tokens-1k": {"name": "1K tokens", "credits": 1000, "prices": {"usd": 500, "eur": 450}},
        "tokens-100k": {
            "name": "100K tokens every month",
            "credits": 100_000,
            "prices": {"usd": 2000, "eur": 1800},
            "interval": "month",
        },
    },
}
# Notices go nowhere (nothing listens on the discard port); the tests read the outbox rows.
NOTIFICATIONS = {"url": "http://127.0.0.1:9/tollgate"}


def creditshop(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(CREDITSHOP), **changes}


@pytest.fixture
def creditshop_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """alpha's token_packages block; parametrize indirectly with changes (`{"refund_policy": ...}`)."""
    return creditshop(**getattr(request, "param", {}))


@pytest.fixture
def tenants_config(creditshop_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "CreditShop", ["token_packages"], token_packages=creditshop_config, notifications=NOTIFICATIONS
        ),
        "beta": tenant_block("Fiko", ["token_packages"], token_packages=FIKO, notifications=NOTIFICATIONS),
    }


@dataclass
class Shop:
    """One tenant's shop in a test: its API, its Stripe account in the emulator, and a pump for its events.

    `forward()` posts the account's new events to the app signed with the tenant's webhook secret, in
    the order given (Stripe's order by default), then waits until the worker has processed them.
    """

    http: httpx.AsyncClient
    runtime: Runtime
    emulator: EmulatorHandle
    key: str
    slug: str
    sent: set[str] = field(default_factory=set)

    @property
    def stripe(self) -> stripe.StripeClient:
        return self.emulator.stripe_client(self.key)

    @property
    def control(self) -> Any:
        return self.emulator.control.aio

    def url(self, path: str) -> str:
        return f"/t/{self.slug}/v1{path}"

    async def add_customer(self, customer: str = "cust-1") -> str:
        r = await self.http.put(self.url(f"/customers/{customer}"), json={}, headers=auth(self.slug))
        assert r.status_code in (200, 201), r.text
        return customer

    async def order(self, package: str = "standard", customer: str = "cust-1", **body: Any) -> dict[str, Any]:
        body = {"package": package, "success_url": "https://shop.example/paid", **body}
        r = await self.http.post(self.url(f"/customers/{customer}/orders"), json=body, headers=auth(self.slug))
        assert r.status_code == 201, r.text
        return dict(r.json())

    async def pay(self, order: dict[str, Any], **complete: Any) -> None:
        """The customer pays on Checkout's page; Stripe's events are forwarded."""
        await self.control.complete_checkout(self.key, order["checkout_session_id"], **complete)
        await self.forward()

    async def buy(self, package: str = "standard", customer: str = "cust-1", **body: Any) -> dict[str, Any]:
        order = await self.order(package, customer, **body)
        await self.pay(order)
        return await self.get_order(order["id"], customer)

    async def new_events(self) -> list[dict[str, Any]]:
        """Events of the account not forwarded yet, oldest first (they count as forwarded from now)."""
        page = await self.stripe.v1.events.list_async({"limit": 100})
        assert not page.has_more, "more events than one page; forward more often"
        # Back to Stripe's wire JSON: the SDK reads `*_decimal` strings as Decimal.
        fresh = [json.loads(json.dumps(e.to_dict(), default=str)) for e in reversed(page.data) if e.id not in self.sent]
        self.sent.update(e["id"] for e in fresh)
        return fresh

    async def forward(self, events: list[dict[str, Any]] | None = None) -> None:
        for event in await self.new_events() if events is None else events:
            r = await deliver(self.http, event, self.slug)
            assert r.status_code in (200, 202), r.text
        await drain(self.runtime)

    async def get_order(self, order_id: str, customer: str = "cust-1") -> dict[str, Any]:
        r = await self.http.get(self.url(f"/customers/{customer}/orders/{order_id}"), headers=auth(self.slug))
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def balance(self, customer: str = "cust-1") -> int:
        r = await self.http.get(self.url(f"/customers/{customer}/balance"), headers=auth(self.slug))
        assert r.status_code == 200, r.text
        return int(r.json()["balance"])

    async def spend(self, amount: int, customer: str = "cust-1") -> None:
        r = await self.http.post(
            self.url(f"/customers/{customer}/spend"), json={"credits": amount}, headers=auth(self.slug)
        )
        assert r.status_code == 201, r.text

    async def refund(
        self, order_id: str, body: dict[str, Any] | None = None, *, key: str | None = None, scope: str = "admin"
    ) -> httpx.Response:
        headers = auth(self.slug, scope) | ({"Idempotency-Key": key} if key else {})
        return await self.http.post(self.url(f"/orders/{order_id}/refund"), json=body or {}, headers=headers)

    async def stripe_refunds(self, order: dict[str, Any]) -> list[Any]:
        intent = order["payments"][-1]["payment_intent_id"]
        return list((await self.stripe.v1.refunds.list_async({"payment_intent": intent})).data)

    async def notices(self, event_type: str) -> list[dict[str, Any]]:
        async with self.runtime.sessions() as session:
            statement = select(Notification.data).where(
                Notification.tenant_id == self.slug, Notification.event_type == event_type
            )
            return [dict(row) for row in (await session.execute(statement)).scalars()]


@pytest.fixture
async def shop(client: httpx.AsyncClient, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str) -> Shop:
    """creditshop (alpha) with one customer, `cust-1`."""
    store = Shop(client, runtime, stripe_emulator, alpha_key, "alpha")
    await store.add_customer()
    return store


@pytest.fixture
async def fiko(client: httpx.AsyncClient, runtime: Runtime, stripe_emulator: EmulatorHandle, beta_key: str) -> Shop:
    """fiko (beta) with one customer, `cust-1`."""
    store = Shop(client, runtime, stripe_emulator, beta_key, "beta")
    await store.add_customer()
    return store


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
