"""Subscriptions paid in the app's own form (POST .../subscription, Stripe Elements) and plan change
previews (GET .../subscription/preview), end to end: our API on a live server, the Stripe emulator
playing Stripe.js (its confirm helper) and delivering signed webhooks.

Tiers here: free 10, basic 200, pro 1000 credits a month, premium unlimited with a 7-day trial.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from core.ledger.models import LedgerEntry
from core.runtime import Runtime
from plugins.subscriptions.models import Subscription, SubscriptionCheckout
from tests.notifications.conftest import TenantApp
from tests.subscriptions.conftest import AMOUNTS, BASIC, FREE, PREMIUM, Shop, create_customer
from tests.subscriptions.test_changes import PRO, by_source, half_way
from tests.support.tenants import auth, tenant_block, user_auth

TIERS = {"tiers": [FREE, BASIC, PRO, PREMIUM], "grace_period_days": 3}


@pytest.fixture
def priced_tiers() -> tuple[str, ...]:
    return ("basic", "pro", "premium")


@pytest.fixture
def tenants_config(tenant_app: TenantApp) -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "ImageGen", ["subscriptions"], subscriptions=TIERS, notifications={"url": tenant_app.url}
        ),
        "beta": tenant_block("Beta App", ["subscriptions"], subscriptions=TIERS),
    }


async def start(
    shop: Shop, customer: str, expect: int = 201, headers: dict[str, str] | None = None, **body: Any
) -> Any:
    payload = {"tier": "basic", **body}
    return await shop.call(
        "POST", shop.path(customer, "/subscription"), expect, json=payload, headers=headers or auth("alpha")
    )


async def count(runtime: Runtime, model: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def stripe_events(shop: Shop) -> int:
    page = await shop.emulator.stripe_client(shop.key).v1.events.list_async({"limit": 100})
    return len(page.data)


async def test_a_card_payment_activates_it_and_grants_the_credits_once(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    started = await start(shop, "cust-1")
    assert (started["status"], started["secret_type"], started["tier"], started["amount_due"]) == (
        "incomplete",
        "payment",
        "basic",
        AMOUNTS[("basic", "month")],
    )
    assert started["client_secret"].startswith("pi_") and started["currency"] == "usd"
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["status"]) == ("free", "free"), "nothing is held before the payment"
    assert view["pending_payment"]["payment_status"] == "requires_payment_method"
    assert view["pending_payment"]["subscription_id"] == started["subscription_id"]

    await shop.emulator.control.aio.confirm(shop.key, started["client_secret"], "pm_card_visa")
    await shop.settle()
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["status"], view["subscription_id"]) == ("basic", "active", started["subscription_id"])
    assert view["pending_payment"] is None
    [period] = by_source(await shop.balance("cust-1"), "stripe.invoice")
    assert period["remaining"] == 200
    sub = await shop.emulator.stripe_client(shop.key).v1.subscriptions.retrieve_async(started["subscription_id"])
    assert sub.default_payment_method is not None, "the card is saved for the renewals"

    # Every event of the account delivered again: still one grant.
    for event in (await shop.emulator.stripe_client(shop.key).v1.events.list_async({"limit": 100})).data:
        await shop.emulator.control.aio.resend_event(shop.key, event.id)
    await shop.settle()
    assert len(by_source(await shop.balance("cust-1"), "stripe.invoice")) == 1
    await start(shop, "cust-1", 409)


async def test_three_d_secure_is_shown_as_needing_action_until_completed(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    started = await start(shop, "cust-1")
    confirmed = await shop.emulator.control.aio.confirm(
        shop.key, started["client_secret"], "pm_card_threeDSecure2Required", three_d_secure="leave"
    )
    assert confirmed["status"] == "requires_action"
    await shop.settle()
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["pending_payment"]["payment_status"]) == ("free", "requires_action")
    assert view["pending_payment"]["status"] == "incomplete"

    await shop.emulator.control.aio.authenticate_payment(shop.key, confirmed["payment_intent"]["id"])
    await shop.settle()
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["status"], view["pending_payment"]) == ("basic", "active", None)
    assert by_source(await shop.balance("cust-1"), "stripe.invoice")[0]["remaining"] == 200


async def test_a_first_invoice_never_paid_expires_and_the_customer_stays_free(shop: Shop, runtime: Runtime) -> None:
    await create_customer(shop.http, "cust-1")
    started = await start(shop, "cust-1")
    await shop.emulator.control.aio.advance_subscription(shop.key, started["subscription_id"])  # 23 hours on
    await shop.settle()
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["status"], view["pending_payment"]) == ("free", "free", None)
    async with runtime.sessions() as session:
        status = await session.scalar(select(Subscription.status))
    assert status == "incomplete_expired"
    # The customer may start again.
    again = await start(shop, "cust-1")
    assert again["subscription_id"] != started["subscription_id"]


async def test_a_trial_answers_the_setup_intents_secret(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    started = await start(shop, "cust-1", tier="premium")
    assert (started["status"], started["secret_type"], started["amount_due"], started["trial_days"]) == (
        "trialing",
        "setup",
        0,
        7,
    )
    assert started["client_secret"].startswith("seti_") and started["expires_at"] is None
    await shop.emulator.control.aio.confirm(shop.key, started["client_secret"], "pm_card_visa")
    await shop.settle()
    view = await shop.subscription("cust-1")
    assert (view["tier"], view["status"], view["is_unlimited"]) == ("premium", "trialing", True)
    sub = await shop.emulator.stripe_client(shop.key).v1.subscriptions.retrieve_async(started["subscription_id"])
    assert sub.default_payment_method is not None and sub.pending_setup_intent is None

    other = "cust-2"
    await create_customer(shop.http, other)
    await start(shop, other, tier="basic", trial=True, expect=409)


async def test_the_same_idempotency_key_gets_the_same_answer_and_one_stripe_subscription(
    shop: Shop, runtime: Runtime
) -> None:
    await create_customer(shop.http, "cust-1")
    headers = {**auth("alpha"), "Idempotency-Key": "subscribe-1"}
    first = await shop.http.post(shop.path("cust-1", "/subscription"), json={"tier": "basic"}, headers=headers)
    again = await shop.http.post(shop.path("cust-1", "/subscription"), json={"tier": "basic"}, headers=headers)
    assert first.status_code == 201, first.text
    assert (again.status_code, again.content) == (201, first.content)
    subs = await shop.emulator.stripe_client(shop.key).v1.subscriptions.list_async({"status": "all"})
    assert len(subs.data) == 1
    assert await count(runtime, SubscriptionCheckout) == 1
    other = await shop.http.post(shop.path("cust-1", "/subscription"), json={"tier": "pro"}, headers=headers)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")


async def test_a_new_attempt_cancels_the_earlier_unpaid_one(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    first = await start(shop, "cust-1")
    second = await start(shop, "cust-1", tier="pro")
    client = shop.emulator.stripe_client(shop.key)
    earlier = await client.v1.subscriptions.retrieve_async(first["subscription_id"])
    assert earlier.status == "canceled", "a form left open elsewhere can no longer pay for a second plan"
    view = await shop.subscription("cust-1")
    assert (view["pending_payment"]["subscription_id"], view["pending_payment"]["tier"]) == (
        second["subscription_id"],
        "pro",
    )
    await shop.emulator.control.aio.confirm(shop.key, second["client_secret"], "pm_card_visa")
    await shop.settle()
    assert (await shop.subscription("cust-1"))["tier"] == "pro"


async def test_refusals_and_who_may_call(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    await create_customer(shop.http, "cust-2")
    for body, code in (
        ({"tier": "gold"}, "unknown_tier"),
        ({"tier": "free"}, "tier_not_for_sale"),
        ({"tier": "basic", "currency": "jpy"}, "price_not_configured"),
        ({"tier": "basic", "promotion_code": "NOPE"}, "invalid_promotion_code"),
    ):
        r = await shop.http.post(shop.path("cust-1", "/subscription"), json=body, headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (400, code), r.text
    # The customer's own frontend may start its own, not another customer's.
    own = await start(shop, "cust-1", headers=user_auth("alpha", "cust-1"))
    assert own["status"] == "incomplete"
    r = await shop.http.post(
        shop.path("cust-2", "/subscription"), json={"tier": "basic"}, headers=user_auth("alpha", "cust-1")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    r = await shop.http.get(shop.path("cust-2", "/subscription/preview?tier=pro"), headers=user_auth("alpha", "cust-1"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    # Another tenant's key reaches nothing of alpha's, and its own customer cust-1 is another customer.
    r = await shop.http.post(shop.path("cust-1", "/subscription"), json={"tier": "basic"}, headers=auth("beta"))
    assert r.status_code == 401
    beta = "/t/beta/v1/customers/cust-1"
    assert (await shop.http.put(beta, json={}, headers=auth("beta"))).status_code == 201
    r = await shop.http.get(f"{beta}/subscription", headers=auth("beta"))
    assert (r.json()["tier"], r.json()["pending_payment"]) == ("free", None)
    r = await shop.http.get(f"{beta}/subscription/preview?tier=pro", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "subscription_not_found")
    r = await shop.http.get(shop.path("cust-1", "/subscription/preview?tier=pro"), headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "subscription_not_found")


async def paid(shop: Shop, customer: str, tier: str) -> dict[str, Any]:
    await create_customer(shop.http, customer)
    started = await start(shop, customer, tier=tier, trial=False)
    await shop.emulator.control.aio.confirm(shop.key, started["client_secret"], "pm_card_visa")
    await shop.settle()
    return await shop.subscription(customer)


def prorated(amount: int, remaining: float, total: float) -> int:
    """Stripe's (the emulator's) proration: amount x remaining / period, rounded half up."""
    sign = -1 if amount < 0 else 1
    return sign * int((abs(amount) * int(remaining) * 2 + int(total)) // (2 * int(total)))


async def test_an_upgrade_preview_changes_nothing_and_the_upgrade_grants_what_it_said(
    shop: Shop, runtime: Runtime
) -> None:
    basic = await paid(shop, "cust-1", "basic")
    start_at, end = (
        dt.datetime.fromisoformat(basic["current_period_start"]),
        dt.datetime.fromisoformat(basic["current_period_end"]),
    )
    await half_way(shop, 10)
    entries, events = await count(runtime, LedgerEntry), await stripe_events(shop)
    preview = await shop.call("GET", shop.path("cust-1", "/subscription/preview?tier=pro"))
    at = dt.datetime.fromisoformat(preview["proration_date"])
    left, total = (end - at).total_seconds(), (end - start_at).total_seconds()
    expected = prorated(AMOUNTS[("pro", "month")], left, total) + prorated(-AMOUNTS[("basic", "month")], left, total)
    assert (preview["change"], preview["tier"], preview["currency"]) == ("upgrade", "pro", "usd")
    assert preview["amount_due_now"] == preview["proration_amount"] == expected > 0
    assert [line["proration"] for line in preview["lines"]] == [True, True]
    assert sum(line["amount"] for line in preview["lines"]) == expected
    assert (preview["next_invoice_at"], preview["next_invoice_amount"]) == (
        basic["current_period_end"],
        AMOUNTS[("pro", "month")],
    )
    granted = 800 * int(left) // int(total)
    assert granted - 1 <= preview["credits"] <= granted + 1
    assert (preview["credits_per_month"], preview["is_unlimited"]) == (1000, False)
    # Nothing changed: no ledger entry, no Stripe call that made anything, the plan as it was.
    assert (await count(runtime, LedgerEntry), await stripe_events(shop)) == (entries, events)
    assert (await shop.subscription("cust-1"))["tier"] == "basic"

    await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "pro"})
    await shop.settle()
    [topup] = by_source(await shop.balance("cust-1"), "subscriptions.change")
    assert topup["remaining"] == preview["credits"]
    again = await shop.call("GET", shop.path("cust-1", "/subscription/preview?tier=pro&interval=month"), 400)
    assert again["error"]["code"] == "plan_unchanged"


async def test_a_downgrade_preview_shows_the_credit_on_the_next_invoice(shop: Shop) -> None:
    pro = await paid(shop, "cust-1", "pro")
    start_at, end = (
        dt.datetime.fromisoformat(pro["current_period_start"]),
        dt.datetime.fromisoformat(pro["current_period_end"]),
    )
    await half_way(shop, 15)
    preview = await shop.call(
        "GET", shop.path("cust-1", "/subscription/preview?tier=basic"), headers=user_auth("alpha", "cust-1")
    )
    at = dt.datetime.fromisoformat(preview["proration_date"])
    left, total = (end - at).total_seconds(), (end - start_at).total_seconds()
    credit = prorated(-AMOUNTS[("pro", "month")], left, total) + prorated(AMOUNTS[("basic", "month")], left, total)
    assert (preview["change"], preview["amount_due_now"], preview["proration_amount"]) == ("downgrade", 0, credit)
    assert credit < 0
    assert preview["next_invoice_at"] == pro["current_period_end"]
    assert preview["next_invoice_amount"] == max(0, AMOUNTS[("basic", "month")] + credit)
    assert (preview["credits"], preview["credits_per_month"]) == (0, 200)
    assert (await shop.subscription("cust-1"))["tier"] == "pro"
    for query, status, code in (
        ("tier=gold", 400, "unknown_tier"),
        ("tier=free", 400, "tier_not_for_sale"),
        ("tier=basic&interval=week", 400, "validation_error"),
    ):
        r = await shop.http.get(shop.path("cust-1", f"/subscription/preview?{query}"), headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text


async def test_a_preview_during_a_trial_charges_nothing_now(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    started = await start(shop, "cust-1", tier="premium")
    await shop.emulator.control.aio.confirm(shop.key, started["client_secret"], "pm_card_visa")
    await shop.settle()
    preview = await shop.call("GET", shop.path("cust-1", "/subscription/preview?tier=pro"))
    assert (preview["change"], preview["amount_due_now"], preview["proration_amount"]) == ("downgrade", 0, 0)
    assert (preview["next_invoice_at"], preview["next_invoice_amount"]) == (
        started["trial_end"],
        AMOUNTS[("pro", "month")],
    )
    # Down from unlimited: the new tier's allowance for what is left of the trial.
    assert 990 <= preview["credits"] <= 1000
