"""QuickScale (seed 003): Stripe's catalog sells the tiers. With product_sync enabled, a price's `plan_tier`
metadata says which tier it sells, its `credit_amount` how many credits a period brings (expiring at the
period's end) and its `feature_flags` what the plan unlocks; the tenant's secrets hold no price ids at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.entitlements import ANSWERED
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.notifications.conftest import TenantApp
from tests.product_sync.conftest import Dashboard, full_sync
from tests.subscriptions.conftest import FREE, Shop, by_hook, create_customer
from tests.support.tenants import auth, secrets_document, tenant_block

PRO = {"id": "pro", "name": "Pro", "credits_per_month": 500, "models": ["gpt-large"], "features": {"priority": True}}


@pytest.fixture
def tenants_config(tenant_app: TenantApp) -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "QuickScale",
            ["product_sync", "subscriptions"],
            product_sync={"schedule": False},
            subscriptions={"tiers": [FREE, PRO]},
            notifications={"url": tenant_app.url},
        ),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def tenant_secrets(alpha_key: str) -> dict[str, Any]:
    return {"alpha": secrets_document("alpha", stripe_key=alpha_key), "beta": secrets_document("beta")}


async def test_the_synced_catalog_prices_the_tiers_and_sets_their_credits(
    shop: Shop, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    dashboard = Dashboard(stripe_emulator, alpha_key)
    product = await dashboard.pack(
        "Pro Plan",
        2999,
        recurring="month",
        credit_amount="1000",
        credit_type="subscription",
        plan_tier="pro",
        feature_flags="api_access,hd_export",
    )
    await full_sync(runtime, "alpha")

    tiers = {t["id"]: t for t in (await shop.call("GET", "/t/alpha/v1/tiers"))["data"]}
    assert [
        (p["price_id"], p["interval"], p["unit_amount"], p["credits_per_period"]) for p in tiers["pro"]["prices"]
    ] == [(product["default_price"], "month", 2999, 1000)]
    await create_customer(shop.http, "qs-1")
    checkout = await shop.checkout("qs-1", "pro")
    assert checkout["price_id"] == product["default_price"]
    await shop.emulator.control.aio.complete_checkout(shop.key, checkout["session_id"])
    await shop.settle()

    plan = await shop.subscription("qs-1")
    assert (plan["tier"], plan["status"], plan["credits_per_month"]) == ("pro", "active", 1000)
    assert plan["features"] == {"priority": True, "api_access": True, "hd_export": True}
    balance = await shop.balance("qs-1")
    [grant] = [g for g in balance["grants"] if g["source"] == "stripe.invoice"]
    assert grant["remaining"] == 1000, "the price's credit_amount, not the tier's 500"
    assert dt.datetime.fromisoformat(grant["expires_at"]) == dt.datetime.fromisoformat(plan["current_period_end"])
    before = dict(ANSWERED)
    entitlements = await shop.call("GET", shop.path("qs-1", "/entitlements"), headers=auth("alpha"))
    assert (entitlements["tier"], entitlements["limits"]) == ("pro", {"credits_per_month": 1000})
    assert entitlements["features"]["hd_export"] is True
    # Read in one statement, the synced price's terms joined on the subscription: as the hook answers.
    assert (ANSWERED["statement"] - before["statement"], ANSWERED["session"] - before["session"]) == (1, 0)
    assert entitlements == await by_hook(runtime, "qs-1")
