"""Stripe's events move orders: paid (credits granted once, with expiry), processing, failed, expired,
promotion codes, and recurring packs granting every period; duplicated and reordered events change nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from plugins.token_packages.config import Expiry
from tests.support.tenants import auth
from tests.token_packages.conftest import Shop


async def grants(shop: Shop, customer: str = "cust-1") -> list[dict[str, Any]]:
    r = await shop.http.get(shop.url(f"/customers/{customer}/balance"), headers=auth(shop.slug))
    return list(r.json()["grants"])


async def test_a_paid_order_grants_its_credits_once_with_six_months_expiry(shop: Shop) -> None:
    order = await shop.order("standard")
    await shop.control.complete_checkout(shop.key, order["checkout_session_id"])
    events = await shop.new_events()
    assert [e["type"] for e in events][-1] == "checkout.session.completed"
    # Every event twice, then again in reverse: one payment, one grant.
    await shop.forward(events + events + list(reversed(events)))

    paid = await shop.get_order(order["id"])
    assert (paid["status"], paid["amount_paid"], paid["credits_granted"], paid["payment_url"]) == (
        "succeeded",
        10000,
        1100,
        None,
    )
    [payment] = paid["payments"]
    paid_at = dt.datetime.fromisoformat(paid["paid_at"])
    expires_at = dt.datetime.fromisoformat(payment["credits_expire_at"])
    assert expires_at == Expiry(months=6).after(paid_at), "six calendar months after the payment"
    assert payment["payment_intent_id"].startswith("pi_")
    [grant] = await grants(shop)
    assert (grant["source"], grant["remaining"]) == ("token_packages.order", 1100)
    assert dt.datetime.fromisoformat(grant["expires_at"]) == expires_at
    assert await shop.balance() == 1100
    [notice] = await shop.notices("order.paid")
    assert (notice["order"], notice["amount"], notice["currency"], notice["credits"]) == (
        order["id"],
        10000,
        "cny",
        1100,
    )


async def test_an_async_payment_is_processing_then_succeeds_or_fails(shop: Shop) -> None:
    good, bad = await shop.order("trial"), await shop.order("value")
    for order in (good, bad):
        await shop.control.complete_checkout(shop.key, order["checkout_session_id"], async_payment="pending")
    await shop.forward()
    assert [(await shop.get_order(o["id"]))["status"] for o in (good, bad)] == ["processing", "processing"]
    assert await shop.balance() == 0

    await shop.control.finish_async_payment(shop.key, good["checkout_session_id"], "succeeded")
    await shop.control.finish_async_payment(shop.key, bad["checkout_session_id"], "failed")
    await shop.forward()
    good, bad = await shop.get_order(good["id"]), await shop.get_order(bad["id"])
    assert (good["status"], good["credits_granted"]) == ("succeeded", 500)
    assert (bad["status"], bad["failure_code"], bad["credits_granted"]) == ("failed", "async_payment_failed", 0)
    assert await shop.balance() == 500
    [failed] = await shop.notices("payment.failed")
    assert (failed["order"], failed["package"]) == (bad["id"], "value")


async def test_a_late_event_never_moves_an_order_back(shop: Shop) -> None:
    order = await shop.order("trial")
    await shop.control.complete_checkout(shop.key, order["checkout_session_id"], async_payment="succeeded")
    events = await shop.new_events()
    types = [e["type"] for e in events]
    assert types.index("checkout.session.completed") < types.index("checkout.session.async_payment_succeeded")
    # The success first, the "unpaid" completion last: still succeeded, granted once.
    await shop.forward(list(reversed(events)))
    assert (await shop.get_order(order["id"]))["status"] == "succeeded"
    assert await shop.balance() == 500


async def test_an_abandoned_checkout_expires(shop: Shop) -> None:
    order = await shop.order("trial")
    await shop.control.expire_checkout(shop.key, order["checkout_session_id"])
    await shop.forward()
    expired = await shop.get_order(order["id"])
    assert (expired["status"], expired["payment_url"], expired["credits_granted"]) == ("expired", None, 0)


async def test_a_promotion_code_named_in_the_order_or_typed_at_checkout(fiko: Shop) -> None:
    coupon = await fiko.stripe.v1.coupons.create_async({"percent_off": 20, "duration": "once"})
    await fiko.stripe.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "FIKO20"}
    )
    named = await fiko.order("tokens-1k", currency="usd", promotion_code="fiko20")
    session = await fiko.stripe.v1.checkout.sessions.retrieve_async(named["checkout_session_id"])
    assert (session.amount_total, bool(session.allow_promotion_codes)) == (400, False)
    await fiko.pay(named)
    named = await fiko.get_order(named["id"])
    assert (named["status"], named["amount"], named["amount_paid"], named["amount_discount"]) == (
        "succeeded",
        500,
        400,
        100,
    )
    assert named["credits_granted"] == 1000, "a discount never cuts the credits"

    typed = await fiko.order("tokens-1k", currency="eur")
    await fiko.pay(typed, promotion_code="FIKO20")
    typed = await fiko.get_order(typed["id"])
    assert (typed["promotion_code"], typed["amount_paid"], typed["amount_discount"]) == (None, 360, 90)
    assert await fiko.balance() == 2000


async def test_a_recurring_pack_grants_every_period_once(fiko: Shop) -> None:
    order = await fiko.order("tokens-100k", currency="usd")
    session = await fiko.stripe.v1.checkout.sessions.retrieve_async(order["checkout_session_id"])
    assert session.mode == "subscription"
    await fiko.control.complete_checkout(fiko.key, order["checkout_session_id"])
    first = await fiko.new_events()
    # invoice.paid comes before checkout.session.completed; both name the same period: one grant.
    await fiko.forward(first + first)
    order = await fiko.get_order(order["id"])
    assert (order["status"], order["interval"], len(order["payments"])) == ("succeeded", "month", 1)
    assert order["subscription_id"].startswith("sub_")
    assert await fiko.balance() == 100_000

    await fiko.control.advance_subscription(fiko.key, order["subscription_id"])
    renewal = await fiko.new_events()
    shuffled = renewal + renewal
    random.Random(7).shuffle(shuffled)
    await fiko.forward(shuffled)
    order = await fiko.get_order(order["id"])
    assert [(p["amount"], p["credits"]) for p in order["payments"]] == [(2000, 100_000), (2000, 100_000)]
    assert order["payments"][0]["invoice_id"] != order["payments"][1]["invoice_id"]
    assert order["payments"][1]["period_start"] == order["payments"][0]["period_end"]
    assert (order["amount_paid"], order["credits_granted"]) == (4000, 200_000)
    assert await fiko.balance() == 200_000
    sources = {g["source"] for g in await grants(fiko)}
    assert sources == {"token_packages.order"}


async def test_a_failed_renewal_tells_the_tenant_app_and_grants_nothing(fiko: Shop) -> None:
    order = await fiko.order("tokens-100k", currency="eur")
    await fiko.pay(order)
    order = await fiko.get_order(order["id"])
    await fiko.control.advance_subscription(fiko.key, order["subscription_id"], "pm_card_chargeCustomerFail")
    await fiko.forward()
    order = await fiko.get_order(order["id"])
    assert (order["status"], len(order["payments"]), await fiko.balance()) == ("succeeded", 1, 100_000)
    [notice] = await fiko.notices("payment.failed")
    assert (notice["order"], notice["subscription"], notice["reason"]) == (
        order["id"],
        order["subscription_id"],
        "invoice_payment_failed",
    )
