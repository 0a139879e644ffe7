"""Billing flows end to end through the SDK and the helpers: checkout (both modes, async
payments, declines, expiry), subscriptions (trials, plan changes with prorations,
cancellation, renewals, dunning), payments, refunds, disputes and dashboard changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import stripe

from stripe_emulator.control import EmulatorControl, EmulatorError
from stripe_emulator.pytest_plugin import EmulatorHandle
from stripe_emulator.tests.receiver import WebhookReceiver

DAY = 86400


@dataclass
class Shop:
    key: str
    client: stripe.StripeClient
    control: EmulatorControl
    product: stripe.Product
    monthly: stripe.Price
    premium: stripe.Price
    yearly: stripe.Price
    pack: stripe.Price

    def events(self, *types: str) -> list[Any]:
        """Events oldest first, optionally only these types."""
        params: dict[str, Any] = {"limit": 100}
        if types:
            params["types"] = list(types)
        return list(reversed(self.client.v1.events.list(params=params).data))

    def types(self, *types: str) -> list[str]:
        return [e.type for e in self.events(*types)]

    def subscribe(self, price: stripe.Price | None = None, **session: Any) -> Any:
        created = self.client.v1.checkout.sessions.create(params={
            "mode": "subscription",
            "line_items": [{"price": (price or self.monthly).id, "quantity": 1}],
            "success_url": "https://app.example/ok?session={CHECKOUT_SESSION_ID}",
            "customer_email": "ann@example.com",
            **session,
        })
        self.control.complete_checkout(self.key, created.id)
        done = self.client.v1.checkout.sessions.retrieve(created.id)
        return self.client.v1.subscriptions.retrieve(done.subscription)


def _shop(handle: EmulatorHandle, key: str) -> Shop:
    client = handle.stripe_client(key)
    product = client.v1.products.create(params={"name": "Premium"})

    def price(amount: int, interval: str | None) -> stripe.Price:
        params: dict[str, Any] = {"product": product.id, "currency": "usd", "unit_amount": amount}
        if interval:
            params["recurring"] = {"interval": interval}
        return client.v1.prices.create(params=params)  # type: ignore[arg-type]

    return Shop(key, client, handle.control, product, price(2000, "month"),
                price(5000, "month"), price(20000, "year"), price(999, None))


@pytest.fixture
def shop(stripe_emulator: EmulatorHandle, stripe_account: str) -> Shop:
    return _shop(stripe_emulator, stripe_account)


@pytest.fixture
def hooked_shop(stripe_emulator: EmulatorHandle, hooked_account: str) -> Shop:
    return _shop(stripe_emulator, hooked_account)


# ---------------------------------------------------------------- checkout


def test_subscription_checkout_delivers_stripes_events_in_order(
    hooked_shop: Shop, receiver: WebhookReceiver
) -> None:
    shop = hooked_shop
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "subscription",
        "line_items": [{"price": shop.monthly.id, "quantity": 1}],
        "success_url": "https://app.example/ok?session={CHECKOUT_SESSION_ID}",
        "customer_email": "ann@example.com",
        "client_reference_id": "user-7",
        "subscription_data": {"metadata": {"tenant": "imagegen", "user": "user-7"}},
    })
    assert session.url.endswith(f"/_emulator/pay/{session.id}")
    done = shop.control.complete_checkout(shop.key, session.id, "pm_card_visa")
    assert done["redirect_url"] == f"https://app.example/ok?session={session.id}"
    settled = shop.control.settle(shop.key)
    assert settled["settled"] is True
    assert settled["failed"] == 0
    flow = [t for t in receiver.types() if not t.startswith(("product.", "price."))]
    assert flow == [
        "customer.created",
        "payment_method.attached",
        "customer.subscription.created",
        "invoice.created",
        "invoice.finalized",
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "invoice.paid",
        "invoice.payment_succeeded",
        "customer.subscription.updated",
        "checkout.session.completed",
    ]
    assert not receiver.rejected
    assert receiver.deliveries[0].content_type.startswith("application/json")
    by_type = {e["type"]: e for e in receiver.accepted()}
    created = by_type["customer.subscription.created"]["data"]["object"]
    assert created["status"] == "incomplete"
    assert created["metadata"] == {"tenant": "imagegen", "user": "user-7"}
    updated = by_type["customer.subscription.updated"]["data"]
    assert updated["previous_attributes"] == {"status": "incomplete"}
    assert updated["object"]["status"] == "active"
    completed = by_type["checkout.session.completed"]["data"]["object"]
    assert completed["client_reference_id"] == "user-7"
    assert completed["subscription"] == created["id"]
    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    paid = by_type["invoice.paid"]["data"]["object"]
    assert paid["parent"]["subscription_details"]["subscription"] == created["id"]
    assert paid["parent"]["subscription_details"]["metadata"] == created["metadata"]
    assert paid["billing_reason"] == "subscription_create"
    assert (paid["amount_paid"], paid["amount_remaining"]) == (2000, 0)
    item = created["items"]["data"][0]
    line = paid["lines"]["data"][0]
    assert line["period"] == {"start": item["current_period_start"],
                              "end": item["current_period_end"]}
    assert line["parent"]["subscription_item_details"]["subscription_item"] == item["id"]
    # Every delivered event is also in the events API, with pending_webhooks settled.
    stored = shop.client.v1.events.retrieve(by_type["invoice.paid"]["id"])
    assert stored.pending_webhooks == 0


def test_payment_checkout_with_promotion_code_on_the_page(shop: Shop) -> None:
    coupon = shop.client.v1.coupons.create(params={"amount_off": 500, "currency": "usd",
                                                   "duration": "once"})
    shop.client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "WELCOME5"}
    )
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment",
        "line_items": [{"price": shop.pack.id, "quantity": 2}],
        "allow_promotion_codes": True,
        "payment_intent_data": {"metadata": {"order": "ord_1"}},
        "metadata": {"order": "ord_1"},
        "success_url": "https://app.example/ok",
    })
    assert (session.amount_subtotal, session.amount_total) == (1998, 1998)
    shop.control.complete_checkout(shop.key, session.id, promotion_code="welcome5",
                                   email="bob@example.com")
    done = shop.client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (done.amount_subtotal, done.amount_total) == (1998, 1498)
    assert done.total_details.amount_discount == 500
    assert done.payment_status == "paid"
    assert done.customer is None  # customer_creation=if_required: Stripe makes none
    assert done.customer_details.email == "bob@example.com"
    intent = done.payment_intent
    assert (intent.status, intent.amount, intent.metadata["order"]) == ("succeeded", 1498, "ord_1")
    assert shop.client.v1.promotion_codes.list(params={"code": "WELCOME5"}).data[0].times_redeemed == 1
    assert shop.types("payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
                      "checkout.session.completed", "customer.created") == [
        "payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    items = shop.client.v1.checkout.sessions.line_items.list(session.id).data
    assert [(i.amount_subtotal, i.amount_discount, i.amount_total) for i in items] == [
        (1998, 500, 1498)
    ]


def test_discounts_param_and_allow_promotion_codes_conflict(shop: Shop) -> None:
    coupon = shop.client.v1.coupons.create(params={"percent_off": 10})
    with pytest.raises(stripe.InvalidRequestError):
        shop.client.v1.checkout.sessions.create(params={
            "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
            "allow_promotion_codes": True, "discounts": [{"coupon": coupon.id}],
        })
    with pytest.raises(stripe.InvalidRequestError) as info:
        shop.client.v1.checkout.sessions.create(params={
            "mode": "payment", "line_items": [{"price": shop.monthly.id, "quantity": 1}],
        })
    assert info.value.param == "line_items"


@pytest.mark.parametrize("outcome", ["succeeded", "failed"])
def test_async_payment_checkout(shop: Shop, outcome: str) -> None:
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
        "customer_creation": "always", "customer_email": "carl@example.com",
    })
    pending = shop.control.complete_checkout(shop.key, session.id, async_payment="pending")
    assert pending["checkout_session"]["payment_status"] == "unpaid"
    assert pending["checkout_session"]["status"] == "complete"
    assert pending["checkout_session"]["customer"].startswith("cus_")
    intent = shop.client.v1.payment_intents.retrieve(pending["checkout_session"]["payment_intent"])
    assert intent.status == "processing"
    shop.control.finish_async_payment(shop.key, session.id, outcome)
    done = shop.client.v1.checkout.sessions.retrieve(session.id)
    expected_status = "paid" if outcome == "succeeded" else "unpaid"
    assert done.payment_status == expected_status
    flow = shop.types("checkout.session.completed", f"checkout.session.async_payment_{outcome}",
                      "payment_intent.processing", "payment_intent.succeeded",
                      "payment_intent.payment_failed")
    final = "payment_intent.succeeded" if outcome == "succeeded" else "payment_intent.payment_failed"
    assert flow == ["payment_intent.processing", "checkout.session.completed", final,
                    f"checkout.session.async_payment_{outcome}"]


def test_async_payment_in_one_call(shop: Shop) -> None:
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
    })
    shop.control.complete_checkout(shop.key, session.id, async_payment="failed")
    assert shop.types("checkout.session.completed", "checkout.session.async_payment_failed") == [
        "checkout.session.completed", "checkout.session.async_payment_failed",
    ]


def test_declined_card_at_checkout_keeps_the_session_open(shop: Shop) -> None:
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "subscription", "line_items": [{"price": shop.monthly.id, "quantity": 1}],
    })
    with pytest.raises(EmulatorError) as info:
        shop.control.complete_checkout(shop.key, session.id, "pm_card_chargeDeclined")
    assert info.value.status == 402
    assert info.value.error["code"] == "card_declined"
    assert shop.client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert shop.client.v1.subscriptions.list().data == []
    shop.control.complete_checkout(shop.key, session.id, "pm_card_visa")
    assert shop.client.v1.checkout.sessions.retrieve(session.id).status == "complete"

    payment = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
    })
    with pytest.raises(EmulatorError):
        shop.control.complete_checkout(shop.key, payment.id, "pm_card_chargeDeclinedInsufficientFunds")
    failed = shop.events("payment_intent.payment_failed")[-1]
    assert failed.data.object.last_payment_error.decline_code == "insufficient_funds"


def test_expiring_sessions(shop: Shop) -> None:
    first = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
    })
    expired = shop.client.v1.checkout.sessions.expire(first.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError):
        shop.client.v1.checkout.sessions.expire(first.id)
    second = shop.client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": shop.pack.id, "quantity": 1}],
    })
    shop.control.expire_checkout(shop.key, second.id)
    with pytest.raises(EmulatorError):
        shop.control.complete_checkout(shop.key, second.id)
    assert shop.types("checkout.session.expired") == ["checkout.session.expired"] * 2


def test_hosted_checkout_page_redirects_to_success_url(
    stripe_emulator: EmulatorHandle, shop: Shop
) -> None:
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "subscription", "line_items": [{"price": shop.monthly.id, "quantity": 1}],
        "success_url": "https://app.example/ok?cs={CHECKOUT_SESSION_ID}",
    })
    page = httpx.get(session.url)
    assert page.status_code == 200
    assert "pm_card_visa" in page.text
    paid = httpx.post(session.url, data={"payment_method": "pm_card_visa",
                                         "email": "dee@example.com"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://app.example/ok?cs={session.id}"
    sub = shop.client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["customer"]})
    assert sub.customer.email == "dee@example.com"


def test_billing_portal_session_and_page(shop: Shop) -> None:
    sub = shop.subscribe()
    portal = shop.client.v1.billing_portal.sessions.create(
        params={"customer": sub.customer, "return_url": "https://app.example/account"}
    )
    assert portal.url.endswith(f"/_emulator/portal/{portal.id}")
    assert portal.return_url == "https://app.example/account"
    page = httpx.get(portal.url)
    assert page.status_code == 200
    assert "Cancel at period end" in page.text
    httpx.post(portal.url, data={"subscription": sub.id, "action": "cancel_at_period_end"})
    assert shop.client.v1.subscriptions.retrieve(sub.id).cancel_at_period_end is True


# ---------------------------------------------------------------- subscriptions


def _period(sub: Any) -> tuple[int, int]:
    item = sub["items"].data[0]
    return item.current_period_start, item.current_period_end


def test_upgrade_with_always_invoice_charges_the_prorated_difference(shop: Shop) -> None:
    sub = shop.subscribe()
    start, end = _period(sub)
    halfway = start + (end - start) // 2
    shop.control.advance_clock(shop.key, to=halfway)
    item = sub["items"].data[0]
    upgraded = shop.client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": item.id, "price": shop.premium.id}],
        "proration_behavior": "always_invoice",
        "proration_date": halfway,
        "expand": ["latest_invoice"],
    })
    assert _period(upgraded) == (start, end)  # same cycle
    invoice = upgraded.latest_invoice
    assert invoice.billing_reason == "subscription_update"
    remaining, total = end - halfway, end - start
    credit = -((2000 * remaining * 2 + total) // (2 * total))
    debit = (5000 * remaining * 2 + total) // (2 * total)
    assert [line.amount for line in invoice.lines.data] == [credit, debit]
    assert all(line.parent.subscription_item_details.proration for line in invoice.lines.data)
    assert invoice.lines.data[0].description.startswith("Unused time on 1 × Premium")
    assert (invoice.amount_due, invoice.status) == (credit + debit, "paid")
    assert upgraded["items"].data[0].price.id == shop.premium.id
    updated = shop.events("customer.subscription.updated")[-1]
    assert updated.data.previous_attributes["items"]["data"][0]["price"]["id"] == shop.monthly.id


def test_create_prorations_wait_for_the_next_invoice(shop: Shop) -> None:
    sub = shop.subscribe()
    start, end = _period(sub)
    shop.control.advance_clock(shop.key, to=start + 10 * DAY)
    shop.client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": shop.premium.id}],
    })
    pending = shop.client.v1.invoice_items.list(params={"customer": sub.customer, "pending": True})
    assert len(pending.data) == 2
    assert sum(i.amount for i in pending.data) > 0
    renewed = shop.control.advance_subscription(shop.key, sub.id)
    invoice = renewed["invoice"]
    assert invoice["billing_reason"] == "subscription_cycle"
    amounts = [line["amount"] for line in invoice["lines"]["data"]]
    assert amounts[0] == 5000
    assert sum(amounts[1:]) == sum(i.amount for i in pending.data)
    assert invoice["amount_paid"] == sum(amounts)
    assert shop.client.v1.invoice_items.list(params={"customer": sub.customer,
                                                     "pending": True}).data == []


def test_downgrade_leaves_credit_on_the_customer_balance(shop: Shop) -> None:
    sub = shop.subscribe(shop.premium)
    shop.client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": shop.monthly.id}],
        "proration_behavior": "always_invoice",
    })
    invoice = shop.client.v1.invoices.retrieve(
        shop.client.v1.subscriptions.retrieve(sub.id).latest_invoice
    )
    assert invoice.total < 0
    assert (invoice.amount_due, invoice.status) == (0, "paid")
    assert shop.client.v1.customers.retrieve(sub.customer).balance == invoice.total
    renewal = shop.control.advance_subscription(shop.key, sub.id)["invoice"]
    assert renewal["starting_balance"] == invoice.total
    assert renewal["amount_due"] == max(0, 2000 + invoice.total)


def test_interval_change_resets_the_billing_cycle(shop: Shop) -> None:
    sub = shop.subscribe()
    shop.control.advance_clock(shop.key, seconds=5 * DAY)
    changed = shop.client.v1.subscriptions.update(sub.id, params={
        "items": [{"id": sub["items"].data[0].id, "price": shop.yearly.id}],
        "expand": ["latest_invoice"],
    })
    start, end = _period(changed)
    assert start == shop.control.account(shop.key)["now"]
    assert end - start in (365 * DAY, 366 * DAY)
    lines = changed.latest_invoice.lines.data
    assert lines[0].amount == 20000
    assert lines[1].amount < 0  # credit for the unused month
    assert changed.latest_invoice.status == "paid"


def test_cancel_at_period_end_then_the_period_ends(shop: Shop) -> None:
    sub = shop.subscribe()
    _, end = _period(sub)
    updated = shop.client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert (updated.cancel_at_period_end, updated.cancel_at, updated.status) == (True, end, "active")
    event = shop.events("customer.subscription.updated")[-1]
    assert event.data.previous_attributes["cancel_at_period_end"] is False
    result = shop.control.advance_subscription(shop.key, sub.id)
    assert result["invoice"] is None
    ended = shop.client.v1.subscriptions.retrieve(sub.id)
    assert (ended.status, ended.ended_at) == ("canceled", end)
    assert ended.cancellation_details.reason == "cancellation_requested"
    assert shop.types("customer.subscription.deleted") == ["customer.subscription.deleted"]


def test_cancel_now_and_listing_by_status(shop: Shop) -> None:
    sub = shop.subscribe()
    canceled = shop.client.v1.subscriptions.cancel(
        sub.id, params={"cancellation_details": {"comment": "too pricey"}}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_details.comment == "too pricey"
    assert shop.client.v1.subscriptions.list(params={"customer": sub.customer}).data == []
    every = shop.client.v1.subscriptions.list(params={"customer": sub.customer, "status": "all"})
    assert [s.id for s in every.data] == [sub.id]
    with pytest.raises(stripe.InvalidRequestError):
        shop.client.v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})


def test_renewal_moves_item_periods_and_bills_the_new_period(shop: Shop) -> None:
    sub = shop.subscribe()
    start, end = _period(sub)
    result = shop.control.advance_subscription(shop.key, sub.id)
    renewed = shop.client.v1.subscriptions.retrieve(sub.id)
    new_start, new_end = _period(renewed)
    assert new_start == end
    assert 28 * DAY <= new_end - new_start <= 31 * DAY
    invoice = shop.client.v1.invoices.retrieve(result["invoice"]["id"])
    assert (invoice.status, invoice.billing_reason, invoice.amount_paid) == (
        "paid", "subscription_cycle", 2000)
    # Stripe's quirk: the invoice period is the one that ended; the line has the new one.
    assert (invoice.period_start, invoice.period_end) == (start, end)
    assert (invoice.lines.data[0].period.start, invoice.lines.data[0].period.end) == (
        new_start, new_end)
    assert renewed.latest_invoice == invoice.id
    updated = shop.events("customer.subscription.updated")[-1]
    assert updated.data.previous_attributes["items"]["data"][0]["current_period_end"] == end
    assert shop.types()[-8:] == [
        "customer.subscription.updated", "invoice.created", "invoice.finalized",
        "payment_intent.created", "charge.succeeded", "payment_intent.succeeded",
        "invoice.paid", "invoice.payment_succeeded",
    ]
    listed = shop.client.v1.invoices.list(params={"subscription": sub.id})
    assert [i.billing_reason for i in listed.data] == ["subscription_cycle", "subscription_create"]


def test_failed_renewal_goes_past_due_then_recovers(shop: Shop) -> None:
    sub = shop.subscribe()
    result = shop.control.advance_subscription(shop.key, sub.id,
                                               payment_method="pm_card_chargeCustomerFail")
    invoice = result["invoice"]
    assert invoice["status"] == "open"
    assert invoice["attempt_count"] == 1
    assert invoice["next_payment_attempt"] > invoice["created"]
    assert result["subscription"]["status"] == "past_due"
    assert shop.client.v1.customers.retrieve(sub.customer).delinquent is True
    tail = shop.types("payment_intent.payment_failed", "invoice.payment_failed",
                      "customer.subscription.updated", "customer.updated")[-4:]
    assert tail == ["payment_intent.payment_failed", "invoice.payment_failed",
                    "customer.updated", "customer.subscription.updated"]
    paid = shop.control.pay_invoice(shop.key, invoice["id"], "pm_card_visa")["invoice"]
    assert (paid["status"], paid["attempt_count"]) == ("paid", 2)
    assert shop.client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert shop.client.v1.customers.retrieve(sub.customer).delinquent is False
    recovered = shop.events("customer.subscription.updated")[-1]
    assert recovered.data.previous_attributes.to_dict() == {"status": "past_due"}


def test_dunning_gives_up_after_the_configured_attempts(stripe_emulator: EmulatorHandle) -> None:
    key = stripe_emulator.control.create_account(
        dunning={"max_attempts": 2, "final_action": "canceled"}
    )["api_key"]
    shop = _shop(stripe_emulator, key)
    sub = shop.subscribe()
    invoice = shop.control.advance_subscription(shop.key, sub.id, "pm_card_chargeDeclined")["invoice"]
    with pytest.raises(EmulatorError) as info:
        shop.control.pay_invoice(shop.key, invoice["id"], "pm_card_chargeDeclined")
    assert info.value.status == 402
    ended = shop.client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled"
    assert ended.cancellation_details.reason == "payment_failed"
    assert shop.client.v1.invoices.retrieve(invoice["id"]).next_payment_attempt is None


def test_trial_then_first_paid_invoice(shop: Shop) -> None:
    session = shop.client.v1.checkout.sessions.create(params={
        "mode": "subscription", "line_items": [{"price": shop.monthly.id, "quantity": 1}],
        "subscription_data": {"trial_period_days": 14},
    })
    assert session.amount_total == 0
    shop.control.complete_checkout(shop.key, session.id)
    done = shop.client.v1.checkout.sessions.retrieve(session.id)
    assert done.payment_status == "no_payment_required"
    sub = shop.client.v1.subscriptions.retrieve(done.subscription, params={"expand": ["latest_invoice"]})
    assert sub.status == "trialing"
    assert sub.trial_end - sub.trial_start == 14 * DAY
    assert _period(sub) == (sub.trial_start, sub.trial_end)
    assert (sub.latest_invoice.amount_due, sub.latest_invoice.status) == (0, "paid")
    shop.control.trial_will_end(shop.key, sub.id)
    assert shop.types("customer.subscription.trial_will_end") == [
        "customer.subscription.trial_will_end"]
    result = shop.control.advance_subscription(shop.key, sub.id)
    assert result["subscription"]["status"] == "active"
    assert (result["invoice"]["amount_paid"], result["invoice"]["billing_reason"]) == (
        2000, "subscription_cycle")
    trial_over = shop.events("customer.subscription.updated")[-1]
    assert trial_over.data.previous_attributes["status"] == "trialing"


def test_api_subscription_incomplete_then_confirmed(shop: Shop) -> None:
    customer = shop.client.v1.customers.create(params={"email": "eve@example.com"})
    sub = shop.client.v1.subscriptions.create(params={
        "customer": customer.id, "items": [{"price": shop.monthly.id}],
        "payment_behavior": "default_incomplete",
        "expand": ["latest_invoice.confirmation_secret"],
    })
    assert sub.status == "incomplete"
    secret = sub.latest_invoice.confirmation_secret.client_secret
    intent_id = secret.split("_secret_")[0]
    intent = shop.client.v1.payment_intents.confirm(intent_id, params={"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"
    assert shop.client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert shop.client.v1.invoices.retrieve(sub.latest_invoice.id).status == "paid"
    created = shop.events("customer.subscription.created")[-1]
    assert created.data.object.status == "incomplete"


def test_api_subscription_created_active_is_announced_before_its_invoice(shop: Shop) -> None:
    customer = shop.client.v1.customers.create(params={
        "payment_method": "pm_card_visa",
        "invoice_settings": {"default_payment_method": "pm_card_visa"},
    })
    sub = shop.client.v1.subscriptions.create(params={
        "customer": customer.id, "items": [{"price": shop.monthly.id, "quantity": 2}],
        "metadata": {"tenant": "fiko"},
    })
    assert sub.status == "active"
    types = shop.types()
    assert types.index("customer.subscription.created") < types.index("invoice.created")
    assert "customer.subscription.updated" not in types
    created = shop.events("customer.subscription.created")[0]
    assert created.data.object.status == "active"
    assert shop.client.v1.invoices.retrieve(sub.latest_invoice).amount_paid == 4000


def test_incomplete_subscription_expires(shop: Shop) -> None:
    customer = shop.client.v1.customers.create(params={
        "payment_method": "pm_card_chargeCustomerFail",
        "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"},
    })
    sub = shop.client.v1.subscriptions.create(params={
        "customer": customer.id, "items": [{"price": shop.monthly.id}],
    })
    assert sub.status == "incomplete"
    invoice = shop.client.v1.invoices.retrieve(sub.latest_invoice)
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    shop.control.advance_subscription(shop.key, sub.id)
    expired = shop.client.v1.subscriptions.retrieve(sub.id)
    assert expired.status == "incomplete_expired"
    assert shop.client.v1.invoices.retrieve(invoice.id).status == "void"


def test_forever_coupon_applies_to_every_invoice_and_one_time_items_once(shop: Shop) -> None:
    coupon = shop.client.v1.coupons.create(params={"percent_off": 50, "duration": "forever"})
    sub = shop.subscribe(
        line_items=[{"price": shop.monthly.id, "quantity": 1}, {"price": shop.pack.id, "quantity": 1}],
        discounts=[{"coupon": coupon.id}],
    )
    first = shop.client.v1.invoices.retrieve(sub.latest_invoice)
    assert first.subtotal == 2999
    assert first.total == 2999 - 1000 - 500
    assert first.total_discount_amounts[0].amount == 1500
    one_time = first.lines.data[1]
    assert one_time.parent.type == "invoice_item_details"
    renewal = shop.control.advance_subscription(shop.key, sub.id)["invoice"]
    assert (renewal["subtotal"], renewal["total"]) == (2000, 1000)
    assert shop.client.v1.coupons.retrieve(coupon.id).times_redeemed == 1


# ---------------------------------------------------------------- payments


def test_payment_intents_refunds_partial_full_and_too_much(shop: Shop) -> None:
    intent = shop.client.v1.payment_intents.create(params={
        "amount": 5000, "currency": "usd", "automatic_payment_methods": {"enabled": True},
        "payment_method": "pm_card_visa", "confirm": True, "metadata": {"order": "o-9"},
    })
    assert intent.status == "succeeded"
    charge_id = intent.latest_charge
    first = shop.client.v1.refunds.create(params={
        "payment_intent": intent.id, "amount": 2000, "reason": "requested_by_customer",
        "metadata": {"order": "o-9"},
    })
    assert (first.amount, first.charge, first.status) == (2000, charge_id, "succeeded")
    charge = shop.client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (2000, False)
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        shop.client.v1.refunds.create(params={"charge": charge_id, "amount": 3001})
    assert too_much.value.code == "amount_too_large"
    rest = shop.client.v1.refunds.create(params={"charge": charge_id})
    assert rest.amount == 3000
    charge = shop.client.v1.charges.retrieve(charge_id)
    assert (charge.amount_refunded, charge.refunded) == (5000, True)
    with pytest.raises(stripe.InvalidRequestError) as again:
        shop.client.v1.refunds.create(params={"charge": charge_id})
    assert again.value.code == "charge_already_refunded"
    listed = shop.client.v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.id for r in listed.data] == [rest.id, first.id]
    assert shop.types("charge.refunded", "refund.created") == [
        "charge.refunded", "refund.created", "charge.refunded", "refund.created"]
    refunded = shop.events("charge.refunded")[0]
    assert refunded.data.previous_attributes["amount_refunded"] == 0
    assert [c.id for c in shop.client.v1.charges.list(params={"payment_intent": intent.id}).data] == [
        charge_id]


def test_three_d_secure_and_cancel(shop: Shop) -> None:
    intent = shop.client.v1.payment_intents.create(params={
        "amount": 1200, "currency": "eur", "payment_method": "pm_card_authenticationRequired",
        "confirm": True,
    })
    assert intent.status == "requires_action"
    assert intent.next_action.type == "use_stripe_sdk"
    shop.control.authenticate_payment(shop.key, intent.id, "succeeded")
    assert shop.client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
    other = shop.client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    canceled = shop.client.v1.payment_intents.cancel(
        other.id, params={"cancellation_reason": "abandoned"}
    )
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    with pytest.raises(stripe.InvalidRequestError) as info:
        shop.client.v1.payment_intents.cancel(intent.id)
    assert info.value.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_disputes(shop: Shop, outcome: str) -> None:
    intent = shop.client.v1.payment_intents.create(params={
        "amount": 4000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
    })
    dispute = shop.control.dispute(shop.key, payment_intent=intent.id, reason="fraudulent")["dispute"]
    assert dispute["status"] == "needs_response"
    assert dispute["amount"] == 4000
    assert shop.client.v1.charges.retrieve(intent.latest_charge).disputed is True
    with pytest.raises(stripe.InvalidRequestError) as info:
        shop.client.v1.refunds.create(params={"payment_intent": intent.id})
    assert info.value.code == "charge_disputed"
    shop.control.close_dispute(shop.key, dispute["id"], outcome)
    assert shop.client.v1.disputes.retrieve(dispute["id"]).status == outcome
    closed = shop.events("charge.dispute.closed")[0]
    assert closed.data.object.status == outcome
    assert shop.types("charge.dispute.created") == ["charge.dispute.created"]


# ---------------------------------------------------------------- the dashboard


def test_dashboard_catalog_changes_emit_events(shop: Shop) -> None:
    product = shop.control.dashboard_product(shop.key, "create", name="Token pack",
                                             metadata={"credit_amount": "500"})
    price = shop.control.dashboard_price(shop.key, "create", product=product["id"],
                                         currency="cny", unit_amount=5000)
    shop.control.dashboard_product(shop.key, "update", product["id"],
                                   metadata={"credit_amount": "600"})
    shop.control.dashboard_price(shop.key, "archive", price["id"])
    with pytest.raises(EmulatorError):
        shop.control.dashboard_product(shop.key, "delete", product["id"])
    shop.control.dashboard_price(shop.key, "delete", price["id"])
    shop.control.dashboard_product(shop.key, "delete", product["id"])
    # The shop fixture made one product and four prices before.
    types = [t for t in shop.types() if t.startswith(("product.", "price."))][5:]
    assert types == ["product.created", "price.created", "product.updated", "price.updated",
                     "price.deleted", "product.deleted"]
    updated = shop.events("product.updated")[-1]
    assert updated.data.previous_attributes["metadata"]["credit_amount"] == "500"
    assert updated.request.id is None  # not caused by an API request
    with pytest.raises(stripe.InvalidRequestError):
        shop.client.v1.products.retrieve(product["id"])
