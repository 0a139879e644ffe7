"""Every route of the subscriptions API, with its error paths: what the tenant app and its users see over HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import stripe
from sqlalchemy import func, select

from core import clock
from core.app import create_app
from core.runtime import Runtime
from plugins.subscriptions.models import SubscriptionCheckout
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import AMOUNTS, Shop, create_customer
from tests.support.app import asgi_client
from tests.support.tenants import auth, user_auth

CHECKOUT = "/t/alpha/v1/customers/{}/checkout/subscription"
OK_URL = "https://app.example/ok?session={CHECKOUT_SESSION_ID}"


async def checkouts(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(SubscriptionCheckout)) or 0)


def sdk(emulator: EmulatorHandle, key: str) -> stripe.StripeClient:
    return emulator.stripe_client(key)


async def test_tiers_list_every_plan_with_its_prices(client: Any, alpha_prices: dict[str, str]) -> None:
    r = await client.get("/t/alpha/v1/tiers", headers=auth("alpha"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["default_tier"] == "free"
    tiers = {t["id"]: t for t in body["data"]}
    assert list(tiers) == ["free", "basic", "premium"]
    assert (tiers["free"]["is_default"], tiers["free"]["prices"], tiers["free"]["credits_per_month"]) == (True, [], 10)
    assert (tiers["premium"]["is_unlimited"], tiers["premium"]["credits_per_month"]) == (True, None)
    assert tiers["premium"]["models"] == ["flux-schnell", "flux-dev", "flux-1.1-pro"]
    assert [(p["interval"], p["currency"], p["unit_amount"], p["price_id"]) for p in tiers["premium"]["prices"]] == [
        ("month", "usd", AMOUNTS[("premium", "month")], alpha_prices["premium/month"]),
        ("year", "usd", AMOUNTS[("premium", "year")], alpha_prices["premium/year"]),
    ]
    assert ("month", "eur", 899) in [(p["interval"], p["currency"], p["unit_amount"]) for p in tiers["basic"]["prices"]]
    # A pricing page may read it with an end user's token; a tenant without the plugin has no tiers.
    assert (await client.get("/t/alpha/v1/tiers", headers=user_auth("alpha", "anyone"))).status_code == 200
    r = await client.get("/t/beta/v1/tiers", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")


async def test_tiers_stay_fast_while_stripe_cannot_answer(
    client: Any, alpha_prices: dict[str, str], stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    from plugins.subscriptions import prices

    prices._amounts.clear()
    prices._unreadable.clear()
    stripe_emulator.control.fail_next(alpha_key, 100, status=500, path_prefix="/v1/prices")
    first = await client.get("/t/alpha/v1/tiers", headers=auth("alpha"))
    assert first.status_code == 200, "the tier list answers without amounts"
    asked = 100 - stripe_emulator.control.faults(alpha_key)["data"][0]["remaining"]
    assert asked > 0
    await client.get("/t/alpha/v1/tiers", headers=auth("alpha"))
    assert 100 - stripe_emulator.control.faults(alpha_key)["data"][0]["remaining"] == asked, "not asked again"
    clock.advance(dt.timedelta(seconds=prices.UNREADABLE_TTL_SECONDS + 1))
    await client.get("/t/alpha/v1/tiers", headers=auth("alpha"))
    assert 100 - stripe_emulator.control.faults(alpha_key)["data"][0]["remaining"] > asked, "asked again later"
    stripe_emulator.control.clear_faults(alpha_key)
    prices._unreadable.clear()


async def test_checkout_opens_a_stripe_session_for_the_tier(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, alpha_prices: dict[str, str]
) -> None:
    await create_customer(client, "cust-1")
    r = await client.post(
        CHECKOUT.format("cust-1"),
        json={"tier": "basic", "interval": "year", "success_url": OK_URL, "cancel_url": "https://app.example/no"},
        headers=user_auth("alpha", "cust-1"),
    )
    assert r.status_code == 201, r.text
    checkout = r.json()
    assert (checkout["tier"], checkout["interval"], checkout["price_id"]) == (
        "basic",
        "year",
        alpha_prices["basic/year"],
    )
    assert checkout["checkout_url"].endswith(f"/_emulator/pay/{checkout['session_id']}")
    client_ = sdk(stripe_emulator, alpha_key)
    session = await client_.v1.checkout.sessions.retrieve_async(checkout["session_id"], {"expand": ["line_items"]})
    customer = (await client.get("/t/alpha/v1/customers/cust-1", headers=auth("alpha"))).json()
    assert (session.mode, session.customer, session.client_reference_id) == (
        "subscription",
        customer["stripe_customer_id"],
        "cust-1",
    )
    assert session.line_items is not None
    assert [item.price.id for item in session.line_items.data if item.price] == [alpha_prices["basic/year"]]
    assert session.allow_promotion_codes is True, "the customer may type a code on Stripe's page"
    assert (session.metadata["tollgate_tier"], session.metadata["tollgate_customer"]) == ("basic", "cust-1")
    # A currency picks that currency's price.
    r = await client.post(
        CHECKOUT.format("cust-1"),
        json={"tier": "basic", "currency": "eur", "success_url": OK_URL},
        headers=auth("alpha"),
    )
    assert (r.status_code, r.json()["price_id"]) == (201, alpha_prices["basic/month/eur"])
    assert await checkouts(runtime) == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"tier": "gold", "success_url": OK_URL}, 400, "unknown_tier"),
        ({"tier": "free", "success_url": OK_URL}, 400, "tier_not_for_sale"),
        ({"tier": "basic", "currency": "gbp", "success_url": OK_URL}, 400, "price_not_configured"),
        ({"tier": "premium", "currency": "eur", "success_url": OK_URL}, 400, "price_not_configured"),
        ({"tier": "basic", "success_url": OK_URL, "promotion_code": "NOSUCHCODE"}, 400, "invalid_promotion_code"),
        ({"tier": "basic", "interval": "week", "success_url": OK_URL}, 400, "validation_error"),
        ({"tier": "basic"}, 400, "validation_error"),
        ({"tier": "basic", "success_url": "javascript:alert(1)"}, 400, "validation_error"),
        ({"tier": "basic", "success_url": OK_URL, "quantity": 2}, 400, "validation_error"),
    ],
)
async def test_bad_checkouts_are_refused_and_write_nothing(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, body: Any, status: int, code: str
) -> None:
    await create_customer(client, "cust-1")
    r = await client.post(CHECKOUT.format("cust-1"), json=body, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert await checkouts(runtime) == 0
    assert (await sdk(stripe_emulator, alpha_key).v1.checkout.sessions.list_async()).data == []


async def test_checkout_needs_a_known_customer_of_the_caller(client: Any, runtime: Runtime) -> None:
    await create_customer(client, "cust-1")
    body = {"tier": "basic", "success_url": OK_URL}
    r = await client.post(CHECKOUT.format("ghost"), json=body, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    r = await client.post(CHECKOUT.format("cust-1"), json=body, headers=user_auth("alpha", "cust-2"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found"), "another user's token"
    beta = "/t/beta/v1/customers/cust-1/checkout/subscription"
    r = await client.post(beta, json=body, headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")
    r = await client.post(CHECKOUT.format("cust-1"), json=body, headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_api_key"), "beta's key is not alpha's"
    assert await checkouts(runtime) == 0


async def test_checkouts_are_rate_limited_per_customer_across_processes(
    client: Any, runtime: Runtime, make_runtime: Any
) -> None:
    for customer in ("cust-1", "cust-2"):
        await create_customer(client, customer)
    body = {"tier": "basic", "success_url": OK_URL}
    other = make_runtime()  # a second API process on the same database
    async with asgi_client(create_app(other)) as second:
        for n in range(5):
            http = client if n % 2 else second
            assert (await http.post(CHECKOUT.format("cust-1"), json=body, headers=auth("alpha"))).status_code == 201
        r = await second.post(CHECKOUT.format("cust-1"), json=body, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (429, "rate_limited")
    retry_after = r.json()["error"]["detail"]["retry_after_seconds"]
    assert 0 < retry_after <= 60
    assert r.headers["Retry-After"] == str(retry_after)
    assert (r.json()["error"]["detail"]["limit"], r.json()["error"]["detail"]["per_seconds"]) == (5, 60)
    assert (await client.post(CHECKOUT.format("cust-2"), json=body, headers=auth("alpha"))).status_code == 201
    assert await checkouts(runtime) == 6
    clock.advance(dt.timedelta(seconds=61))
    assert (await client.post(CHECKOUT.format("cust-1"), json=body, headers=auth("alpha"))).status_code == 201


async def test_a_free_customer_reads_plan_usage_and_models(client: Any) -> None:
    await create_customer(client, "cust-1")
    base = "/t/alpha/v1/customers/cust-1/subscription"
    plan = (await client.get(base, headers=user_auth("alpha", "cust-1"))).json()
    assert (plan["tier"], plan["status"], plan["subscription_id"], plan["credits_remaining"]) == (
        "free",
        "free",
        None,
        10,
    )
    start, end = (
        dt.datetime.fromisoformat(plan["current_period_start"]),
        dt.datetime.fromisoformat(plan["current_period_end"]),
    )
    assert (start.day, start.hour, end.day) == (1, 0, 1), "the free tier's period is the calendar month"
    # Reading again grants nothing more: the month's allowance is granted once.
    assert (await client.get(base, headers=auth("alpha"))).json()["credits_remaining"] == 10
    usage = (await client.get(f"{base}/usage", headers=auth("alpha"))).json()
    assert (usage["allowance"], usage["used"], usage["remaining"], usage["percentage"]) == (10, 0, 10, 0)
    await client.post("/t/alpha/v1/customers/cust-1/spend", json={"credits": 4}, headers=auth("alpha"))
    usage = (await client.get(f"{base}/usage", headers=auth("alpha"))).json()
    assert (usage["used"], usage["remaining"], usage["percentage"]) == (4, 6, 40)
    dev = (await client.get(f"{base}/models/flux-dev", headers=auth("alpha"))).json()
    assert (dev["allowed"], dev["code"], dev["available_in"]) == (False, "model_not_in_tier", "basic")
    assert "Basic" in dev["message"]
    unknown = (await client.get(f"{base}/models/gpt-9", headers=auth("alpha"))).json()
    assert (unknown["allowed"], unknown["code"], unknown["available_in"]) == (False, "unknown_model", None)
    entitlements = (await client.get("/t/alpha/v1/customers/cust-1/entitlements", headers=auth("alpha"))).json()
    assert (entitlements["tier"], entitlements["models"]) == ("free", ["flux-schnell"])
    assert entitlements["features"]["watermark"] is True
    assert entitlements["limits"] == {"credits_per_month": 10}
    assert entitlements["sources"]["subscriptions"]["status"] == "free"
    r = await client.get("/t/alpha/v1/customers/cust-2/subscription", headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    r = await client.get("/t/alpha/v1/customers/ghost/subscription", headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")


async def test_changes_without_a_subscription(client: Any) -> None:
    await create_customer(client, "cust-1")
    base = "/t/alpha/v1/customers/cust-1/subscription"
    r = await client.patch(base, json={"tier": "premium"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "subscription_not_found")
    r = await client.delete(base, params={"at_period_end": "false"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "subscription_not_found")
    r = await client.patch(base, json={"tier": "premium", "seats": 3}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error")


async def test_plan_changes_are_checked(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    await shop.subscribe("cust-1", "basic")
    base = shop.path("cust-1", "/subscription")
    for body, code in [
        ({"tier": "free"}, "tier_not_for_sale"),
        ({"tier": "gold"}, "unknown_tier"),
        ({"tier": "premium", "interval": "week"}, "validation_error"),
    ]:
        r = await shop.http.patch(base, json=body, headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (400, code), r.text
    same = await shop.call("PATCH", base, json={"tier": "basic", "interval": "month"})
    assert same["tier"] == "basic", "asking for the plan one has is answered with it"


async def test_portal_opens_a_billing_portal_session(client: Any, stripe_emulator: EmulatorHandle) -> None:
    await create_customer(client, "cust-1")
    portal = "/t/alpha/v1/customers/cust-1/portal"
    r = await client.post(
        portal, json={"return_url": "https://app.example/account"}, headers=user_auth("alpha", "cust-1")
    )
    assert r.status_code == 201, r.text
    assert r.json()["portal_url"].startswith(f"{stripe_emulator.url}/_emulator/portal/bps_")
    customer = (await client.get("/t/alpha/v1/customers/cust-1", headers=auth("alpha"))).json()
    assert customer["stripe_customer_id"], "the Stripe customer is created on first need"
    r = await client.post(portal, json={"return_url": "not a url"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error")
    r = await client.post(portal, json={"return_url": "https://app.example"}, headers=user_auth("alpha", "cust-2"))
    assert r.status_code == 404


async def test_the_reconcile_route_is_for_admin_keys(client: Any, runtime: Runtime) -> None:
    route = "/t/alpha/v1/admin/subscriptions/reconcile"
    r = await client.post(route, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "insufficient_scope")
    r = await client.post(route, headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "insufficient_scope")
    r = await client.post(route, headers=auth("alpha", "admin"))
    assert (r.status_code, r.json()) == (202, {"tenant": "alpha", "queued": True})
    r = await client.post("/t/beta/v1/admin/subscriptions/reconcile", headers=auth("beta", "admin"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")
