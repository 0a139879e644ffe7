"""Two tenants with subscriptions, each on its own Stripe account: neither sees the other's plans or credits."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.runtime import Runtime
from plugins.subscriptions.models import Allowance, Subscription
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import IMAGEGEN, apply_event, paid_checkout
from tests.support.tenants import auth, secrets_document, tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("ImageGen", ["subscriptions"], subscriptions=IMAGEGEN),
        "beta": tenant_block("Fiko", ["subscriptions"], subscriptions=IMAGEGEN),
    }


@pytest.fixture
def tenant_secrets(stripe_emulator: EmulatorHandle, alpha_key: str, alpha_prices: dict[str, str]) -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key, prices=alpha_prices),
        "beta": secrets_document("beta", stripe_key=stripe_emulator.new_account(), prices=alpha_prices),
    }


async def test_tenants_never_see_each_others_subscriptions(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    r = await client.put("/t/beta/v1/customers/cust-1", json={}, headers=auth("beta"))
    assert r.status_code == 201
    events = await paid_checkout(client, stripe_emulator, alpha_key)
    for event in events:
        await apply_event(runtime, event)
        # The same event delivered to the wrong tenant finds nothing in that tenant's Stripe account.
        await apply_event(runtime, event, slug="beta")

    alpha = (await client.get("/t/alpha/v1/customers/cust-1/subscription", headers=auth("alpha"))).json()
    beta = (await client.get("/t/beta/v1/customers/cust-1/subscription", headers=auth("beta"))).json()
    assert (alpha["tier"], alpha["status"], alpha["credits_remaining"]) == ("basic", "active", 200)
    assert (beta["tier"], beta["status"], beta["credits_remaining"]) == ("free", "free", 10)
    async with runtime.sessions() as session:
        rows = (await session.execute(select(Subscription.tenant_id, Subscription.customer))).all()
        allowances = (await session.execute(select(Allowance.tenant_id, Allowance.kind))).all()
    assert rows == [("alpha", "cust-1")]
    assert sorted(allowances) == [("alpha", "period"), ("beta", "free")]
    # Alpha's price ids mean nothing in beta's Stripe account.
    r = await client.post(
        "/t/beta/v1/customers/cust-1/checkout/subscription",
        json={"tier": "basic", "success_url": "https://app.example"},
        headers=auth("beta"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (502, "stripe_error")
