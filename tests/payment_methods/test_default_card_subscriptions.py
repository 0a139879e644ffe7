"""The default card is the one the customer's subscriptions charge, also those that saved a card of their own
(`payment_settings.save_default_payment_method=on_subscription`, the Elements subscriptions): Stripe prefers a
subscription's `default_payment_method` to the customer's `invoice_settings.default_payment_method`."""

from __future__ import annotations

from tests.payment_methods.conftest import Tollgate


async def test_the_default_card_moves_the_subscriptions_that_keep_their_own(tollgate: Tollgate) -> None:
    first = await tollgate.save_card("cust-1", "pm_card_visa")
    stripe = tollgate.emulator.stripe_client(tollgate.keys["alpha"])
    stripe_customer = (await tollgate.call("GET", "/customers/cust-1"))["stripe_customer_id"]
    price = stripe.v1.prices.create(
        {"currency": "usd", "unit_amount": 1900, "recurring": {"interval": "month"}, "product_data": {"name": "Plan"}}
    )
    own = stripe.v1.subscriptions.create(
        {"customer": stripe_customer, "items": [{"price": price.id}], "default_payment_method": first}
    )
    plain = stripe.v1.subscriptions.create(
        {"customer": stripe_customer, "items": [{"price": price.id}], "default_payment_method": first}
    )
    plain = stripe.v1.subscriptions.update(plain.id, {"default_payment_method": ""})
    assert (own.default_payment_method, plain.default_payment_method) == (first, None)

    second = await tollgate.save_card("cust-1", "pm_card_mastercard")
    chosen = await tollgate.call("POST", f"/customers/cust-1/payment-methods/{second}/default")
    assert (chosen["id"], chosen["default"]) == (second, True)
    settings = stripe.v1.customers.retrieve(stripe_customer).invoice_settings
    assert settings is not None and settings.default_payment_method == second
    # The one that kept a card of its own now keeps the default; the other follows the customer's as before.
    assert stripe.v1.subscriptions.retrieve(own.id).default_payment_method == second
    assert stripe.v1.subscriptions.retrieve(plain.id).default_payment_method is None

    # Its renewal is charged to the default card.
    tollgate.emulator.control.advance_subscription(tollgate.keys["alpha"], own.id)
    renewal = stripe.v1.charges.list({"customer": stripe_customer, "limit": 1}).data[0]
    assert (renewal.payment_method, renewal.amount, renewal.paid) == (second, 1900, True)

    # Another customer's default is not touched, nor its subscriptions.
    other = await tollgate.save_card("cust-2", "pm_card_visa")
    other_customer = (await tollgate.call("GET", "/customers/cust-2"))["stripe_customer_id"]
    theirs = stripe.v1.subscriptions.create(
        {"customer": other_customer, "items": [{"price": price.id}], "default_payment_method": other}
    )
    await tollgate.call("POST", f"/customers/cust-1/payment-methods/{first}/default")
    assert stripe.v1.subscriptions.retrieve(own.id).default_payment_method == first
    assert stripe.v1.subscriptions.retrieve(theirs.id).default_payment_method == other
