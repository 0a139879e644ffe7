"""Fixtures of the recovery tests: one tenant selling subscriptions, token packages and payg credits on its
own emulator account, the app on a live server as the account's webhook endpoint, and a `Store` that makes
customers pay on Stripe's side while the test decides which deliveries reach Tollgate."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from core import clock
from core.app import create_app
from core.inbox.models import WebhookEvent
from core.ledger.models import CreditGrant, LedgerEntry
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.payg.conftest import PAYG
from tests.subscriptions.conftest import BASIC, FREE, IMAGEGEN, alpha_prices  # noqa: F401 - fixtures
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.stripe_tenants import alpha_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import WEBHOOK_SECRETS, auth, secrets_document, tenant_block
from tests.token_packages.conftest import CREDITSHOP, NOTIFICATIONS

# The free tier grants nothing here, so every credit a customer holds comes from a Stripe payment.
PLANS = {**IMAGEGEN, "tiers": [{**FREE, "credits_per_month": 0}, BASIC]}


@pytest.fixture
def priced_tiers() -> tuple[str, ...]:
    return ("basic",)


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "Everything Shop",
            ["subscriptions", "token_packages", "payg"],
            subscriptions=PLANS,
            token_packages=CREDITSHOP,
            payg=PAYG,
            notifications=NOTIFICATIONS,
        ),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def tenant_secrets(alpha_key: str, alpha_prices: dict[str, str]) -> dict[str, Any]:  # noqa: F811
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key, prices=alpha_prices),
        "beta": secrets_document("beta"),
    }


@dataclass
class Store:
    """alpha's customers end to end: our API on a live server, the emulator delivering its signed webhooks to
    it (or not, under a fault), and our clock kept in step with the Stripe account's."""

    runtime: Runtime
    app: Litestar
    emulator: EmulatorHandle
    key: str
    http: httpx.AsyncClient
    slug: str = "alpha"

    @property
    def control(self) -> Any:
        return self.emulator.control.aio

    def url(self, path: str) -> str:
        return f"/t/{self.slug}/v1{path}"

    async def call(self, method: str, path: str, expect: int = 200, *, scope: str = "service", **kwargs: Any) -> Any:
        r = await self.http.request(method, self.url(path), headers=auth(self.slug, scope), **kwargs)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    async def stripe_now(self) -> int:
        return int((await self.control.account(self.key))["now"])

    async def settle(self) -> None:
        """Every delivery attempted (delivered, refused or dropped) and every job finished; our clock at Stripe's."""
        for _ in range(20):
            settled = await self.control.settle(self.key, timeout=10)
            await drain(self.runtime)
            if settled["settled"]:
                break
        await self.app.state.inbox.signatures.flush()
        ahead = await self.stripe_now() - clock.now().timestamp()
        if ahead > 0:
            clock.advance(dt.timedelta(seconds=ahead))

    async def advance_to(self, when: int) -> None:
        await self.control.advance_clock(self.key, to=when)
        await self.settle()

    async def add_customer(self, customer: str) -> None:
        r = await self.http.put(self.url(f"/customers/{customer}"), json={}, headers=auth(self.slug))
        assert r.status_code in (200, 201), r.text

    async def subscribe(self, customer: str, tier: str = "basic") -> str:
        """The customer pays a subscription's checkout on Stripe's page; the Stripe subscription's id."""
        await self.add_customer(customer)
        body = {"tier": tier, "interval": "month", "success_url": "https://shop.example/ok"}
        session = await self.call("POST", f"/customers/{customer}/checkout/subscription", 201, json=body)
        paid = await self.control.complete_checkout(self.key, session["session_id"])
        await self.settle()
        return str(paid["checkout_session"]["subscription"])

    async def renew(self, subscription_id: str) -> None:
        """Stripe's billing clock reaches the period end and charges the renewal."""
        await self.control.advance_subscription(self.key, subscription_id)
        await self.settle()

    async def buy_pack(self, customer: str, package: str) -> str:
        """The customer pays a token package on Checkout's page; the order's id."""
        await self.add_customer(customer)
        body = {"package": package, "success_url": "https://shop.example/paid"}
        order = await self.call("POST", f"/customers/{customer}/orders", 201, json=body)
        await self.control.complete_checkout(self.key, order["checkout_session_id"])
        await self.settle()
        return str(order["id"])

    async def buy_payg(self, customer: str, count: int) -> str:
        """The customer buys pay-as-you-go credits and their card is charged; the PaymentIntent's id."""
        await self.add_customer(customer)
        body = {"credits": count, "currency": "usd"}
        purchase = await self.call("POST", f"/customers/{customer}/credit-purchases", 201, json=body)
        stripe = self.emulator.stripe_client(self.key)
        await stripe.v1.payment_intents.confirm_async(
            purchase["payment_intent_id"], params={"payment_method": "pm_card_visa"}
        )
        await self.settle()
        return str(purchase["payment_intent_id"])

    async def refund(self, order_id: str) -> dict[str, Any]:
        """An operator refunds the whole order through the admin route."""
        refund = await self.call("POST", f"/orders/{order_id}/refund", 201, scope="admin", json={})
        await self.settle()
        return dict(refund)

    async def balance(self, customer: str) -> int:
        return int((await self.call("GET", f"/customers/{customer}/balance"))["balance"])

    async def balances(self, customers: list[str]) -> dict[str, int]:
        return {customer: await self.balance(customer) for customer in customers}

    async def backfill(self) -> dict[str, Any]:
        """An operator runs the backfill now (the admin route), and the inbox applies what it stored."""
        run = await self.call("POST", "/admin/stripe/backfill", scope="admin")
        await drain(self.runtime)
        return dict(run)

    async def backfill_status(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/admin/stripe/backfill", scope="admin"))

    async def audit(self, since: dt.datetime, *, repair: bool = False) -> dict[str, Any]:
        """The money audit from `since` to now, through the admin route."""
        until = clock.now() + dt.timedelta(minutes=5)
        body = {"since": since.isoformat(), "until": until.isoformat(), "repair": repair}
        run = await self.call("POST", "/admin/money-audits", 201, scope="admin", json=body)
        await drain(self.runtime)
        return dict(run)

    async def rows(self) -> dict[str, int]:
        """How many grants, ledger entries and inbox events the tenant has."""
        counted = {}
        async with self.runtime.sessions() as session:
            for name, model in (("grants", CreditGrant), ("entries", LedgerEntry), ("events", WebhookEvent)):
                statement = select(func.count()).select_from(model).where(model.tenant_id == self.slug)
                counted[name] = int((await session.execute(statement)).scalar_one())
        return counted


@pytest.fixture
async def store(runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str) -> AsyncIterator[Store]:  # noqa: F811
    """The app on a real port, registered as the Stripe account's webhook endpoint with alpha's secret."""
    app = create_app(runtime)
    async with live_server(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        await stripe_emulator.control.aio.register_webhook(
            alpha_key, f"{base}/t/alpha/webhooks/stripe", secret=WEBHOOK_SECRETS["alpha"]
        )
        store = Store(runtime, app, stripe_emulator, alpha_key, http)
        yield store
        await store.settle()


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
