"""QuickScale (seed 003) end to end: Stripe's dashboard is the catalog, metadata prices the credits.

Products are made in the emulator's dashboard, synced, bought pay-as-you-go at the price their
metadata gives, then the price is changed in the dashboard; Stripe's signed webhooks reach the
live app, and the next purchase uses the new price.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.app import create_app
from core.runtime import Runtime
from plugins.product_sync.services import Catalog
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.product_sync.conftest import Dashboard
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.tenants import WEBHOOK_SECRETS, auth, tenant_block

pytest.importorskip("plugins.payg.hooks", reason="the payg plugin makes the purchases")


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("QuickScale", ["product_sync", "payg"], payg={"expires_in_days": None}),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
async def app(runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app on a real port, registered as the account's webhook endpoint with alpha's secret."""
    async with live_server(create_app(runtime)) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        await stripe_emulator.control.aio.register_webhook(
            alpha_key, f"{base}/t/alpha/webhooks/stripe", secret=WEBHOOK_SECRETS["alpha"]
        )
        yield http
        await settle(runtime, stripe_emulator, alpha_key)


async def settle(runtime: Runtime, emulator: EmulatorHandle, key: str) -> None:
    """Every webhook delivered and every job it started finished, and nothing new sent meanwhile."""
    broker: Any = runtime.jobs.broker
    for _ in range(50):
        report = await emulator.control.aio.settle(key, timeout=30)
        assert report["settled"], report
        assert report["gave_up"] == 0, await emulator.control.aio.deliveries(key)
        await drain(runtime)
        after = await emulator.control.aio.settle(key, timeout=30)
        if after["attempts"] == report["attempts"] and not broker._running_tasks:
            return
    raise AssertionError("webhooks kept coming")


async def test_quickscale_credits_are_priced_by_stripe_metadata_and_follow_a_price_change(
    runtime: Runtime,
    app: httpx.AsyncClient,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,
    alpha_dashboard: Dashboard,
) -> None:
    admin, service = auth("alpha", "admin"), auth("alpha")
    starter = await alpha_dashboard.pack(
        "AI Credits - Starter Pack",
        1000,
        credit_amount="100",
        credit_type="payg",
        feature_flags="ai_generation,image_processing",
    )
    pro = await alpha_dashboard.pack(
        "Pro Plan", 2999, recurring="month", credit_amount="1000", credit_type="subscription", plan_tier="pro"
    )

    r = await app.post("/t/alpha/v1/admin/catalog/sync", headers=admin)
    assert r.status_code == 202
    await settle(runtime, stripe_emulator, alpha_key)
    run = (await app.get(f"/t/alpha/v1/admin/catalog/sync-runs/{r.json()['id']}", headers=admin)).json()
    assert (run["status"], run["products"], run["prices"], run["problems"]) == ("succeeded", 2, 2, [])
    products = {p["name"]: p for p in (await app.get("/t/alpha/v1/catalog", headers=service)).json()["data"]}
    assert products["AI Credits - Starter Pack"]["feature_flags"] == ["ai_generation", "image_processing"]
    assert (products["Pro Plan"]["plan_tier"], products["Pro Plan"]["credit_type"]) == ("pro", "subscription")

    assert (await app.put("/t/alpha/v1/customers/cust-1", json={}, headers=service)).status_code == 201
    packs = (await app.get("/t/alpha/v1/credit-prices", headers=service)).json()["packs"]
    assert [(p["price"], p["unit_amount"], p["credits"]) for p in packs] == [(starter["default_price"], 1000, 100)]
    bought = await buy(app, runtime, stripe_emulator, alpha_key, starter["default_price"], quantity=3)
    assert (bought["amount"], bought["credits"]) == (3000, 300), "3 x $10.00 for 3 x 100 credits"
    assert await balance(app) == 300

    # The operator raises the price in the dashboard: a new price, made the default, the old one archived.
    new_price = await alpha_dashboard.price("create", product=starter["id"], currency="usd", unit_amount=1200)
    await alpha_dashboard.product("update", starter["id"], default_price=new_price["id"])
    await alpha_dashboard.price("archive", starter["default_price"])
    await settle(runtime, stripe_emulator, alpha_key)

    async with runtime.sessions() as session:
        catalog = await Catalog.of(runtime, session, runtime.tenants.get("alpha"))
        [payg] = await catalog.payg_prices("usd")
        [tier] = await catalog.prices_for_tier("pro", "month")
    assert (payg.id, payg.unit_amount, payg.credit_amount, payg.is_default) == (new_price["id"], 1200, 100, True)
    assert tier.id == pro["default_price"]
    again = await buy(app, runtime, stripe_emulator, alpha_key, new_price["id"], quantity=1)
    assert (again["amount"], again["credits"]) == (1200, 100)
    assert await balance(app) == 400
    stale = await app.post(
        "/t/alpha/v1/customers/cust-1/credit-purchases",
        json={"price": starter["default_price"], "quantity": 1},
        headers=service,
    )
    assert stale.status_code == 400, "the archived price is no longer on sale"
    assert stale.json()["error"]["code"] == "unknown_price"


async def buy(
    app: httpx.AsyncClient, runtime: Runtime, emulator: EmulatorHandle, key: str, price: str, *, quantity: int
) -> dict[str, Any]:
    """A PAYG purchase as the tenant's app makes it; the card is confirmed as Stripe.js would."""
    r = await app.post(
        "/t/alpha/v1/customers/cust-1/credit-purchases",
        json={"price": price, "quantity": quantity},
        headers=auth("alpha"),
    )
    assert r.status_code == 201, r.text
    purchase: dict[str, Any] = r.json()
    await emulator.stripe_client(key).v1.payment_intents.confirm_async(
        purchase["payment_intent_id"], {"payment_method": "pm_card_visa"}
    )
    await settle(runtime, emulator, key)
    return purchase


async def balance(app: httpx.AsyncClient) -> int:
    r = await app.get("/t/alpha/v1/customers/cust-1/balance", headers=auth("alpha"))
    assert r.status_code == 200, r.text
    return int(r.json()["balance"])
