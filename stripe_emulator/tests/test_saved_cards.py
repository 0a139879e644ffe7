"""Saved cards: SetupIntents (3-D Secure included), PaymentMethods made from test card numbers, off-session
charges of a saved card, and the confirm helper that plays Stripe.js in the browser."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_emulator.control import EmulatorError
from stripe_emulator.pytest_plugin import EmulatorHandle

FIXTURES_KEYS = {
    "setup_intent": {
        "application", "automatic_payment_methods", "cancellation_reason", "client_secret", "created", "customer",
        "description", "flow_directions", "id", "last_setup_error", "latest_attempt", "livemode", "mandate",
        "metadata", "next_action", "object", "on_behalf_of", "payment_method", "payment_method_configuration_details",
        "payment_method_options", "payment_method_types", "single_use_mandate", "status", "usage",
        "excluded_payment_method_types",
    },
}


def _charge(client: stripe.StripeClient, customer: str, pm: str) -> Any:
    return client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "customer": customer, "payment_method": pm, "off_session": True,
                "confirm": True, "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}}
    )


def test_a_setup_intent_saves_a_card_after_3d_secure_and_its_events_say_so(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    control = stripe_emulator.control
    customer = stripe_client.v1.customers.create()
    setup = stripe_client.v1.setup_intents.create(params={"customer": customer.id, "usage": "off_session"})
    assert set(setup.to_dict()) == FIXTURES_KEYS["setup_intent"]
    assert (setup.status, setup.usage) == ("requires_payment_method", "off_session")
    assert setup.client_secret.startswith(setup.id + "_secret_")
    waiting = control.confirm(None, setup.client_secret, "pm_card_threeDSecure2Required", three_d_secure="leave")
    assert waiting["status"] == "requires_action"
    assert waiting["setup_intent"]["next_action"]["type"] == "use_stripe_sdk"
    done = control.authenticate_setup(stripe_account, setup.id)["setup_intent"]
    assert done["status"] == "succeeded"
    pm = stripe_client.v1.payment_methods.retrieve(done["payment_method"])
    assert (pm.customer, pm.card.last4) == (customer.id, "3220")
    stripe_client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    assert stripe_client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method == pm.id
    types = [e.type for e in stripe_client.v1.events.list(params={"limit": 20}).data]
    for kind in ("setup_intent.created", "setup_intent.requires_action", "setup_intent.succeeded",
                 "payment_method.attached"):
        assert kind in types
    # A card that asks for 3-D Secure on every payment still does, off-session: Stripe's 402.
    with pytest.raises(stripe.CardError) as refused:
        _charge(stripe_client, customer.id, pm.id)
    assert (refused.value.code, refused.value.error.decline_code) == ("authentication_required",) * 2
    assert refused.value.error.payment_intent.status == "requires_payment_method"
    # Detached, the card stops being the customer's default.
    stripe_client.v1.payment_methods.detach(pm.id)
    assert stripe_client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None


def test_a_card_authenticated_at_setup_pays_off_session(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    customer = stripe_client.v1.customers.create()
    setup = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    done = stripe_emulator.control.confirm(stripe_account, setup.client_secret, "4000002500003155")
    assert done["status"] == "succeeded"
    assert _charge(stripe_client, customer.id, done["setup_intent"]["payment_method"]).status == "succeeded"
    # Never set up, the same card needs the customer present.
    other = stripe_client.v1.payment_methods.create(params={"type": "card", "card": {"number": "4000002500003155"}})
    stripe_client.v1.payment_methods.attach(other.id, params={"customer": customer.id})
    with pytest.raises(stripe.CardError, match="authentication"):
        _charge(stripe_client, customer.id, other.id)


def test_declines_at_setup_and_off_session(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    customer = stripe_client.v1.customers.create()
    setup = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    with pytest.raises(EmulatorError) as refused:
        stripe_emulator.control.confirm(stripe_account, setup.client_secret, "pm_card_chargeDeclined")
    assert (refused.value.status, refused.value.error["decline_code"]) == (402, "generic_decline")
    again = stripe_client.v1.setup_intents.retrieve(setup.id)
    assert (again.status, again.last_setup_error.code) == ("requires_payment_method", "card_declined")
    done = stripe_emulator.control.confirm(
        stripe_account, setup.client_secret, "pm_card_chargeDeclinedInsufficientFunds"
    )
    with pytest.raises(stripe.CardError) as declined:
        _charge(stripe_client, customer.id, done["setup_intent"]["payment_method"])
    assert (declined.value.http_status, declined.value.code, declined.value.error.decline_code) == (
        402,
        "card_declined",
        "insufficient_funds",
    )


def test_payment_methods_from_card_numbers_and_the_confirm_helper_on_payment_intents(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    pm = stripe_client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242 4242 4242 4242", "exp_month": 8, "exp_year": 2031}}
    )
    assert (pm.card.brand, pm.card.last4, pm.card.exp_month, pm.card.exp_year, pm.customer) == (
        "visa", "4242", 8, 2031, None,
    )
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_methods.create(params={"type": "card", "card": {"number": "1234123412341234"}})
    intent = stripe_client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    done = stripe_emulator.control.confirm(None, intent.client_secret, "pm_card_authenticationRequired")
    assert (done["object"], done["status"]) == ("payment_intent", "succeeded")
    failed = stripe_client.v1.payment_intents.create(params={"amount": 700, "currency": "usd"})
    after = stripe_emulator.control.confirm(None, failed.client_secret, "pm_card_authenticationRequired",
                                            three_d_secure="fail")
    assert after["status"] == "requires_payment_method"
    # The secret must be the intent's own, and a key sent must be its account's.
    for key, secret in ((None, intent.id + "_secret_wrong"), (stripe_emulator.new_account(), intent.client_secret)):
        with pytest.raises(EmulatorError) as missing:
            stripe_emulator.control.confirm(key, secret)
        assert missing.value.status == 404
