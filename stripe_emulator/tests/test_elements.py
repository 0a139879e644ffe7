"""Subscriptions paid in the app's own form (Elements): `default_incomplete` with the first
payment's `confirmation_secret`, `save_default_payment_method=on_subscription`, 3-D Secure,
expiry after 23 hours, trials with a `pending_setup_intent`; and `invoices.create_preview`."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_emulator.pytest_plugin import EmulatorHandle
from stripe_emulator.tests.test_flows import DAY, Shop, _shop


@pytest.fixture
def shop(stripe_emulator: EmulatorHandle, stripe_account: str) -> Shop:
    return _shop(stripe_emulator, stripe_account)


def _start(shop: Shop, price: stripe.Price | None = None, **extra: Any) -> Any:
    customer = shop.client.v1.customers.create(params={"email": "ann@example.com"})
    return shop.client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": (price or shop.monthly).id}],
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "expand": ["latest_invoice.confirmation_secret", "pending_setup_intent"],
            **extra,
        }
    )


def _intent_of(secret: str) -> str:
    return secret.split("_secret_", 1)[0]


def test_default_incomplete_answers_the_first_payments_secret_and_activates_once_confirmed(shop: Shop) -> None:
    sub = _start(shop)
    assert (sub.status, sub.pending_setup_intent, sub.default_payment_method) == ("incomplete", None, None)
    assert sub.payment_settings.save_default_payment_method == "on_subscription"
    invoice = sub.latest_invoice
    assert (invoice.status, invoice.amount_due, invoice.attempt_count) == ("open", 2000, 0)
    secret = invoice.confirmation_secret
    assert secret.type == "payment_intent" and secret.client_secret.startswith("pi_")

    intent = shop.client.v1.payment_intents.confirm(
        _intent_of(secret.client_secret), params={"payment_method": "pm_card_visa"}
    )
    assert intent.status == "succeeded"
    after = shop.client.v1.subscriptions.retrieve(sub.id)
    assert after.status == "active"
    assert after.default_payment_method == intent.payment_method, "on_subscription saves the card"
    card = shop.client.v1.payment_methods.retrieve(intent.payment_method)
    assert card.customer == sub.customer
    updated = shop.events("customer.subscription.updated")[-1]
    assert updated.data.previous_attributes.to_dict() == {"status": "incomplete", "default_payment_method": None}
    types = shop.types()
    assert types.index("customer.subscription.created") < types.index("invoice.paid")
    assert types.index("invoice.paid") < types.index("customer.subscription.updated")


def test_three_d_secure_leaves_it_incomplete_until_the_customer_authenticates(shop: Shop) -> None:
    sub = _start(shop)
    pi = _intent_of(sub.latest_invoice.confirmation_secret.client_secret)
    intent = shop.client.v1.payment_intents.confirm(pi, params={"payment_method": "pm_card_threeDSecure2Required"})
    assert intent.status == "requires_action"
    assert shop.client.v1.subscriptions.retrieve(sub.id).status == "incomplete"
    assert "invoice.payment_action_required" in shop.types()
    shop.control.authenticate_payment(shop.key, pi)
    assert shop.client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_an_unpaid_first_invoice_expires_the_subscription_after_23_hours(shop: Shop) -> None:
    sub = _start(shop)
    assert shop.control.advance_subscription(shop.key, sub.id)["invoice"] is None
    after = shop.client.v1.subscriptions.retrieve(sub.id)
    assert after.status == "incomplete_expired"
    assert after.ended_at == sub.created + 23 * 3600
    assert shop.client.v1.invoices.retrieve(sub.latest_invoice.id).status == "void"


def test_a_trial_collects_the_card_through_a_pending_setup_intent(shop: Shop) -> None:
    sub = _start(shop, trial_period_days=7)
    assert sub.status == "trialing"
    assert sub.latest_invoice.amount_due == 0
    assert sub.latest_invoice.confirmation_secret is None
    setup = sub.pending_setup_intent
    assert setup.object == "setup_intent" and setup.client_secret.startswith(setup.id + "_secret_")
    assert (setup.customer, setup.usage, setup.status) == (sub.customer, "off_session", "requires_payment_method")
    confirmed = shop.client.v1.setup_intents.confirm(setup.id, params={"payment_method": "pm_card_visa"})
    assert confirmed.status == "succeeded"
    after = shop.client.v1.subscriptions.retrieve(sub.id)
    assert (after.pending_setup_intent, after.default_payment_method) == (None, confirmed.payment_method)


# ---------------------------------------------------------------- invoices.create_preview


def _prorated(amount: int, remaining: int, total: int) -> int:
    sign = -1 if amount < 0 else 1
    return sign * ((abs(amount) * remaining * 2 + total) // (2 * total))


def _active(shop: Shop) -> Any:
    sub = _start(shop)
    shop.client.v1.payment_intents.confirm(
        _intent_of(sub.latest_invoice.confirmation_secret.client_secret), params={"payment_method": "pm_card_visa"}
    )
    shop.control.advance_clock(shop.key, seconds=10 * DAY)
    return shop.client.v1.subscriptions.retrieve(sub.id)


def _preview(shop: Shop, sub: Any, price: stripe.Price, behavior: str, **extra: Any) -> Any:
    return shop.client.v1.invoices.create_preview(
        params={
            "customer": sub.customer,
            "subscription": sub.id,
            "subscription_details": {
                "items": [{"id": sub["items"].data[0].id, "price": price.id}],
                "proration_behavior": behavior,  # type: ignore[typeddict-item]
            },
            **extra,
        }
    )


def test_a_preview_shows_the_upgrade_invoice_and_changes_nothing(shop: Shop) -> None:
    sub = _active(shop)
    item = sub["items"].data[0]
    start, end = item.current_period_start, item.current_period_end
    events_before = len(shop.events())
    now = shop.control.account(shop.key)["now"]
    preview = _preview(shop, sub, shop.premium, "always_invoice")
    assert preview.id.startswith("upcoming_in_")
    assert preview.billing_reason == "upcoming"
    lines = preview.lines.data
    assert all(line.parent.subscription_item_details.proration for line in lines)
    at = lines[0].period.start
    assert now <= at <= now + 5 and all(line.period.end == end for line in lines)
    expected = _prorated(5000, end - at, end - start) + _prorated(-2000, end - at, end - start)
    assert preview.amount_due == preview.total == expected > 0
    recurring = _preview(shop, sub, shop.premium, "always_invoice", preview_mode="recurring")
    assert (recurring.amount_due, recurring.lines.data[0].period.start) == (5000, end)

    assert len(shop.events()) == events_before, "a preview sends no event"
    assert shop.client.v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == shop.monthly.id
    assert shop.client.v1.invoice_items.list(params={"limit": 10}).data == []
    with pytest.raises(stripe.InvalidRequestError):
        shop.client.v1.invoices.retrieve(preview.id)


def test_a_downgrade_preview_is_the_next_renewal_with_its_credit(shop: Shop) -> None:
    sub = _active(shop)
    shop.client.v1.subscriptions.update(
        sub.id, params={"items": [{"id": sub["items"].data[0].id, "price": shop.premium.id}],
                        "proration_behavior": "none"}
    )
    sub = shop.client.v1.subscriptions.retrieve(sub.id)
    item = sub["items"].data[0]
    start, end = item.current_period_start, item.current_period_end
    preview = _preview(shop, sub, shop.monthly, "create_prorations")
    assert preview.billing_reason == "upcoming"
    prorations = [line for line in preview.lines.data if line.parent.subscription_item_details.proration]
    plan = [line for line in preview.lines.data if not line.parent.subscription_item_details.proration]
    at = prorations[0].period.start
    credit = _prorated(-5000, end - at, end - start) + _prorated(2000, end - at, end - start)
    assert sum(line.amount for line in prorations) == credit < 0
    assert [(line.amount, line.period.start) for line in plan] == [(2000, end)]
    assert preview.amount_due == max(0, 2000 + credit)
    assert preview.next_payment_attempt == end
