"""End to end over HTTP: the tenant app calls the live API, customers pay on Stripe's page (the emulator),
Stripe's signed webhooks reach the app and its worker, and the app reads plans, credits and notices back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.runtime import Runtime
from plugins.subscriptions.periods import add_months
from plugins.subscriptions.tasks import ALLOWANCES_TASK
from tests.notifications.conftest import TenantApp
from tests.subscriptions.conftest import Shop, create_customer, notices
from tests.support.jobs import drain
from tests.support.tenants import auth, user_auth


def at(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def test_free_basic_premium_renewal_dunning_recovery_and_back_to_free(
    shop: Shop, runtime: Runtime, tenant_app: TenantApp
) -> None:
    await create_customer(shop.http, "ana")

    # Free: the monthly allowance, the free models, a watermark.
    free = await shop.subscription("ana")
    assert (free["tier"], free["status"], free["credits_remaining"], free["credits_per_month"]) == (
        "free",
        "free",
        10,
        10,
    )
    assert free["features"]["watermark"] is True
    free_spend = await shop.call("POST", shop.path("ana", "/spend"), 201, json={"credits": 3})

    # Basic through Checkout: 200 credits for the period, expiring when it ends.
    basic = await shop.subscribe("ana", "basic")
    assert (basic["tier"], basic["status"], basic["interval"], basic["credits_per_month"]) == (
        "basic",
        "active",
        "month",
        200,
    )
    assert basic["credits_remaining"] == 7 + 200
    assert basic["features"] == {"watermark": False, "priority_queue": True, "api_access": False}
    figures = (await shop.call("GET", "/t/alpha/v1/admin/figures", headers=auth("alpha", "admin")))["figures"]
    figures = figures["subscriptions"]
    assert (figures["live_by_tier"], figures["started"], figures["ended"]) == ({"basic": {"active": 1}}, 1, 0)
    grants = {g["source"]: g for g in (await shop.balance("ana"))["grants"]}
    assert at(grants["stripe.invoice"]["expires_at"]) == at(basic["current_period_end"])
    await shop.call("POST", shop.path("ana", "/spend"), 201, json={"credits": 50})
    usage = await shop.call("GET", shop.path("ana", "/subscription/usage"))
    # The free credits expire first, so they were spent first: 7 of them, then 43 of the plan's.
    assert (usage["allowance"], usage["used"], usage["remaining"], usage["percentage"]) == (200, 43, 157, 21)
    # A second checkout while subscribed is refused with the way forward.
    r = await shop.http.post(
        shop.path("ana", "/checkout/subscription"),
        json={"tier": "premium", "success_url": "https://app.example/ok"},
        headers=user_auth("alpha", "ana"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "subscription_exists")
    assert "PATCH" in r.json()["error"]["detail"]["hint"]

    # Half-way through the period, an upgrade to premium: Stripe prorates; the plan is unlimited from now on.
    await shop.emulator.control.aio.advance_clock(shop.key, seconds=15 * 86400)
    await shop.settle()
    premium = await shop.call("PATCH", shop.path("ana", "/subscription"), json={"tier": "premium"})
    await shop.settle()
    assert (premium["tier"], premium["is_unlimited"], premium["credits_per_month"]) == ("premium", True, None)
    assert premium["current_period_end"] == basic["current_period_end"]
    spent = await shop.call("POST", shop.path("ana", "/spend"), 201, json={"credits": 1000})
    assert (spent["charged"], spent["unlimited"]) == (0, True)
    usage = await shop.call("GET", shop.path("ana", "/subscription/usage"))
    assert (usage["is_unlimited"], usage["allowance"], usage["remaining"]) == (True, None, None)
    # Recorded, not consumed. Stripe's period start is whole seconds, so the free-tier spend of 3
    # counts when it fell in the same second as the subscription's start.
    in_period = at(free_spend["created_at"]) >= at(basic["current_period_start"])
    assert usage["used"] == (3 if in_period else 0) + 50 + 1000, "spends on an unlimited plan are recorded as usage"
    access = await shop.call("GET", shop.path("ana", "/subscription/models/flux-1.1-pro"))
    assert (access["allowed"], access["tier"]) == (True, "premium")
    invoices = await shop.emulator.stripe_client(shop.key).v1.invoices.list_async(
        {"subscription": premium["subscription_id"], "limit": 10}
    )
    upgrade_invoice = invoices.data[0]
    assert (upgrade_invoice.billing_reason, upgrade_invoice.status) == ("subscription_update", "paid")
    assert 900 < upgrade_invoice.amount_paid < 1100, (
        "about half of the difference: the unused half of basic is credited"
    )

    # Renewal: paid, unlimited for the new period.
    await shop.renew(premium["subscription_id"])
    renewed = await shop.subscription("ana")
    assert at(renewed["current_period_start"]) == at(premium["current_period_end"])
    balance = await shop.balance("ana")
    assert balance["unlimited"] is True
    assert at(balance["unlimited_until"]) == at(renewed["current_period_end"])

    # The next renewal fails: past_due, the app is told, the plan holds through the grace period.
    result = await shop.renew(premium["subscription_id"], "pm_card_chargeCustomerFail")
    failed_invoice = result["invoice"]["id"]
    due = await shop.subscription("ana")
    assert (due["status"], due["tier"], due["restricted"]) == ("past_due", "premium", False)
    assert at(due["grace_ends_at"]) - clock.now() <= dt.timedelta(days=3)
    [payment_failed] = await notices(runtime, "payment.failed")
    assert (payment_failed["invoice"], payment_failed["customer"]) == (failed_invoice, "ana")
    [past_due] = await notices(runtime, "subscription.past_due")
    assert (past_due["subscription"], past_due["tier"]) == (premium["subscription_id"], "premium")
    await drain(runtime)
    delivered = [body for _, body in tenant_app.received]
    assert any(b'"subscription.past_due"' in body for body in delivered), "the tenant app got the notice"
    assert (await shop.call("POST", shop.path("ana", "/spend"), 201, json={"credits": 5}))["unlimited"] is True

    # The grace period runs out: the free tier's entitlements, and no more unlimited spending.
    clock.advance(dt.timedelta(days=3, minutes=1))
    restricted = await shop.subscription("ana")
    assert (restricted["status"], restricted["restricted"], restricted["models"]) == (
        "past_due",
        True,
        ["flux-schnell"],
    )
    entitlements = await shop.call("GET", shop.path("ana", "/entitlements"))
    assert (entitlements["tier"], entitlements["limits"]) == ("free", {"credits_per_month": 10})
    denied = await shop.call("GET", shop.path("ana", "/subscription/models/flux-1.1-pro"))
    assert (denied["allowed"], denied["code"], denied["available_in"]) == (False, "model_not_in_tier", "premium")
    r = await shop.http.post(shop.path("ana", "/spend"), json={"credits": 5}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (402, "insufficient_credits")

    # The customer pays the open invoice: active and unlimited again.
    await shop.emulator.control.aio.pay_invoice(shop.key, failed_invoice, "pm_card_visa")
    await shop.settle()
    recovered = await shop.subscription("ana")
    assert (recovered["status"], recovered["restricted"], recovered["is_unlimited"]) == ("active", False, True)

    # PATCH can schedule the cancellation at the period end too, and undo it.
    scheduled = await shop.call("PATCH", shop.path("ana", "/subscription"), json={"cancel_at_period_end": True})
    assert (scheduled["cancel_at_period_end"], scheduled["status"]) == (True, "active")
    resumed = await shop.call("PATCH", shop.path("ana", "/subscription"), json={"cancel_at_period_end": False})
    assert (resumed["cancel_at_period_end"], resumed["tier"]) == (False, "premium")

    # Cancel at the period end: the plan runs until then, then the customer is back on the free tier.
    ending = await shop.call("DELETE", shop.path("ana", "/subscription"), params={"at_period_end": "true"})
    assert (ending["cancel_at_period_end"], ending["status"], ending["tier"]) == (True, "active", "premium")
    await shop.renew(premium["subscription_id"])
    back = await shop.subscription("ana")
    assert (back["tier"], back["status"], back["subscription_id"], back["is_unlimited"]) == (
        "free",
        "free",
        None,
        False,
    )
    assert back["credits_remaining"] == 10, "the free tier's allowance for this month"
    updates = await notices(runtime, "subscription.updated")
    assert [u["status"] for u in updates][-1] == "canceled"
    assert {u["tier"] for u in updates} >= {"basic", "premium"}


async def test_a_yearly_plan_grants_its_allowance_month_by_month(shop: Shop, runtime: Runtime) -> None:
    await create_customer(shop.http, "yuki")
    yearly = await shop.subscribe("yuki", "basic", "year")
    assert (yearly["interval"], yearly["credits_per_month"]) == ("year", 200)
    start, end = at(yearly["current_period_start"]), at(yearly["current_period_end"])

    def plan_grants(balance: dict[str, Any]) -> list[dict[str, Any]]:
        return [g for g in balance["grants"] if g["source"] == "subscriptions.month"]

    [first] = plan_grants(await shop.balance("yuki"))
    assert (first["remaining"], at(first["expires_at"])) == (200, add_months(start, 1))

    async def month_passes(days: int) -> None:
        clock.advance(dt.timedelta(days=days))
        await runtime.jobs.send(ALLOWANCES_TASK)
        await runtime.jobs.send(ALLOWANCES_TASK)  # a second run finds nothing more to do
        await drain(runtime)

    await month_passes(31)
    [second] = plan_grants(await shop.balance("yuki"))
    assert (second["remaining"], second["id"] != first["id"]) == (200, True), "the first month's credits expired"
    usage = await shop.call("GET", shop.path("yuki", "/subscription/usage"))
    assert (usage["allowance"], usage["remaining"]) == (200, 200)
    assert at(usage["period_end"]) == at(second["expires_at"])

    # Ten more months: one allowance each; after the paid year, nothing until the renewal is paid.
    for _ in range(10):
        await month_passes(31)
    [last] = plan_grants(await shop.balance("yuki"))
    assert at(last["expires_at"]) == end
    await month_passes(31)
    assert plan_grants(await shop.balance("yuki")) == []
    await shop.renew(yearly["subscription_id"])
    [renewed] = plan_grants(await shop.balance("yuki"))
    assert at(renewed["expires_at"]) > end


async def test_a_trial_ends_with_a_notice_then_the_first_charge(
    shop: Shop, runtime: Runtime, tenant_app: TenantApp
) -> None:
    await create_customer(shop.http, "tia")
    trial = await shop.subscribe("tia", "premium")
    assert (trial["status"], trial["tier"], trial["is_unlimited"]) == ("trialing", "premium", True)
    assert at(trial["trial_end"]) - at(trial["current_period_start"]) == dt.timedelta(days=7)
    assert at((await shop.balance("tia"))["unlimited_until"]) == at(trial["trial_end"])

    await shop.emulator.control.aio.trial_will_end(shop.key, trial["subscription_id"])
    await shop.settle()
    [notice] = await notices(runtime, "subscription.trial_will_end")
    assert (notice["customer"], notice["tier"], at(notice["trial_end"])) == ("tia", "premium", at(trial["trial_end"]))
    await drain(runtime)
    assert any(b'"subscription.trial_will_end"' in body for _, body in tenant_app.received)

    result = await shop.renew(trial["subscription_id"])
    assert (result["invoice"]["amount_paid"], result["invoice"]["status"]) == (2999, "paid")
    paying = await shop.subscription("tia")
    assert (paying["status"], paying["trial_end"], paying["is_unlimited"]) == ("active", trial["trial_end"], True)
    assert len(await notices(runtime, "subscription.trial_will_end")) == 1


async def test_a_promotion_code_at_checkout(shop: Shop) -> None:
    sdk = shop.emulator.stripe_client(shop.key)
    coupon = await sdk.v1.coupons.create_async({"percent_off": 20, "duration": "forever"})
    promo = await sdk.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "LAUNCH20"}  # type: ignore[typeddict-item]
    )
    await create_customer(shop.http, "leo")
    checkout = await shop.checkout("leo", "basic", promotion_code="launch20")
    session = await sdk.v1.checkout.sessions.retrieve_async(checkout["session_id"])
    assert [d.promotion_code for d in session.discounts or []] == [promo.id]
    assert (session.amount_subtotal, session.amount_total) == (999, 799)
    await shop.emulator.control.aio.complete_checkout(shop.key, checkout["session_id"])
    await shop.settle()
    plan = await shop.subscription("leo")
    assert (plan["tier"], plan["status"]) == ("basic", "active")
    invoice = await sdk.v1.invoices.list_async({"subscription": plan["subscription_id"], "limit": 1})
    assert invoice.data[0].amount_paid == 799
    assert (await shop.balance("leo"))["balance"] == 200, "the discount changes the price, not the credits"
