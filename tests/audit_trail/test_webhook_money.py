"""Money Stripe's events move is audited once per outcome, by the inbox's task: a refund made in Stripe's
dashboard, a dispute opened and closed. Replayed events, and the event of a refund asked through the API
(audited when asked), write nothing more. A money audit's repair and an operator's backfill, which store missing events,
are audited as their caller's (the scheduled backfill is not)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock
from core.inbox.backfill import backfill_due
from core.inbox.services import PROCESS_TASK
from tests.support.stripe_tenants import alpha_key, beta_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import auth
from tests.token_packages.conftest import (  # noqa: F401 - the creditshop fixtures
    Shop,
    creditshop_config,
    shop,
    tenant_secrets,
    tenants_config,
)

TASK = f"system:{PROCESS_TASK}"


async def trail(shop: Shop) -> list[dict[str, Any]]:
    """The tenant's audit records, oldest first."""
    r = await shop.http.get(shop.url("/admin/audit"), headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return list(reversed(r.json()["data"]))


async def test_a_refund_made_in_stripe_is_audited_once_by_the_task(shop: Shop) -> None:
    order = await shop.buy("standard")
    before = len(await trail(shop))
    intent = order["payments"][0]["payment_intent_id"]
    await shop.stripe.v1.refunds.create_async({"payment_intent": intent, "amount": 5000})
    events = await shop.new_events()
    await shop.forward(events + events)
    [refund] = (await shop.get_order(order["id"]))["refunds"]
    [record] = (await trail(shop))[before:]
    assert (record["action"], record["principal"], record["target"]) == (
        "token_packages.refund",
        TASK,
        f"order:{order['id']}",
    )
    assert record["after"] == {
        "refund": refund["id"],
        "stripe_refund": refund["stripe_refund_id"],
        "amount": 5000,
        "currency": "cny",
        "credits_clawed_back": 550,
        "source": "stripe",
    }
    assert record["source_ip"] is None  # a task's; its request id is the delivery's that queued it


async def test_an_api_refund_is_not_audited_again_when_its_event_comes(shop: Shop) -> None:
    order = await shop.buy("standard")
    before = len(await trail(shop))
    r = await shop.refund(order["id"], {"amount": 2000})
    assert r.status_code == 201, r.text
    await shop.forward()
    assert [x["principal"] for x in (await trail(shop))[before:]] == ["alpha-admin"]


async def test_a_dispute_is_audited_when_it_opens_and_when_it_closes(shop: Shop) -> None:
    order = await shop.buy("standard")
    await shop.spend(300)
    before = len(await trail(shop))
    payment = order["payments"][0]
    opened = await shop.control.dispute(shop.key, payment_intent=payment["payment_intent_id"])
    dispute = str(opened["dispute"]["id"])
    events = await shop.new_events()
    await shop.forward(events + events)
    await shop.control.close_dispute(shop.key, dispute, "won")
    closing = await shop.new_events()
    await shop.forward(closing + events + closing)

    opening, closed = (await trail(shop))[before:]
    ids = {"dispute": dispute, "payment": payment["id"], "currency": "cny"}
    assert (opening["action"], opening["principal"], opening["target"]) == (
        "token_packages.dispute.open",
        TASK,
        f"order:{order['id']}",
    )
    assert opening["after"] == ids | {"amount": 10000, "credits": 1100, "credits_held": 800}
    assert (closed["action"], closed["principal"]) == ("token_packages.dispute.close", TASK)
    assert closed["before"] == {"status": "needs_response", "credits_held": 800}
    assert closed["after"] == ids | {"status": "won", "credits_restored": 800, "credits_clawed_back": 0}


async def test_a_money_audit_repair_is_audited_once_as_its_caller(shop: Shop) -> None:
    order = await shop.order("standard")
    await shop.control.complete_checkout(shop.key, order["checkout_session_id"])
    [paid] = [e for e in await shop.new_events() if e["type"] == "checkout.session.completed"]  # never delivered
    before = len(await trail(shop))
    now = clock.now()
    body = {"since": (now - dt.timedelta(days=1)).isoformat(), "until": (now + dt.timedelta(minutes=5)).isoformat()}
    runs = []
    for _ in range(2):  # the second run finds the event applied: nothing to store, nothing to record
        r = await shop.http.post(
            shop.url("/admin/money-audits"), json=body | {"repair": True}, headers=auth("alpha", "admin")
        )
        assert r.status_code == 201, r.text
        runs.append(r.json()["id"])
    assert await shop.balance() == 1100
    [record] = (await trail(shop))[before:]
    assert (record["action"], record["principal"], record["target"]) == (
        "money_audit.repair",
        "alpha-admin",
        f"money_audit_run:{runs[0]}",
    )
    assert record["after"] == {"events": [paid["id"]]}


async def test_an_operators_backfill_is_audited_and_the_schedules_is_not(shop: Shop) -> None:
    before = len(await trail(shop))
    assert await backfill_due(shop.runtime) == 2
    r = await shop.http.post(shop.url("/admin/stripe/backfill"), headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    [record] = (await trail(shop))[before:]
    assert (record["action"], record["principal"], record["target"]) == (
        "stripe_backfill.run",
        "alpha-admin",
        "tenant:alpha",
    )
