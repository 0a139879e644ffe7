"""Disputes: the disputed credits are held back when a chargeback opens, restored when it is won, and
stay gone (or become debt under `allow_negative`) when it is lost; in any order, any number of times.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.tenants import auth
from tests.token_packages.conftest import Shop


async def open_dispute(shop: Shop, order: dict[str, Any], **kwargs: Any) -> str:
    opened = await shop.control.dispute(shop.key, payment_intent=order["payments"][0]["payment_intent_id"], **kwargs)
    return str(opened["dispute"]["id"])


async def debt(shop: Shop) -> int:
    r = await shop.http.get(shop.url("/customers/cust-1/balance"), headers=auth("alpha"))
    return int(r.json()["debt"])


async def test_a_won_dispute_gives_the_held_credits_back(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    dispute = await open_dispute(shop, order)
    await shop.forward()
    held = await shop.get_order(order["id"])
    assert held["payments"][0]["dispute"] == {
        "id": dispute,
        "status": "needs_response",
        "amount": 10000,
        "currency": "cny",
        "credits": 1100,
        "credits_held": 800,
        "credits_restored": 0,
        "credits_clawed_back": 0,
    }
    assert (held["status"], await shop.balance()) == ("succeeded", 0)
    r = await shop.refund(order["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (409, "payment_disputed")

    await shop.control.close_dispute(shop.key, dispute, "won")
    events = await shop.new_events()
    await shop.forward(events + events)
    won = await shop.get_order(order["id"])
    assert (won["payments"][0]["dispute"]["status"], won["payments"][0]["dispute"]["credits_restored"]) == ("won", 800)
    assert (won["status"], won["credits_clawed_back"], await shop.balance()) == ("succeeded", 0, 800)
    # Once won, the money is the shop's again and may be refunded.
    r = await shop.refund(order["id"], {"amount": 1000})
    assert (r.status_code, r.json().get("credits_clawed_back")) == (201, 110), r.text


async def test_a_lost_dispute_keeps_the_credits_and_writes_off_what_was_spent(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    dispute = await open_dispute(shop, order)
    await shop.control.close_dispute(shop.key, dispute, "lost")
    events = await shop.new_events()
    # The closing event first, then everything again: held once, closed once.
    closing = [e for e in events if e["type"] == "charge.dispute.closed"]
    await shop.forward(closing + events + events)
    lost = await shop.get_order(order["id"])
    assert lost["payments"][0]["dispute"]["status"] == "lost"
    assert lost["payments"][0]["dispute"]["credits_held"] == 800
    assert (lost["status"], lost["credits_clawed_back"]) == ("refunded", 800)
    assert (await shop.balance(), await debt(shop)) == (0, 0)


@pytest.mark.parametrize("creditshop_config", [{"refund_policy": "allow_negative"}], indirect=True)
async def test_a_lost_dispute_under_allow_negative_takes_the_spent_credits_as_debt(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    dispute = await open_dispute(shop, order)
    await shop.forward()
    assert await debt(shop) == 0, "an open dispute never makes debt: it may be won"
    await shop.control.close_dispute(shop.key, dispute, "lost")
    await shop.forward()
    lost = (await shop.get_order(order["id"]))["payments"][0]["dispute"]
    assert (lost["credits_held"], lost["credits_clawed_back"]) == (800, 300)
    assert await debt(shop) == 300


async def test_a_partial_dispute_holds_its_share(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.refund(order["id"], {"amount": 2000})
    await open_dispute(shop, order, amount=5000)
    await shop.forward()
    dispute = (await shop.get_order(order["id"]))["payments"][0]["dispute"]
    # 20.00 refunded owed 220; with 50.00 more disputed, 770 in all: 550 held.
    assert (dispute["credits"], dispute["credits_held"]) == (550, 550)
    assert await shop.balance() == 330
