"""`GET /admin/metrics` on a scripted February and March 2026 whose every figure is computed by hand below
(docs/metrics.md defines them). Subscriptions in usd, token packages in cny, PAYG in usd.

February: c1 subscribes to basic monthly (1000/month); c6 starts a trial of pro; c5 buys the trial
pack (5000 cny, 500 credits); c6 is granted 100 credits by an admin, expiring 10 March.
March: c2 and c3 subscribe (basic 1000, pro 3000 monthly), c4 takes basic yearly (10000 a year);
c1 upgrades to pro, c3 downgrades to basic, c2 falls past due, c3 schedules its cancel, c1 cancels;
c5 buys the standard pack (10000 cny, 1100 credits), spends 300 and is refunded 2500 cny of its
February payment (a refund of a past period), 100 credits clawed back; c2 buys 300 PAYG credits for
300 usd and starts a second purchase it never pays; c6 spends 30 and its last 70 expire.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import delete, func, select

from core.customers.models import Customer
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.ledger.services import Ledger
from core.notifications.models import Notification
from core.runtime import Runtime
from plugins.payg.models import CreditPurchase
from plugins.subscriptions.lifecycle import Lifecycle
from plugins.subscriptions.models import SubscriptionChange
from plugins.token_packages.models import Order, Payment, Refund
from tests.metrics.conftest import at, move_clock, paid_invoice, stripe_subscription
from tests.support.tenants import auth

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)

MARCH = "since=2026-02-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month"


async def customers(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, UUID]:
    ids = {}
    for name in ("c1", "c2", "c3", "c4", "c5", "c6"):
        r = await client.put(f"/t/alpha/v1/customers/{name}", json={}, headers=auth("alpha"))
        assert r.status_code == 201, r.text
    async with runtime.sessions() as session:
        for row in await session.scalars(select(Customer).where(Customer.tenant_id == "alpha")):
            ids[row.external_id] = row.id
    return ids


async def apply(
    runtime: Runtime, when: dt.datetime, obj: dict[str, Any], invoice: dict[str, Any] | None = None
) -> None:
    """What the subscription's event does once applied: Stripe's state at `when`, its paid invoice."""
    move_clock(when)
    async with session_scope(runtime.sessions) as session:
        lifecycle = Lifecycle(session, runtime.tenants.get("alpha"), runtime)
        row = await lifecycle.apply(obj, observed=when, event_id=f"evt_{obj['id']}_{int(when.timestamp())}")
        assert row is not None
        if invoice is not None:
            await lifecycle.grant_invoice(row, invoice)


async def ledger(runtime: Runtime, when: dt.datetime, move: str, **kwargs: Any) -> None:
    move_clock(when)
    async with session_scope(runtime.sessions) as session:
        book = Ledger(session, runtime.tenants.get("alpha"))
        await getattr(book, move)(**kwargs)


async def token_package(
    runtime: Runtime, ids: dict[str, UUID], when: dt.datetime, ref: str, amount: int, bought: int
) -> Payment:
    """A paid pack as the plugin stores it, and its grant."""
    async with session_scope(runtime.sessions) as session:
        order = Order(
            tenant_id="alpha",
            customer_id=ids["c5"],
            customer="c5",
            package=ref,
            package_name=ref,
            currency="cny",
            amount=amount,
            credits=bought,
            status="succeeded",
            paid_at=when,
            created_at=when,
            updated_at=when,
        )
        session.add(order)
        await session.flush()
        payment = Payment(
            tenant_id="alpha",
            order_id=order.id,
            customer="c5",
            grant_ref=ref,
            amount=amount,
            currency="cny",
            credits=bought,
            paid_at=when,
            created_at=when,
            updated_at=when,
        )
        session.add(payment)
    await ledger(runtime, when, "grant", customer="c5", amount=bought, source="token_packages.order", source_ref=ref)
    return payment


async def history(client: httpx.AsyncClient, runtime: Runtime) -> dict[str, UUID]:
    ids = await customers(client, runtime)
    sub = stripe_subscription
    # February
    c1 = sub("sub_c1", "c1", "price_basic_month", start=at("2026-02-10"))
    await apply(runtime, at("2026-02-10"), c1, paid_invoice("in_c1_feb", 1000, at("2026-02-10")))
    await apply(runtime, at("2026-02-20"), sub("sub_c6", "c6", "price_pro_month", "trialing", start=at("2026-02-20")))
    feb_pack = await token_package(runtime, ids, at("2026-02-15"), "pay-feb", 5000, 500)
    await ledger(
        runtime,
        at("2026-02-20"),
        "grant",
        customer="c6",
        amount=100,
        source="admin",
        source_ref="gift-1",
        expires_at=at("2026-03-10"),
    )
    # March: subscriptions
    c2 = sub("sub_c2", "c2", "price_basic_month", start=at("2026-03-02"))
    await apply(runtime, at("2026-03-02"), c2, paid_invoice("in_c2", 1000, at("2026-03-02")))
    c3 = sub("sub_c3", "c3", "price_pro_month", start=at("2026-03-03"))
    await apply(runtime, at("2026-03-03"), c3, paid_invoice("in_c3", 3000, at("2026-03-03")))
    c4 = sub("sub_c4", "c4", "price_basic_year", start=at("2026-03-04"))
    await apply(runtime, at("2026-03-04"), c4, paid_invoice("in_c4", 10000, at("2026-03-04")))
    c1_pro = sub("sub_c1", "c1", "price_pro_month", start=at("2026-02-10"))
    await apply(runtime, at("2026-03-01"), c1, paid_invoice("in_c1_mar", 1000, at("2026-03-01")))
    await apply(runtime, at("2026-03-10"), c1_pro, paid_invoice("in_c1_proration", 2000, at("2026-03-10")))
    c3_basic = sub("sub_c3", "c3", "price_basic_month", start=at("2026-03-03"))
    await apply(runtime, at("2026-03-12"), c3_basic)
    await apply(runtime, at("2026-03-13"), c3_basic)  # the same state again (a replayed event): no change
    await apply(runtime, at("2026-03-15"), sub("sub_c2", "c2", "price_basic_month", "past_due", start=at("2026-03-02")))
    c3_leaving = sub("sub_c3", "c3", "price_basic_month", start=at("2026-03-03"), cancel_at_period_end=True)
    await apply(runtime, at("2026-03-22"), c3_leaving)
    c1_gone = {**c1_pro, "status": "canceled", "ended_at": int(at("2026-03-25").timestamp())}
    await apply(runtime, at("2026-03-25"), c1_gone)
    # March: credits and packs
    await ledger(runtime, at("2026-03-01"), "spend", customer="c6", amount=30)
    await token_package(runtime, ids, at("2026-03-05"), "pay-mar", 10000, 1100)
    await ledger(runtime, at("2026-03-06"), "spend", customer="c5", amount=300)
    move_clock(at("2026-03-11"))
    async with session_scope(runtime.sessions) as session:
        assert await Ledger(session, runtime.tenants.get("alpha")).settle_due(10) == 1
    async with session_scope(runtime.sessions) as session:
        session.add(
            Refund(
                tenant_id="alpha",
                order_id=feb_pack.order_id,
                payment_id=feb_pack.id,
                customer="c5",
                source="api",
                status="succeeded",
                amount=2500,
                currency="cny",
                policy="clamp",
                succeeded_at=at("2026-03-20"),
                created_at=at("2026-03-20"),
                updated_at=at("2026-03-20"),
            )
        )
    await ledger(runtime, at("2026-03-20"), "clawback", source="token_packages.order", source_ref="pay-feb", amount=100)
    # March: PAYG, one paid and one abandoned
    async with session_scope(runtime.sessions) as session:
        for n, status in ((1, "succeeded"), (2, "pending")):
            when = at("2026-03-08") + dt.timedelta(days=n - 1)
            session.add(
                CreditPurchase(
                    tenant_id="alpha",
                    customer_id=ids["c2"],
                    customer="c2",
                    credits=300,
                    amount=300,
                    currency="usd",
                    status=status,
                    payment_intent_id=f"pi_payg_{n}",
                    paid_at=when if status == "succeeded" else None,
                    created_at=when,
                    updated_at=when,
                )
            )
    await ledger(runtime, at("2026-03-08"), "grant", customer="c2", amount=300, source="payg", source_ref="pi_payg_1")
    # March: Stripe events, two processed (1 s and 3 s after receipt) and one dead
    async with session_scope(runtime.sessions) as session:
        for n, (status, lag) in enumerate((("processed", 1), ("processed", 3), ("dead", None))):
            received = at("2026-03-16") + dt.timedelta(minutes=n)
            session.add(
                WebhookEvent(
                    tenant_id="alpha",
                    stripe_event_id=f"evt_ops_{n}",
                    event_type="invoice.paid",
                    event_created=int(received.timestamp()),
                    payload="{}",
                    status=status,
                    next_attempt_at=received,
                    processed_at=received + dt.timedelta(seconds=lag) if lag else None,
                    created_at=received,
                    updated_at=received,
                )
            )
    return ids


async def metrics(client: httpx.AsyncClient, query: str = MARCH) -> dict[str, Any]:
    r = await client.get(f"/t/alpha/v1/admin/metrics?{query}", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def movements(new: int, expansion: int, contraction: int, churn: int, net: int) -> dict[str, int]:
    return {
        "new": new,
        "expansion": expansion,
        "contraction": contraction,
        "churn": churn,
        "reactivation": 0,
        "net": net,
    }


async def test_a_scripted_february_and_march(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await history(client, runtime)
    found = await metrics(client)
    assert found["currencies"] == ["cny", "usd"]
    assert [b["start"][:10] for b in found["credits"]["series"]] == ["2026-02-01", "2026-03-01"]

    # Subscriptions (usd). Run rates a year: basic 12000, pro 36000, basic yearly 10000.
    feb, mar = found["subscriptions"]["usd"]["series"]
    assert (feb["mrr"], feb["arr"], feb["past_due_mrr"], feb["active"]) == (1000, 12000, 0, 1)
    assert feb["movements"] == movements(1000, 0, 0, 0, 1000)
    assert (feb["new"], feb["canceled"], feb["subscribers_by_tier"]) == (1, 0, {"basic": 1}), "the trial is left out"
    # New: c2 12000 + c3 36000 + c4 10000 = 58000 a year, 4833 a month; c1's upgrade +24000 (2000),
    # c3's downgrade -24000 (2000), c1's cancel -36000 (3000); net 22000 a year, 1833 a month.
    assert mar["movements"] == movements(4833, 2000, 2000, 3000, 1833)
    # At the end: active c3 basic 12000 + c4 yearly 10000 = 22000 (MRR 1833); c2 past due 12000 (1000).
    assert (mar["mrr"], mar["arr"], mar["past_due_mrr"], mar["active"]) == (1833, 22000, 1000, 3)
    assert (mar["new"], mar["reactivated"], mar["canceled"]) == (3, 0, 1)
    assert mar["churn_rate"] == {"numerator": 1, "denominator": 1, "basis_points": 10000}
    assert mar["subscribers_by_tier"] == {"basic": 3}
    totals = found["subscriptions"]["usd"]["totals"]
    assert (totals["mrr"], totals["new"], totals["canceled"]) == (1833, 4, 1)
    assert totals["movements"] == movements(5833, 2000, 2000, 3000, 2833)
    assert totals["churn_rate"] == {"numerator": 1, "denominator": 0, "basis_points": None}, "none active at the start"

    # Revenue. usd in March: invoices 1000 (c1 renewal) + 2000 (c1 proration) + 1000 + 3000 + 10000 and
    # PAYG 300: 17300 from 6 payments by 4 customers.
    feb, mar = found["revenue"]["usd"]["series"]
    assert (feb["gross"], feb["orders"], feb["paying_customers"], feb["arpu"]) == (1000, 1, 1, 1000)
    assert mar["gross_by_stream"] == {"payg": 300, "subscriptions": 17000}
    assert (mar["gross"], mar["refunds"], mar["net"], mar["orders"]) == (17300, 0, 17300, 6)
    assert (mar["average_order_value"], mar["paying_customers"], mar["arpu"]) == (2883, 4, 4325)
    usd = found["revenue"]["usd"]["totals"]
    assert (usd["gross"], usd["orders"], usd["paying_customers"], usd["arpu"]) == (18300, 7, 4, 4575)
    # cny: the February pack 5000, the March pack 10000; February's refund of 2500 counts in March.
    feb, mar = found["revenue"]["cny"]["series"]
    assert (feb["gross"], feb["refunds"], feb["net"]) == (5000, 0, 5000)
    assert (mar["gross"], mar["refunds"], mar["net"], mar["average_order_value"], mar["arpu"]) == (
        10000,
        2500,
        7500,
        10000,
        7500,
    )

    # Credits. February: 500 (pack) + 100 (admin) granted, 600 outstanding. March: 1100 (pack) + 300
    # (PAYG) granted; 30 + 300 spent; 70 expired; 100 clawed back: 600 + 1400 - 330 - 70 - 100 = 1500.
    feb, mar = found["credits"]["series"]
    assert (feb["granted"], feb["granted_by_source"], feb["outstanding"]) == (
        600,
        {"admin": 100, "token_packages.order": 500},
        600,
    )
    assert (mar["granted"], mar["consumed"], mar["expired"], mar["clawed_back"], mar["outstanding"]) == (
        1400,
        330,
        70,
        100,
        1500,
    )
    assert mar["granted_by_source"] == {"payg": 300, "token_packages.order": 1100}
    assert (feb["granted_by_plugin"], mar["granted_by_plugin"]) == (
        {"core.ledger": 100, "token_packages": 500},
        {"payg": 300, "token_packages": 1100},
    )
    # Unspent prepaid: pay-feb 100 of 500 credits for 5000 (1000), pay-mar 1100 for 10000; PAYG 300 for 300.
    assert found["credits"]["prepaid_value"] == {"cny": 11000, "usd": 300}

    # Operations in March: 3 events (2 processed, 1 dead; lags 1 s and 3 s); checkouts: the March pack
    # (paid) and two PAYG purchases (one paid).
    ops = found["operations"]["series"][1]
    assert (ops["events_received"], ops["events_processed"], ops["events_dead"]) == (3, 2, 1)
    assert (ops["lag_p50_ms"], ops["lag_p95_ms"]) == (1000, 3000)
    assert (ops["checkouts_started"], ops["checkouts_completed"]) == (3, 2)
    async with runtime.sessions() as session:
        notices = await session.scalar(
            select(func.count()).where(Notification.tenant_id == "alpha", Notification.created_at >= at("2026-03-01"))
        )
    assert ops["notifications"] == notices


async def test_weeks_and_days_cut_the_same_history(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await history(client, runtime)
    march = "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z"
    weekly = await metrics(client, f"{march}&interval=week&currency=usd")
    assert weekly["currencies"] == ["usd"]
    buckets = weekly["revenue"]["usd"]["series"]
    # ISO weeks from Monday; 1 March 2026 is a Sunday, so the first week is cut to that one day.
    assert [(b["start"][:10], b["end"][:10]) for b in buckets] == [
        ("2026-03-01", "2026-03-02"),
        ("2026-03-02", "2026-03-09"),
        ("2026-03-09", "2026-03-16"),
        ("2026-03-16", "2026-03-23"),
        ("2026-03-23", "2026-03-30"),
        ("2026-03-30", "2026-04-01"),
    ]
    # c1's renewal on the 1st; c2, c3, c4 and PAYG in the week of the 2nd; c1's proration on the 10th.
    assert [b["gross"] for b in buckets] == [1000, 14300, 2000, 0, 0, 0]
    assert weekly["revenue"]["usd"]["totals"]["gross"] == 17300
    assert "cny" not in weekly["revenue"] and weekly["credits"]["prepaid_value"] == {"usd": 300}
    mrr = [b["mrr"] for b in weekly["subscriptions"]["usd"]["series"]]
    # 1000 (c1); +c2, c3, c4 (58000 a year); c1 up, c3 down, c2 past due; c3's cancel is scheduled; c1 gone.
    assert mrr == [1000, 5833, 4833, 4833, 1833, 1833]

    daily = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-03-04T00:00:00Z&interval=day")
    assert [b["outstanding"] for b in daily["credits"]["series"]] == [570, 570, 570], "c6 spent 30 on the 1st"
    assert [b["new"] for b in daily["subscriptions"]["usd"]["series"]] == [0, 1, 1]


async def test_history_is_one_row_per_change_and_past_figures_stay(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await history(client, runtime)
    async with runtime.sessions() as session:
        rows = (
            await session.execute(
                select(SubscriptionChange.subscription, SubscriptionChange.kind)
                .where(SubscriptionChange.tenant_id == "alpha")
                .order_by(SubscriptionChange.occurred_at)
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("sub_c1", "new"),
        ("sub_c6", "trial_started"),
        ("sub_c2", "new"),
        ("sub_c3", "new"),
        ("sub_c4", "new"),
        ("sub_c1", "expansion"),
        ("sub_c3", "contraction"),
        ("sub_c2", "past_due"),
        ("sub_c3", "cancel_scheduled"),
        ("sub_c1", "churn"),
    ]
    before = await metrics(client, "since=2026-02-01T00:00:00Z&until=2026-03-01T00:00:00Z")
    # Today's state changes (c4 is canceled in April): February's figures do not.
    gone = {**stripe_subscription("sub_c4", "c4", "price_basic_year", "canceled", start=at("2026-03-04"))}
    await apply(runtime, at("2026-04-02"), gone)
    assert await metrics(client, "since=2026-02-01T00:00:00Z&until=2026-03-01T00:00:00Z") == before


async def test_windows_are_validated(client: httpx.AsyncClient) -> None:
    r = await client.get(
        "/t/alpha/v1/admin/metrics?since=2026-03-01T00:00:00Z&until=2026-03-01T00:00:00Z",
        headers=auth("alpha", "admin"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_window")
    r = await client.get(
        "/t/alpha/v1/admin/metrics?since=2020-01-01T00:00:00Z&until=2026-03-01T00:00:00Z&interval=day",
        headers=auth("alpha", "admin"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_window")
    assert r.json()["error"]["detail"] == {"max_buckets": 400}
    r = await client.get("/t/alpha/v1/admin/metrics?interval=year", headers=auth("alpha", "admin"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error")
    r = await client.get("/t/alpha/v1/admin/metrics", headers=auth("alpha"))
    assert r.status_code == 403, "admin only"
    r = await client.get("/t/alpha/v1/admin/metrics", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    assert len(r.json()["credits"]["series"]) == 12, "twelve months by default"


async def test_a_subscription_stored_before_the_history_is_backfilled_when_next_applied(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await customers(client, runtime)
    c1 = stripe_subscription("sub_c1", "c1", "price_basic_month", start=at("2026-02-10"))
    await apply(runtime, at("2026-02-10"), c1)
    async with session_scope(runtime.sessions) as session:
        await session.execute(delete(SubscriptionChange).where(SubscriptionChange.tenant_id == "alpha"))

    await apply(runtime, at("2026-03-10"), {**c1, "status": "canceled"})

    async with runtime.sessions() as session:
        rows = (
            await session.execute(
                select(
                    SubscriptionChange.kind,
                    SubscriptionChange.occurred_at,
                    SubscriptionChange.arr_after,
                    SubscriptionChange.backfilled,
                )
                .where(SubscriptionChange.tenant_id == "alpha")
                .order_by(SubscriptionChange.occurred_at)
            )
        ).all()
    # Started when the row was stored (the clock then, a few milliseconds after noon), at today's price.
    assert [(kind, when.date(), arr, backfilled) for kind, when, arr, backfilled in rows] == [
        ("new", at("2026-02-10").date(), 12000, True),
        ("churn", at("2026-03-10").date(), 0, False),
    ]


async def test_a_customer_back_after_a_churn_is_a_reactivation(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await customers(client, runtime)
    first = stripe_subscription("sub_first", "c1", "price_basic_month", start=at("2026-03-02"))
    await apply(runtime, at("2026-03-02"), first)
    await apply(runtime, at("2026-03-09"), {**first, "status": "canceled"})
    again = stripe_subscription("sub_again", "c1", "price_pro_month", start=at("2026-03-16"))
    await apply(runtime, at("2026-03-16"), again)

    march = (await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z"))["subscriptions"]["usd"]
    [bucket] = march["series"]
    assert bucket["movements"] == {**movements(1000, 0, 0, 1000, 3000), "reactivation": 3000}
    assert (bucket["new"], bucket["reactivated"], bucket["canceled"], bucket["mrr"]) == (1, 1, 1, 3000)
    assert bucket["churn_rate"]["denominator"] == 0, "none was active when March began"


async def test_disputes_adjustments_ignored_events_and_deliveries(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ids = await customers(client, runtime)
    march = at("2026-03-10")
    paid = await token_package(runtime, ids, at("2026-03-05"), "pay-disputed", 10000, 1100)
    async with session_scope(runtime.sessions) as session:
        row = await session.get(Payment, paid.id)
        assert row is not None
        row.dispute_status, row.dispute_amount, row.updated_at = "lost", 4000, march
        session.add(
            Order(
                tenant_id="alpha",
                customer_id=ids["c5"],
                customer="c5",
                package="abandoned",
                package_name="abandoned",
                currency="cny",
                amount=5000,
                credits=500,
                status="pending",
                created_at=march,
                updated_at=march,
            )
        )
        for n, status in enumerate(("delivered", "delivered", "dead")):
            session.add(
                Notification(
                    tenant_id="alpha",
                    event_type="credits.granted",
                    status=status,
                    next_attempt_at=march,
                    data={},
                    created_at=march + dt.timedelta(minutes=n),
                    updated_at=march,
                )
            )
        session.add(
            WebhookEvent(
                tenant_id="alpha",
                stripe_event_id="evt_nobody",
                event_type="customer.created",
                event_created=int(march.timestamp()),
                payload="{}",
                status="ignored",
                next_attempt_at=march,
                created_at=march,
                updated_at=march,
            )
        )
    await ledger(runtime, at("2026-03-12"), "adjust", customer="c5", amount=-40, reason="a correction")
    await ledger(runtime, at("2026-03-13"), "adjust", customer="c5", amount=25, reason="a goodwill top-up")

    found = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z")
    cny = found["revenue"]["cny"]["totals"]
    assert (cny["gross"], cny["refunds"], cny["disputes"], cny["net"]) == (10000, 0, 4000, 6000)
    credit = found["credits"]["totals"]
    assert (credit["granted"], credit["adjusted"], credit["outstanding"]) == (1125, 40, 1085)
    assert credit["granted_by_source"] == {"adjustment": 25, "token_packages.order": 1100}
    ops = found["operations"]["totals"]
    assert (ops["events_received"], ops["events_ignored"], ops["lag_p50_ms"]) == (1, 1, None)
    assert (ops["notifications"], ops["notifications_delivered"]) == (3, 2)
    assert ops["notification_success"] == {"numerator": 2, "denominator": 3, "basis_points": 6666}
    assert ops["checkout_conversion"] == {"numerator": 1, "denominator": 2, "basis_points": 5000}
