"""Plan changes and their credits (docs/subscriptions.md, "Credits when the plan changes"), end to end.

Tiers here: free 10, basic 200, pro 1000 credits a month, premium unlimited; no trials.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.runtime import Runtime
from tests.notifications.conftest import TenantApp
from tests.subscriptions.conftest import BASIC, FREE, PREMIUM, Shop, create_customer
from tests.support.tenants import tenant_block

PRO = {"id": "pro", "name": "Pro", "credits_per_month": 1000, "models": ["flux-schnell", "flux-dev"], "features": {}}
TIERS = {"tiers": [FREE, BASIC, PRO, {**PREMIUM, "trial_days": 0}], "grace_period_days": 3}


@pytest.fixture
def priced_tiers() -> tuple[str, ...]:
    return ("basic", "pro", "premium")


@pytest.fixture
def tenants_config(tenant_app: TenantApp) -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "ImageGen", ["subscriptions"], subscriptions=TIERS, notifications={"url": tenant_app.url}
        ),
        "beta": tenant_block("Beta App"),
    }


def at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def by_source(balance: dict[str, Any], source: str) -> list[dict[str, Any]]:
    return [g for g in balance["grants"] if g["source"] == source]


async def half_way(shop: Shop, days: int = 15) -> None:
    await shop.emulator.control.aio.advance_clock(shop.key, seconds=days * 86400)
    await shop.settle()


async def test_an_upgrade_grants_the_prorated_difference_once(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    basic = await shop.subscribe("cust-1", "basic")
    start, end = at(basic["current_period_start"]), at(basic["current_period_end"])
    await half_way(shop, 10)
    pro = await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "pro"})
    await shop.settle()
    assert (pro["tier"], pro["credits_per_month"], pro["current_period_end"]) == (
        "pro",
        1000,
        basic["current_period_end"],
    )
    balance = await shop.balance("cust-1")
    [topup] = by_source(balance, "subscriptions.change")
    # (1000 - 200) for the two thirds of the period left.
    expected = 800 * (end - start - dt.timedelta(days=10)) / (end - start)
    assert expected - 2 <= topup["remaining"] <= expected
    assert at(topup["expires_at"]) == end
    [period] = by_source(balance, "stripe.invoice")
    assert period["remaining"] == 200, "what the period already granted stays"

    # Down to basic and up again within the period: the pro top-up is not granted a second time.
    down = await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "basic"})
    await shop.settle()
    assert (down["tier"], down["credits_per_month"], down["credits_remaining"]) == (
        "basic",
        200,
        pro["credits_remaining"],
    )
    await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "pro"})
    await shop.settle()
    assert len(by_source(await shop.balance("cust-1"), "subscriptions.change")) == 1

    # The renewal grants the new tier's full allowance.
    await shop.renew(basic["subscription_id"])
    periods = by_source(await shop.balance("cust-1"), "stripe.invoice")
    assert [g["remaining"] for g in periods] == [1000]


async def test_a_downgrade_from_unlimited_grants_the_new_allowance_prorated(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    premium = await shop.subscribe("cust-1", "premium")
    assert premium["is_unlimited"] is True
    start, end = at(premium["current_period_start"]), at(premium["current_period_end"])
    await half_way(shop)
    basic = await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "basic"})
    await shop.settle()
    assert (basic["tier"], basic["is_unlimited"]) == ("basic", False)
    [grant] = by_source(await shop.balance("cust-1"), "subscriptions.change")
    expected = 200 * (end - start - dt.timedelta(days=15)) / (end - start)
    assert expected - 2 <= grant["remaining"] <= expected
    invoices = await shop.emulator.stripe_client(shop.key).v1.invoice_items.list_async({"limit": 10})
    assert any(item.amount < 0 and item.proration for item in invoices.data), "Stripe credits the unused premium time"


async def test_switching_to_yearly_starts_a_yearly_period_with_its_first_month(shop: Shop, runtime: Runtime) -> None:
    await create_customer(shop.http, "cust-1")
    monthly = await shop.subscribe("cust-1", "basic")
    await half_way(shop, 5)
    yearly = await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"interval": "year"})
    await shop.settle()
    assert (yearly["tier"], yearly["interval"]) == ("basic", "year")
    assert at(yearly["current_period_end"]) - at(yearly["current_period_start"]) >= dt.timedelta(days=365)
    balance = await shop.balance("cust-1")
    [month] = by_source(balance, "subscriptions.month")
    assert (month["remaining"], at(month["expires_at"]).month) == (
        200,
        (at(yearly["current_period_start"]).month % 12) + 1,
    )
    [old] = by_source(balance, "stripe.invoice")
    assert at(old["expires_at"]) == at(monthly["current_period_end"]), "the monthly grant runs out as it was"
    assert by_source(balance, "subscriptions.change") == [], "a new period is not a change within one"
