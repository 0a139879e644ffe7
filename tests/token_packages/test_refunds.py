"""Refunds: full and partial, rounding, each policy for spent credits, refunds made in Stripe's dashboard,
Stripe refusing or not answering, and no refund ever made or counted twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from core import clock
from plugins.token_packages.clawbacks import credits_owed, worth_of
from plugins.token_packages.models import Refund
from plugins.token_packages.tasks import RESUME_TASK, resume_refunds
from tests.support.tenants import auth, user_auth
from tests.token_packages.conftest import Shop


async def refund_rows(shop: Shop) -> list[tuple[str, str, int, int]]:
    async with shop.runtime.sessions() as session:
        rows = (await session.execute(select(Refund).order_by(Refund.created_at))).scalars().all()
        return [(r.source, r.status, r.amount, r.credits_clawed_back) for r in rows]


async def debt(shop: Shop) -> int:
    r = await shop.http.get(shop.url("/customers/cust-1/balance"), headers=auth("alpha"))
    return int(r.json()["debt"])


@given(
    paid=st.integers(1, 10**7),
    granted=st.integers(1, 10**6),
    cuts=st.lists(st.integers(1, 10**6), min_size=1, max_size=8),
)
def test_partial_refunds_owe_exactly_what_one_refund_of_their_sum_would(
    paid: int, granted: int, cuts: list[int]
) -> None:
    refunded = owed = 0
    for cut in cuts:
        amount = min(cut, paid - refunded)
        if amount <= 0:
            break
        owed += credits_owed(paid, granted, refunded, owed, amount)
        refunded += amount
    assert owed == granted * refunded // paid
    assert owed <= granted
    if refunded == paid:
        assert owed == granted, "a full refund owes every credit"


def test_unspent_only_refunds_the_worth_of_the_unspent_credits_rounded_down() -> None:
    # 100.00 yuan bought 1,100 credits; 800 are left: they are worth 72.727..., so 72.72 is refunded.
    assert worth_of(10000, 1100, 0, 0, 800) == 7272
    assert credits_owed(10000, 1100, 0, 0, 7272) == 799, "the plain rule would leave one credit behind"


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_full_refund_claws_back_every_credit_and_is_made_once(shop: Shop) -> None:
    order = await shop.buy("standard")
    r = await shop.refund(order["id"], {"reason": "Customer request"})
    assert r.status_code == 201, r.text
    refund = r.json()
    assert {k: refund[k] for k in ("status", "source", "amount", "currency", "credits", "credits_clawed_back")} == {
        "status": "succeeded",
        "source": "api",
        "amount": 10000,
        "currency": "cny",
        "credits": 1100,
        "credits_clawed_back": 1100,
    }
    assert (refund["credits_from_grant"], refund["credits_from_balance"], refund["credits_as_debt"]) == (1100, 0, 0)
    assert await shop.balance() == 0
    refunded = await shop.get_order(order["id"])
    assert (refunded["status"], refunded["amount_refunded"], refunded["credits_clawed_back"]) == (
        "refunded",
        10000,
        1100,
    )

    [made] = await shop.stripe_refunds(order)
    assert (made.id, made.amount, made.metadata["tollgate_refund"]) == (refund["stripe_refund_id"], 10000, refund["id"])
    created = (await shop.stripe.v1.events.list_async({"type": "refund.created"})).data
    assert [e.request.idempotency_key for e in created] == [f"tollgate:refund:{refund['id']}"]

    # A double submit answers the first refund; there is nothing left for another.
    again = await shop.refund(order["id"], {"reason": "Customer request"})
    assert (again.status_code, again.json()["id"]) == (200, refund["id"])
    more = await shop.refund(order["id"], {"amount": 1})
    assert (more.status_code, more.json()["error"]["code"]) == (409, "nothing_to_refund")
    # Stripe's own events about the refund (twice) do not count it again.
    events = await shop.new_events()
    await shop.forward(events + events)
    assert await refund_rows(shop) == [("api", "succeeded", 10000, 1100)]
    assert await shop.balance() == 0
    assert len(await shop.stripe_refunds(order)) == 1
    [notice] = await shop.notices("order.refunded")
    assert (notice["refund"], notice["status"], notice["credits_clawed_back"]) == (refund["id"], "refunded", 1100)


async def test_partial_refunds_round_down_and_add_up_to_every_credit(shop: Shop) -> None:
    order = await shop.buy("standard")
    first = await shop.refund(order["id"], {"amount": 3333}, key="r-1")
    second = await shop.refund(order["id"], {"amount": 3333}, key="r-2")
    assert [first.json()["credits"], second.json()["credits"]] == [366, 367], "floor on the running total"
    assert (await shop.get_order(order["id"]))["status"] == "partially_refunded"
    replay = await shop.refund(order["id"], {"amount": 3333}, key="r-2")
    assert (replay.status_code, replay.json()["id"]) == (200, second.json()["id"])
    reused = await shop.refund(order["id"], {"amount": 10}, key="r-2")
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "idempotency_key_reused")
    too_much = await shop.refund(order["id"], {"amount": 3335})
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (400, "amount_exceeds_refundable")
    assert too_much.json()["error"]["detail"] == {"refundable": 3334, "requested": 3335}
    rest = await shop.refund(order["id"])
    assert (rest.json()["amount"], rest.json()["credits"]) == (3334, 367)
    assert await shop.balance() == 0
    order = await shop.get_order(order["id"])
    assert (order["status"], order["amount_refunded"], order["credits_clawed_back"]) == ("refunded", 10000, 1100)
    assert sum(r.amount for r in await shop.stripe_refunds(order)) == 10000


async def test_refuse_is_the_default_and_refunds_nothing_once_credits_are_spent(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    r = await shop.refund(order["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "credits_already_spent")
    assert r.json()["error"]["detail"] == {
        "policy": "refuse",
        "credits_owed": 1100,
        "credits_unspent": 800,
        "max_amount_unspent": 7272,
    }
    assert await shop.stripe_refunds(order) == []
    assert await refund_rows(shop) == []
    # Within what is left unspent, a refund goes through: 50.00 yuan owes 550 credits.
    half = await shop.refund(order["id"], {"amount": 5000})
    assert (half.status_code, half.json()["credits_clawed_back"]) == (201, 550)
    assert await shop.balance() == 250


async def test_allow_negative_takes_spent_credits_from_the_balance_then_as_debt(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.buy("trial")
    await shop.spend(1300)  # the order's grant and part of the trial's (earliest expiry first)
    balance = await shop.balance()
    r = await shop.refund(order["id"], {"policy": "allow_negative"})
    assert r.status_code == 201, r.text
    refund = r.json()
    assert refund["credits_clawed_back"] == 1100
    from_grant, from_balance = refund["credits_from_grant"], refund["credits_from_balance"]
    assert from_grant + from_balance + refund["credits_as_debt"] == 1100
    assert from_balance == balance - from_grant, "every other credit goes first"
    assert (await debt(shop), refund["credits_as_debt"]) == (1100 - balance, 1100 - balance)
    assert (await shop.get_order(order["id"]))["status"] == "refunded"


async def test_unspent_only_refunds_the_unspent_part_of_the_money(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    r = await shop.refund(order["id"], {"policy": "unspent_only", "reason": "left the service"})
    assert r.status_code == 201, r.text
    refund = r.json()
    assert (refund["requested_amount"], refund["amount"], refund["credits"], refund["credits_clawed_back"]) == (
        None,
        7272,
        800,
        800,
    )
    assert await shop.balance() == 0
    [made] = await shop.stripe_refunds(order)
    assert made.amount == 7272
    assert (await shop.get_order(order["id"]))["status"] == "partially_refunded"
    # Everything unspent came back: nothing more can be refunded under this policy.
    r = await shop.refund(order["id"], {"policy": "unspent_only", "amount": 2728})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "credits_already_spent")


@pytest.mark.parametrize("creditshop_config", [{"refund_policy": "unspent_only"}], indirect=True)
async def test_the_tenants_policy_is_the_default(shop: Shop) -> None:
    order = await shop.buy("trial")
    await shop.spend(100)
    r = await shop.refund(order["id"])
    assert (r.status_code, r.json()["policy"], r.json()["amount"], r.json()["credits"]) == (
        201,
        "unspent_only",
        4000,
        400,
    )


async def test_a_refund_made_in_stripes_dashboard_claws_back_the_same_way(shop: Shop) -> None:
    order = await shop.buy("standard")
    intent = order["payments"][0]["payment_intent_id"]
    await shop.stripe.v1.refunds.create_async({"payment_intent": intent, "amount": 5000})
    await shop.forward()
    order = await shop.get_order(order["id"])
    [outside] = order["refunds"]
    assert (outside["source"], outside["amount"], outside["credits_clawed_back"], outside["reason"]) == (
        "stripe",
        5000,
        550,
        "refunded in Stripe",
    )
    assert (order["status"], await shop.balance()) == ("partially_refunded", 550)

    # The rest through the API: its own charge.refunded lists both refunds; each is counted once.
    rest = await shop.refund(order["id"])
    assert (rest.json()["amount"], rest.json()["credits"]) == (5000, 550)
    events = await shop.new_events()
    await shop.forward(events + list(reversed(events)))
    assert await refund_rows(shop) == [("stripe", "succeeded", 5000, 550), ("api", "succeeded", 5000, 550)]
    assert (await shop.get_order(order["id"]))["status"] == "refunded"
    assert await shop.balance() == 0


async def test_who_may_refund_and_what(shop: Shop) -> None:
    order = await shop.buy("trial")
    for headers in (auth("alpha"), user_auth("alpha", "cust-1")):
        r = await shop.http.post(shop.url(f"/orders/{order['id']}/refund"), json={}, headers=headers)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "insufficient_scope")
    unpaid = await shop.order("value")
    r = await shop.refund(unpaid["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "order_not_paid")
    r = await shop.refund("0190b8f0-0000-7000-8000-000000000000")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    r = await shop.refund(order["id"], {"amount": 0})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error")
    r = await shop.refund(order["id"], {"payment": "nope"})
    assert (r.status_code, r.json()["error"]["code"]) == (404, "payment_not_found")
    r = await shop.refund(order["id"], {"amount": 5001})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "amount_exceeds_refundable")
    assert await refund_rows(shop) == []
    assert await shop.balance() == 500


async def test_stripe_refusing_the_refund_moves_nothing(shop: Shop) -> None:
    order = await shop.buy("trial")
    # A chargeback Tollgate has not heard of yet: Stripe refuses to refund a disputed charge.
    await shop.control.dispute(shop.key, payment_intent=order["payments"][0]["payment_intent_id"])
    r = await shop.refund(order["id"], key="k-1")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "refund_rejected")
    assert r.json()["error"]["detail"]["stripe_code"] == "charge_disputed"
    again = await shop.refund(order["id"], key="k-1")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "refund_rejected")
    assert await refund_rows(shop) == [("api", "failed", 5000, 0)]
    assert await shop.balance() == 500


async def test_a_refund_stripe_did_not_answer_is_finished_by_the_same_request(shop: Shop) -> None:
    order = await shop.buy("trial")
    await shop.control.fail_next(shop.key, 2, status=500, path_prefix="/v1/refunds")
    r = await shop.refund(order["id"], {"amount": 1000})
    assert (r.status_code, r.json()["error"]["code"]) == (502, "stripe_error")
    pending = r.json()["error"]["detail"]["refund"]
    assert await refund_rows(shop) == [("api", "pending", 1000, 0)]
    # Another amount waits for this one; the same request finishes it.
    other = await shop.refund(order["id"], {"amount": 2000})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "refund_in_progress")
    r = await shop.refund(order["id"], {"amount": 1000})
    assert (r.status_code, r.json()["id"], r.json()["status"]) == (200, pending, "succeeded")
    assert [x.amount for x in await shop.stripe_refunds(order)] == [1000]
    assert await shop.balance() == 400


async def test_a_refund_whose_answer_was_lost_is_finished_by_stripes_event(shop: Shop) -> None:
    order = await shop.buy("trial")
    await shop.control.fail_next(shop.key, 2, status=500, when="after", path_prefix="/v1/refunds")
    r = await shop.refund(order["id"])
    assert r.status_code == 502
    assert len(await shop.stripe_refunds(order)) == 1, "Stripe made it once despite the retry"
    await shop.forward()
    assert await refund_rows(shop) == [("api", "succeeded", 5000, 500)]
    assert (await shop.get_order(order["id"]))["status"] == "refunded"
    assert await shop.balance() == 0


async def test_the_resume_task_finishes_refunds_left_pending(shop: Shop, runtime: Any) -> None:
    assert RESUME_TASK in runtime.jobs.tasks
    assert RESUME_TASK in {s.task_name for s in runtime.jobs.schedules}
    order = await shop.buy("trial")
    await shop.control.fail_next(shop.key, 2, status=503, path_prefix="/v1/refunds")
    assert (await shop.refund(order["id"])).status_code == 502
    assert await resume_refunds(runtime) == 0, "a young pending refund may still be in its request"
    clock.advance(dt.timedelta(minutes=6))
    assert await resume_refunds(runtime) == 1
    assert await resume_refunds(runtime) == 0
    assert await refund_rows(shop) == [("api", "succeeded", 5000, 500)]
    assert len(await shop.stripe_refunds(order)) == 1
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Refund)) == 1


async def test_concurrent_requests_make_one_refund(shop: Shop) -> None:
    order = await shop.buy("standard")
    answers = await asyncio.gather(*(shop.refund(order["id"], {"reason": "double click"}) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(await shop.stripe_refunds(order)) == 1
    assert await refund_rows(shop) == [("api", "succeeded", 10000, 1100)]
    assert await shop.balance() == 0


async def test_a_recurring_pack_refunds_its_latest_period_or_the_one_named(fiko: Shop) -> None:
    order = await fiko.order("tokens-100k", currency="usd")
    await fiko.pay(order)
    order = await fiko.get_order(order["id"])
    await fiko.control.advance_subscription(fiko.key, order["subscription_id"])
    await fiko.forward()
    first, latest = (await fiko.get_order(order["id"]))["payments"]
    r = await fiko.refund(order["id"], {"amount": 1000})
    assert (r.status_code, r.json()["payment_id"], r.json()["credits"]) == (201, latest["id"], 50_000)
    r = await fiko.refund(order["id"], {"payment": first["id"]})
    assert (r.status_code, r.json()["payment_id"], r.json()["amount"]) == (201, first["id"], 2000)
    order = await fiko.get_order(order["id"])
    assert (order["status"], order["amount_refunded"], order["credits_clawed_back"]) == (
        "partially_refunded",
        3000,
        150_000,
    )
    assert await fiko.balance() == 50_000
