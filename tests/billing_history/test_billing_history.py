"""The customer's billing history end to end: Stripe (the emulator) sends signed webhooks to the live app, and
`GET /customers/{id}/invoices` and `/payments` answer from Tollgate's tables."""

from __future__ import annotations

from typing import Any

import httpx
import stripe
from sqlalchemy import delete, select, update

from core.db import session_scope
from core.runtime import Runtime
from plugins.payg.models import CreditPurchase
from plugins.subscriptions.models import SubscriptionInvoice, SubscriptionReversal
from plugins.subscriptions.reconcile import reconcile_tenant
from plugins.token_packages.models import Payment
from tests.billing_history.conftest import Shop, create_customer
from tests.support.tenants import auth, user_auth

MINUTE = 60


async def later(shop: Shop, seconds: int = MINUTE) -> None:
    """Stripe's clock (and ours with it) moves on, so each step of the story has its own time."""
    await shop.emulator.control.aio.advance_clock(shop.key, seconds=seconds)
    await shop.settle()


def sdk(shop: Shop) -> stripe.StripeClient:
    return shop.emulator.stripe_client(shop.key)


async def intent_of(shop: Shop, invoice_id: str) -> str:
    [payment] = (await sdk(shop).v1.invoice_payments.list_async({"invoice": invoice_id})).data
    return str(payment.to_dict()["payment"]["payment_intent"])


async def receipt_of(shop: Shop, intent_id: str) -> str:
    """The receipt URL of the charge that took a PaymentIntent, as Stripe (the emulator) holds it."""
    intent = await sdk(shop).v1.payment_intents.retrieve_async(intent_id, {"expand": ["latest_charge"]})
    return str(intent.to_dict()["latest_charge"]["receipt_url"])


async def history(shop: Shop, customer: str, what: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list route, page by page (`limit` per page)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = await shop.call("GET", shop.path(customer, f"/{what}"), params=query)
        items += page["data"]
        if not page["has_more"]:
            return items
        cursor = page["next_cursor"]


async def story(shop: Shop) -> dict[str, Any]:
    """Ana subscribes, buys a token package and PAYG credits, gets part of her first invoice back, renews,
    and disputes the renewal (lost)."""
    await create_customer(shop.http, "ana")
    sub = await shop.subscribe("ana", "basic")
    await later(shop)
    order = await shop.call(
        "POST",
        shop.path("ana", "/orders"),
        201,
        json={"package": "standard", "currency": "usd", "success_url": "https://app.example/ok"},
    )
    await shop.emulator.control.aio.complete_checkout(shop.key, order["checkout_session_id"])
    await later(shop)
    purchase = await shop.call(
        "POST", shop.path("ana", "/credit-purchases"), 201, json={"credits": 300, "currency": "usd"}
    )
    await sdk(shop).v1.payment_intents.confirm_async(
        purchase["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    await later(shop)
    [first] = await history(shop, "ana", "invoices")
    refund = await sdk(shop).v1.refunds.create_async(
        {"payment_intent": await intent_of(shop, first["id"]), "amount": 300}
    )
    await later(shop)
    renewed = await shop.renew(sub["subscription_id"])
    await later(shop)
    renewal = str(renewed["invoice"]["id"] if isinstance(renewed["invoice"], dict) else renewed["invoice"])
    opened = await shop.emulator.control.aio.dispute(shop.key, payment_intent=await intent_of(shop, renewal))
    await shop.settle()
    await later(shop)
    await shop.emulator.control.aio.close_dispute(shop.key, opened["dispute"]["id"], "lost")
    await shop.settle()
    return {
        "order": order,
        "purchase": purchase,
        "first": first["id"],
        "renewal": renewal,
        "refund": refund.id,
        "dispute": opened["dispute"]["id"],
        "subscription": sub["subscription_id"],
    }


async def test_the_payments_timeline_lists_every_step_newest_first(shop: Shop) -> None:
    made = await story(shop)
    payments = await history(shop, "ana", "payments")
    seen = [(p["kind"], p["source"], p["amount"], p["currency"], p["status"], p["reference"]) for p in payments]
    assert seen == [
        ("dispute", "subscriptions", 999, "usd", "lost", made["renewal"]),
        ("payment", "subscriptions", 999, "usd", "succeeded", made["renewal"]),
        ("refund", "subscriptions", 300, "usd", "succeeded", made["first"]),
        ("payment", "payg", 300, "usd", "succeeded", made["purchase"]["id"]),
        ("payment", "token_packages", 1500, "usd", "succeeded", made["order"]["id"]),
        ("payment", "subscriptions", 999, "usd", "succeeded", made["first"]),
    ]
    assert [p["id"] for p in payments][:3] == [made["dispute"], made["renewal"], made["refund"]]
    times = [p["occurred_at"] for p in payments]
    assert times == sorted(times, reverse=True)
    receipts = {p["id"]: p["receipt_url"] for p in payments if p["source"] == "subscriptions"}
    assert all(receipts.values()), receipts
    async with httpx.AsyncClient() as web:
        receipt = await web.get(receipts[made["first"]])
    assert receipt.status_code == 200
    assert "refunded" in receipt.text

    # One item per page: the same timeline, each cursor continuing after the last.
    assert await history(shop, "ana", "payments", limit=1) == payments
    r = await shop.http.get(shop.path("ana", "/payments"), params={"cursor": "bm9wZQ"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_token_package_and_payg_items_carry_their_charges_receipts(shop: Shop) -> None:
    made = await story(shop)
    order_path = shop.path("ana", f"/orders/{made['order']['id']}")
    [paid] = (await shop.call("GET", order_path))["payments"]
    refund_path = f"/t/alpha/v1/orders/{made['order']['id']}/refund"
    await shop.call("POST", refund_path, 201, json={"amount": 500}, headers=auth("alpha", "admin"))
    await shop.settle()
    pack = await receipt_of(shop, paid["payment_intent_id"])
    payg = await receipt_of(shop, made["purchase"]["payment_intent_id"])
    assert pack.startswith("http") and payg.startswith("http") and pack != payg
    payments = await history(shop, "ana", "payments")
    receipts = [
        (p["kind"], p["source"], p["amount"], p["receipt_url"]) for p in payments if p["source"] != "subscriptions"
    ]
    # A refund shows on the receipt of the charge it gives back.
    assert receipts == [
        ("refund", "token_packages", 500, pack),
        ("payment", "payg", 300, payg),
        ("payment", "token_packages", 1500, pack),
    ]
    async with httpx.AsyncClient() as web:
        page = await web.get(pack)
    assert page.status_code == 200
    assert "refunded" in page.text


async def test_invoices_list_the_subscription_invoices_with_their_pages(shop: Shop) -> None:
    made = await story(shop)
    invoices = await history(shop, "ana", "invoices")
    assert [(i["id"], i["status"], i["amount_due"], i["amount_paid"], i["amount_remaining"]) for i in invoices] == [
        (made["renewal"], "paid", 999, 999, 0),
        (made["first"], "paid", 999, 999, 0),
    ]
    first = invoices[1]
    assert first["number"] and first["currency"] == "usd"
    assert first["period_start"] < first["period_end"] <= invoices[0]["period_end"]
    assert first["paid_at"] and first["receipt_url"]
    async with httpx.AsyncClient() as web:
        page = await web.get(first["hosted_invoice_url"])
        pdf = await web.get(first["invoice_pdf"])
    assert page.status_code == 200
    assert (pdf.status_code, pdf.headers["content-type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    assert await history(shop, "ana", "invoices", limit=1) == invoices


async def test_invoices_of_one_second_are_listed_by_number(shop: Shop, runtime: Runtime) -> None:
    """Stripe's `created` is in seconds: an upgrade right after a first payment gives two invoices of one
    second, and the later number is the newer one, on one page or across pages."""
    made = await story(shop)
    async with session_scope(runtime.sessions) as session:
        first = await session.scalar(
            select(SubscriptionInvoice).where(SubscriptionInvoice.stripe_invoice_id == made["first"])
        )
        assert first is not None
        # The newer invoice's id also sorts first, so that an order by id alone would list it last.
        await session.execute(
            update(SubscriptionInvoice)
            .where(SubscriptionInvoice.stripe_invoice_id == made["renewal"])
            .values(invoiced_at=first.invoiced_at, stripe_invoice_id="in_0000000000renewal")
        )
    invoices = await history(shop, "ana", "invoices")
    assert [i["id"] for i in invoices] == ["in_0000000000renewal", made["first"]]
    assert invoices[0]["number"] > invoices[1]["number"]
    assert await history(shop, "ana", "invoices", limit=1) == invoices


async def test_an_unpaid_renewal_is_listed_open_then_paid(shop: Shop) -> None:
    await create_customer(shop.http, "bo")
    sub = await shop.subscribe("bo", "basic")
    await later(shop)
    failed = await shop.renew(sub["subscription_id"], "pm_card_chargeDeclined")
    invoice_id = str(failed["invoice"]["id"] if isinstance(failed["invoice"], dict) else failed["invoice"])
    [renewal, _] = await history(shop, "bo", "invoices")
    assert (renewal["id"], renewal["status"], renewal["amount_remaining"], renewal["paid_at"]) == (
        invoice_id,
        "open",
        999,
        None,
    )
    assert [p["kind"] for p in await history(shop, "bo", "payments")] == ["payment"]
    await shop.emulator.control.aio.pay_invoice(shop.key, invoice_id, "pm_card_visa")
    await shop.settle()
    [renewal, _] = await history(shop, "bo", "invoices")
    assert (renewal["status"], renewal["amount_paid"], renewal["amount_remaining"]) == ("paid", 999, 0)


async def test_the_reconcile_backfills_a_customer_whose_events_were_missed(shop: Shop, runtime: Runtime) -> None:
    made = await story(shop)
    before = await history(shop, "ana", "payments")
    async with session_scope(runtime.sessions) as session:
        await session.execute(delete(SubscriptionReversal))
        await session.execute(delete(SubscriptionInvoice))
    assert [p["source"] for p in await history(shop, "ana", "payments")] == ["payg", "token_packages"]

    await reconcile_tenant(runtime, runtime.tenants.get("alpha"))
    after = await history(shop, "ana", "payments")
    strip = [{k: v for k, v in p.items() if k != "occurred_at"} for p in after]
    assert strip == [{k: v for k, v in p.items() if k != "occurred_at"} for p in before]
    assert [i["id"] for i in await history(shop, "ana", "invoices")] == [made["renewal"], made["first"]]


async def test_end_users_read_their_own_history_only(shop: Shop) -> None:
    await create_customer(shop.http, "ana")
    await create_customer(shop.http, "bo")
    await shop.subscribe("ana", "basic")
    for what in ("invoices", "payments"):
        own = await shop.call("GET", shop.path("ana", f"/{what}"), headers=user_auth("alpha", "ana"))
        assert len(own["data"]) == 1
        other = await shop.http.get(shop.path("bo", f"/{what}"), headers=user_auth("alpha", "ana"))
        assert other.status_code == 404, other.text
        admin = await shop.call("GET", shop.path("ana", f"/{what}"), headers=auth("alpha", "admin"))
        assert admin == own
        bo = await shop.call("GET", shop.path("bo", f"/{what}"))
        assert bo["data"] == []
        # Another tenant's keys reach another tenant's customers only: beta has no `ana`.
        elsewhere = await shop.http.get(f"/t/beta/v1/customers/ana/{what}", headers=auth("beta"))
        assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (404, "customer_not_found")
        missing = await shop.http.get(shop.path("ghost", f"/{what}"), headers=auth("alpha"))
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "customer_not_found")


async def test_export_and_erasure_cover_the_billing_history(shop: Shop) -> None:
    made = await story(shop)
    export = await shop.call("GET", shop.path("ana", "/export"), headers=auth("alpha", "admin"))
    tables = export["tables"]
    assert {row["stripe_invoice_id"] for row in tables["subscription_invoices"]} == {made["first"], made["renewal"]}
    assert {row["stripe_id"] for row in tables["subscription_reversals"]} == {made["refund"], made["dispute"]}
    [pack] = tables["token_package_payments"]
    [bought] = tables["payg_credit_purchases"]
    assert pack["receipt_url"] == await receipt_of(shop, pack["payment_intent_id"])
    assert bought["receipt_url"] == await receipt_of(shop, made["purchase"]["payment_intent_id"])

    # Ended first and settled: `?cancel=true` would have Stripe's webhooks race the erasure's transaction.
    await sdk(shop).v1.subscriptions.cancel_async(made["subscription"])
    await shop.settle()
    await shop.call("DELETE", shop.path("ana"), headers=auth("alpha", "admin"))
    async with session_scope(shop.runtime.sessions) as session:
        rows = (await session.scalars(select(SubscriptionInvoice))).all()
        backs = (await session.scalars(select(SubscriptionReversal))).all()
        packs = (await session.scalars(select(Payment))).all()
        purchases = (await session.scalars(select(CreditPurchase))).all()
    assert rows and all(r.hosted_invoice_url is None and r.invoice_pdf is None for r in rows)
    assert packs and purchases
    assert all(r.receipt_url is None for r in [*rows, *backs, *packs, *purchases])
    assert [(p.amount, bool(p.charge_id)) for p in [*packs, *purchases]] == [(1500, True), (300, True)]
    assert sorted(r.amount_paid for r in rows) == [999, 999], "money is kept"
