"""With product_sync enabled, a synced one-time price with `credit_amount` metadata is on sale by quantity."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import session_scope
from plugins.product_sync.services import SyncRuns
from plugins.product_sync.sync import FullSync
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.payg.conftest import PAYG
from tests.support.tenants import auth, tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": tenant_block("QuickScale", ["payg", "product_sync"], payg=PAYG), "beta": tenant_block("Beta")}


async def test_synced_price_defines_credits_per_unit(
    client: Any, runtime: Any, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    control = stripe_emulator.control.aio
    pack = await control.dashboard_product(
        alpha_key,
        "create",
        name="AI Credits - Starter Pack",
        metadata={"credit_amount": "100", "credit_type": "payg"},
        default_price_data={"currency": "usd", "unit_amount": 999},
    )
    bare = await control.dashboard_product(
        alpha_key, "create", name="No credits", default_price_data={"currency": "usd", "unit_amount": 500}
    )
    tenant = runtime.tenants.get("alpha")
    async with session_scope(runtime.sessions) as session:
        run = await SyncRuns(session, tenant).create("test")
    assert await FullSync(runtime, tenant).run(run.id) is not None

    prices = (await client.get("/t/alpha/v1/credit-prices", headers=auth("alpha"))).json()
    catalog = [p for p in prices["packs"] if p["source"] == "catalog"]
    assert catalog == [
        {
            "price": pack["default_price"],
            "name": "AI Credits - Starter Pack",
            "currency": "usd",
            "unit_amount": 999,
            "credits": 100,
            "source": "catalog",
        }
    ]
    await client.put("/t/alpha/v1/customers/buyer", json={}, headers=auth("alpha"))
    r = await client.post(
        "/t/alpha/v1/customers/buyer/credit-purchases",
        json={"price": pack["default_price"], "quantity": 2},
        headers=auth("alpha"),
    )
    assert r.status_code == 201, r.text
    assert (r.json()["credits"], r.json()["amount"], r.json()["currency"]) == (200, 1998, "usd")
    r = await client.post(
        "/t/alpha/v1/customers/buyer/credit-purchases", json={"price": bare["default_price"]}, headers=auth("alpha")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "price_without_credits")
