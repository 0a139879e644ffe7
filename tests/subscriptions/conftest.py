"""Fixtures of the subscriptions tests: an imagegen-like tenant on its own emulator account, its prices,
a tenant app receiving notices, and a harness that drives Stripe and the live app end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import select

from core import clock
from core.app import create_app
from core.customers.services import CustomerService
from core.db import session_scope
from core.entitlements import collect
from core.inbox.context import EventContext
from core.inbox.dispatch import dispatch, handlers_for
from core.notifications.models import Notification
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.notifications.conftest import TenantApp, tenant_app  # noqa: F401 - the tenant app's fixture
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.stripe_tenants import alpha_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import WEBHOOK_SECRETS, auth, secrets_document, tenant_block

FREE = {
    "id": "free",
    "name": "Free",
    "credits_per_month": 10,
    "models": ["flux-schnell"],
    "features": {"watermark": True, "priority_queue": False, "api_access": False},
    "highlights": ["10 generations per month", "Watermarked images"],
}
BASIC = {
    "id": "basic",
    "name": "Basic",
    "credits_per_month": 200,
    "models": ["flux-schnell", "flux-dev"],
    "features": {"watermark": False, "priority_queue": True, "api_access": False},
}
PREMIUM = {
    "id": "premium",
    "name": "Premium",
    "unlimited": True,
    "models": ["flux-schnell", "flux-dev", "flux-1.1-pro"],
    "features": {"watermark": False, "priority_queue": True, "api_access": True},
    "trial_days": 7,
}
IMAGEGEN = {"tiers": [FREE, BASIC, PREMIUM], "default_tier": "free", "grace_period_days": 3}
OK_URL = "https://app.example/ok?session={CHECKOUT_SESSION_ID}"
# Minor units, per tier and interval (usd), as the operator priced them in Stripe.
AMOUNTS = {
    ("basic", "month"): 999,
    ("basic", "year"): 9990,
    ("pro", "month"): 1999,
    ("pro", "year"): 19990,
    ("premium", "month"): 2999,
    ("premium", "year"): 29990,
}


@pytest.fixture
def priced_tiers() -> tuple[str, ...]:
    """The tiers sold in Stripe (override in a module that declares other tiers)."""
    return ("basic", "premium")


@pytest.fixture
def alpha_prices(stripe_emulator: EmulatorHandle, alpha_key: str, priced_tiers: tuple[str, ...]) -> dict[str, str]:
    """The tenant's price ids by `<tier>/<interval>[/<currency>]`, created in its Stripe account."""
    client = stripe_emulator.stripe_client(alpha_key)
    prices: dict[str, str] = {}
    for tier in priced_tiers:
        product = client.v1.products.create(params={"name": f"ImageGen {tier.title()}"})
        for interval in ("month", "year"):
            price = client.v1.prices.create(
                params={
                    "product": product.id,
                    "currency": "usd",
                    "unit_amount": AMOUNTS[(tier, interval)],
                    "recurring": {"interval": interval},  # type: ignore[typeddict-item]
                }
            )
            prices[f"{tier}/{interval}"] = price.id
        if tier == "basic":
            euro = client.v1.prices.create(
                params={
                    "product": product.id,
                    "currency": "eur",
                    "unit_amount": 899,
                    "recurring": {"interval": "month"},
                }
            )
            prices["basic/month/eur"] = euro.id
    return prices


@pytest.fixture
def tenants_config(tenant_app: TenantApp) -> dict[str, Any]:  # noqa: F811 - the imported fixture
    return {
        "alpha": tenant_block(
            "ImageGen", ["subscriptions"], subscriptions=IMAGEGEN, notifications={"url": tenant_app.url}
        ),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def tenant_secrets(alpha_key: str, alpha_prices: dict[str, str]) -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key, prices=alpha_prices),
        "beta": secrets_document("beta"),
    }


@pytest.fixture
async def client(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The shared in-process client; the tasks it started finish before the app stops."""
    yield client
    await drain(runtime)


async def create_customer(http: httpx.AsyncClient, customer: str, tenant: str = "alpha") -> None:
    r = await http.put(
        f"/t/{tenant}/v1/customers/{customer}", json={"email": f"{customer}@example.com"}, headers=auth(tenant)
    )
    assert r.status_code in (200, 201), r.text


async def apply_event(runtime: Runtime, event: dict[str, Any], slug: str = "alpha") -> None:
    """What the inbox worker does with a verified event: every enabled handler, one transaction."""
    tenant = runtime.tenants.get(slug)
    async with session_scope(runtime.sessions) as session:
        ctx = EventContext(tenant=tenant, event=event, session=session, runtime=runtime)
        await dispatch(ctx, handlers_for(runtime, tenant, event["type"]))


async def events_since(client: stripe.StripeClient, after: str | None = None) -> list[dict[str, Any]]:
    """The account's events, oldest first (after the event `after`, when given).

    Stripe keeps events 30 days: once the clock has passed a renewal, `after` may be gone, and every event
    still kept is newer than it.
    """
    page = await client.v1.events.list_async({"limit": 100})
    assert not page.has_more, "more events than one page"
    events = [event.to_dict() for event in reversed(page.data)]
    ids = [event["id"] for event in events]
    return events[ids.index(after) + 1 :] if after in ids else events


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == event_type]


async def paid_checkout(client: Any, emulator: EmulatorHandle, key: str, tier: str = "basic") -> list[dict[str, Any]]:
    """A customer pays a checkout on Stripe's page; returns every event it caused, oldest first."""
    await create_customer(client, "cust-1")
    r = await client.post(
        "/t/alpha/v1/customers/cust-1/checkout/subscription",
        json={"tier": tier, "success_url": OK_URL},
        headers=auth("alpha"),
    )
    assert r.status_code == 201, r.text
    await emulator.control.aio.complete_checkout(key, r.json()["session_id"])
    return await events_since(emulator.stripe_client(key))


async def subscribed(
    runtime: Runtime, client: Any, emulator: EmulatorHandle, key: str, tier: str = "basic"
) -> list[dict[str, Any]]:
    """`paid_checkout`, its events applied in the order they happened; returns the events."""
    events = await paid_checkout(client, emulator, key, tier)
    for event in events:
        await apply_event(runtime, event)
    return events


async def notices(runtime: Runtime, event_type: str, tenant: str = "alpha") -> list[dict[str, Any]]:
    """The `data` of every notice of this type written for the tenant app, oldest first."""
    statement = (
        select(Notification.data)
        .where(Notification.tenant_id == tenant, Notification.event_type == event_type)
        .order_by(Notification.created_at)
    )
    async with runtime.sessions() as session:
        return list((await session.scalars(statement)).all())


@dataclass
class Shop:
    """The tenant app and its customers, end to end: our API on a live server, Stripe (the emulator)
    delivering its signed webhooks to it, and the clock kept in step with the Stripe account's."""

    runtime: Runtime
    emulator: EmulatorHandle
    key: str
    http: httpx.AsyncClient
    tenant: str = "alpha"

    def path(self, customer: str, rest: str = "") -> str:
        return f"/t/{self.tenant}/v1/customers/{customer}{rest}"

    async def settle(self) -> None:
        """Every webhook delivered and every job it started finished; our clock at Stripe's."""
        for _ in range(20):
            delivered = await self.emulator.control.aio.settle(self.key, timeout=10)
            await drain(self.runtime)
            if delivered["settled"]:
                break
        stripe_now = (await self.emulator.control.aio.account(self.key))["now"]
        ahead = stripe_now - clock.now().timestamp()
        if ahead > 0:
            clock.advance(dt.timedelta(seconds=ahead))

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", auth(self.tenant))
        r = await self.http.request(method, path, **kwargs)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    async def subscription(self, customer: str) -> dict[str, Any]:
        return dict(await self.call("GET", self.path(customer, "/subscription")))

    async def balance(self, customer: str) -> dict[str, Any]:
        return dict(await self.call("GET", self.path(customer, "/balance")))

    async def checkout(self, customer: str, tier: str, interval: str = "month", **body: Any) -> dict[str, Any]:
        payload = {"tier": tier, "interval": interval, "success_url": "https://app.example/ok", **body}
        return dict(await self.call("POST", self.path(customer, "/checkout/subscription"), 201, json=payload))

    async def subscribe(self, customer: str, tier: str, interval: str = "month", **pay: Any) -> dict[str, Any]:
        """The customer starts a checkout and pays on Stripe's page; returns their subscription once applied."""
        session = await self.checkout(customer, tier, interval)
        await self.emulator.control.aio.complete_checkout(self.key, session["session_id"], **pay)
        await self.settle()
        return await self.subscription(customer)

    async def renew(self, subscription_id: str, payment_method: str | None = None) -> dict[str, Any]:
        """Stripe's billing clock reaches the period end: the renewal is charged (or fails)."""
        result = await self.emulator.control.aio.advance_subscription(self.key, subscription_id, payment_method)
        await self.settle()
        return dict(result)


@pytest.fixture
async def shop(runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str) -> AsyncIterator[Shop]:
    """The app on a real port, registered as the Stripe account's webhook endpoint with alpha's secret."""
    async with live_server(create_app(runtime)) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        await stripe_emulator.control.aio.register_webhook(
            alpha_key, f"{base}/t/alpha/webhooks/stripe", secret=WEBHOOK_SECRETS["alpha"]
        )
        shop = Shop(runtime, stripe_emulator, alpha_key, http)
        yield shop
        await shop.settle()


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")


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
