"""A subscription change and a cancellation each write one audit record with the plan before and after."""

from __future__ import annotations

from typing import Any

from tests.notifications.conftest import tenant_app  # noqa: F401 - fixture
from tests.subscriptions.conftest import (  # noqa: F401 - the ImageGen fixtures
    Shop,
    alpha_key,
    alpha_prices,
    client,
    create_customer,
    priced_tiers,
    settings_overrides,
    shop,
    tenant_secrets,
    tenants_config,
)
from tests.support.tenants import auth

SUBSCRIPTION = "/t/alpha/v1/customers/cust-1/subscription"


async def trail(shop: Shop) -> list[dict[str, Any]]:
    r = await shop.http.get("/t/alpha/v1/admin/audit", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


async def test_a_change_and_a_cancellation_are_audited_once_each(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    await shop.subscribe("cust-1", "basic")
    before = len(await trail(shop))
    keyed = {**auth("alpha"), "Idempotency-Key": "change-1"}
    change = await shop.http.patch(SUBSCRIPTION, json={"tier": "premium"}, headers=keyed)
    assert change.status_code == 200, change.text
    again = await shop.http.patch(SUBSCRIPTION, json={"tier": "premium"}, headers=keyed)
    assert again.status_code == 200, again.text
    cancel = await shop.http.delete(SUBSCRIPTION, headers=auth("alpha", "admin"))
    assert cancel.status_code == 200, cancel.text
    shown = await trail(shop)
    assert len(shown) == before + 2
    canceled, changed = shown[0], shown[1]
    assert (changed["action"], changed["principal"], changed["target"]) == (
        "subscription.change",
        "alpha-service",
        "customer:cust-1",
    )
    assert (changed["before"]["tier"], changed["after"]["tier"]) == ("basic", "premium")
    assert (canceled["action"], canceled["principal"]) == ("subscription.cancel", "alpha-admin")
    assert canceled["after"]["cancel_at_period_end"] is True
