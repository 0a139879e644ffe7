"""Stripe's REST conventions, seen through the official SDK: auth, accounts, encoding,
expansion, idempotency, pagination and errors."""

from __future__ import annotations

import httpx
import pytest
import stripe

from stripe_emulator.pytest_plugin import (
    EmulatorHandle,
    new_api_key,
    start_emulator,
    stop_emulator,
)


def _catalog(client: stripe.StripeClient) -> tuple[stripe.Product, stripe.Price]:
    product = client.v1.products.create(params={"name": "Premium"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "usd",
            "unit_amount": 2000,
            "recurring": {"interval": "month"},
            "lookup_key": "premium_monthly",
            "metadata": {"plan_tier": "premium"},
        }
    )
    return product, price


def test_unknown_key_is_401(stripe_emulator: EmulatorHandle) -> None:
    client = stripe_emulator.stripe_client("sk_test_nobody_has_this_key_1234")
    with pytest.raises(stripe.AuthenticationError) as info:
        client.v1.customers.list()
    assert info.value.http_status == 401
    assert "Invalid API Key provided: sk_test_" in str(info.value.user_message)
    assert info.value.user_message.endswith("1234")


def test_missing_key_is_401_with_stripes_error_json(stripe_emulator: EmulatorHandle) -> None:
    response = httpx.get(f"{stripe_emulator.url}/v1/customers")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("You did not provide an API key.")
    assert response.headers["request-id"].startswith("req_")


def test_each_key_is_its_own_account(stripe_emulator: EmulatorHandle) -> None:
    key_a, key_b = stripe_emulator.new_account(), stripe_emulator.new_account()
    a, b = stripe_emulator.stripe_client(key_a), stripe_emulator.stripe_client(key_b)
    customer = a.v1.customers.create(params={"email": "ann@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as info:
        b.v1.customers.retrieve(customer.id)
    assert info.value.http_status == 404
    assert info.value.code == "resource_missing"
    assert info.value.param == "id"
    assert b.v1.customers.list().data == []
    assert [c.id for c in a.v1.customers.list().data] == [customer.id]


def test_account_helper_is_idempotent_and_reset_empties_it(
    stripe_emulator: EmulatorHandle,
) -> None:
    key = new_api_key()
    first = stripe_emulator.control.create_account(key)
    again = stripe_emulator.control.create_account(key)
    assert first["id"] == again["id"]
    assert first["id"].startswith("acct_")
    assert (first["created_now"], again["created_now"]) == (True, False)
    client = stripe_emulator.stripe_client(key)
    client.v1.customers.create(params={"name": "Ann"})
    stripe_emulator.control.reset(key)
    assert client.v1.customers.list().data == []


def test_standalone_server_flags_and_request_log() -> None:
    handle = start_emulator("--account", "sk_test_fixed_tenant", "--auto-accounts", r"sk_test_demo_\w+")
    try:
        fixed = handle.stripe_client("sk_test_fixed_tenant")
        fixed.v1.customers.create(params={"name": "Ann"})
        demo = handle.stripe_client("sk_test_demo_imagegen")
        assert demo.v1.customers.list().data == []
        with pytest.raises(stripe.AuthenticationError):
            handle.stripe_client("sk_test_other").v1.customers.list()
    finally:
        stop_emulator(handle)
    log = handle.log_tail()
    assert "POST /v1/customers -> 200" in log
    assert "GET /v1/customers -> 401" in log


def test_nested_params_arrays_and_metadata(stripe_client: stripe.StripeClient) -> None:
    _, price = _catalog(stripe_client)
    assert price.recurring.interval == "month"
    assert price.recurring.interval_count == 1
    assert price.type == "recurring"
    assert price.metadata.to_dict() == {"plan_tier": "premium"}
    session = stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "line_items": [{"price": price.id, "quantity": 2}],
            "success_url": "https://app.example/ok?cs={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://app.example/cancel",
            "customer_email": "ann@example.com",
            "client_reference_id": "user-42",
            "metadata": {"tenant": "imagegen", "0": "zero"},
            "subscription_data": {"metadata": {"tier": "premium"}, "trial_period_days": 7},
        }
    )
    assert session.metadata.to_dict() == {"tenant": "imagegen", "0": "zero"}
    assert session.client_reference_id == "user-42"
    items = stripe_client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.quantity, i.price.id) for i in items.data] == [(2, price.id)]
    # Unsetting a metadata key: Stripe's `metadata[k]=` convention.
    updated = stripe_client.v1.prices.update(price.id, params={"metadata": {"plan_tier": ""}})
    assert updated.metadata.to_dict() == {}


def test_list_filters_with_array_params(stripe_client: stripe.StripeClient) -> None:
    _, monthly = _catalog(stripe_client)
    found = stripe_client.v1.prices.list(params={"lookup_keys": ["premium_monthly"]})
    assert [p.id for p in found.data] == [monthly.id]
    assert stripe_client.v1.prices.list(params={"type": "one_time"}).data == []
    assert stripe_client.v1.products.list(params={"active": False}).data == []


def test_expand_dotted_path_through_an_includable_field(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    client = stripe_emulator.stripe_client(stripe_account)
    _, price = _catalog(client)
    customer = client.v1.customers.create(
        params={
            "email": "ann@example.com",
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    sub = client.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"price": price.id}],
            "expand": ["latest_invoice.payments"],
        }
    )
    invoice = sub.latest_invoice
    assert invoice.object == "invoice"
    payment = invoice.payments.data[0]
    assert payment.object == "invoice_payment"
    assert payment.payment.type == "payment_intent"
    assert payment.payment.payment_intent.startswith("pi_")
    plain = client.v1.invoices.retrieve(invoice.id).to_dict()
    assert "payments" not in plain
    deep = client.v1.subscriptions.retrieve(
        sub.id, params={"expand": ["customer", "items.data.price.product"]}
    )
    assert deep.customer.email == "ann@example.com"
    assert deep["items"].data[0].price.product.name == "Premium"
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.retrieve(sub.id, params={"expand": ["status"]})
    assert "cannot be expanded" in str(info.value.user_message)


def test_same_idempotency_key_replays_the_stored_response(
    stripe_client: stripe.StripeClient,
) -> None:
    params = {"email": "ann@example.com", "metadata": {"row": "17"}}
    first = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "cus-17"})
    second = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "cus-17"})
    assert first.id == second.id
    assert first.last_response is not None
    assert second.last_response is not None
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert second.last_response.headers["Idempotency-Key"] == "cus-17"
    assert len(stripe_client.v1.customers.list().data) == 1


def test_same_key_with_other_params_is_an_idempotency_error(
    stripe_client: stripe.StripeClient,
) -> None:
    stripe_client.v1.customers.create(
        params={"email": "ann@example.com"}, options={"idempotency_key": "k-1"}
    )
    with pytest.raises(stripe.IdempotencyError) as info:
        stripe_client.v1.customers.create(
            params={"email": "bob@example.com"}, options={"idempotency_key": "k-1"}
        )
    assert info.value.http_status == 400
    assert "k-1" in str(info.value.user_message)
    assert len(stripe_client.v1.customers.list().data) == 1


def test_pagination_newest_first_with_cursors(stripe_client: stripe.StripeClient) -> None:
    ids = [stripe_client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(25)]
    newest_first = list(reversed(ids))
    page = stripe_client.v1.customers.list(params={"limit": 10})
    assert page.object == "list"
    assert page.url == "/v1/customers"
    assert page.has_more is True
    assert [c.id for c in page.data] == newest_first[:10]
    after = stripe_client.v1.customers.list(params={"limit": 10, "starting_after": ids[-10]})
    assert [c.id for c in after.data] == newest_first[10:20]
    last = stripe_client.v1.customers.list(params={"starting_after": newest_first[19]})
    assert [c.id for c in last.data] == newest_first[20:]
    assert last.has_more is False
    before = stripe_client.v1.customers.list(
        params={"limit": 3, "ending_before": newest_first[10]}
    )
    assert [c.id for c in before.data] == newest_first[7:10]
    assert before.has_more is True
    assert [c.id for c in page.auto_paging_iter()] == newest_first
    with pytest.raises(stripe.InvalidRequestError) as info:
        stripe_client.v1.customers.list(params={"limit": 101})
    assert info.value.param == "limit"


def test_unknown_parameters_are_rejected_like_stripe(stripe_client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        stripe_client.v1.customers.create(params={"emial": "typo@example.com"})  # type: ignore[typeddict-unknown-key]
    assert info.value.code == "parameter_unknown"
    assert info.value.param == "emial"
    with pytest.raises(stripe.InvalidRequestError) as nested:
        stripe_client.v1.prices.create(
            params={"currency": "usd", "unit_amount": 5, "product_data": {"name": "x"},
                    "recurring": {"interval": "month", "intervall_count": 2}},  # type: ignore[typeddict-unknown-key]
        )
    assert nested.value.param == "recurring[intervall_count]"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.prices.create(params={"currency": "usd", "unit_amount": 5})  # type: ignore[typeddict-item]
    assert missing.value.param == "product"


def test_unrecognized_url_and_error_json(stripe_emulator: EmulatorHandle, stripe_account: str) -> None:
    auth = {"Authorization": f"Bearer {stripe_account}"}
    response = httpx.get(f"{stripe_emulator.url}/v1/no_such_things", headers=auth)
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Unrecognized request URL (GET: ")
    missing = httpx.get(f"{stripe_emulator.url}/v1/customers/cus_missing", headers=auth)
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error == {
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "message": "No such customer: 'cus_missing'",
        "param": "id",
        "request_log_url": error["request_log_url"],
        "type": "invalid_request_error",
    }
    # `expand[]=` (Stripe's own spelling) works as well as the SDK's `expand[0]=`.
    created = httpx.post(f"{stripe_emulator.url}/v1/customers", headers=auth,
                         data={"email": "x@example.com"}).json()
    listed = httpx.get(f"{stripe_emulator.url}/v1/customers?expand[]=data.invoice_settings",
                       headers=auth)
    assert listed.status_code == 200
    assert listed.json()["data"][0]["id"] == created["id"]


def test_card_error_is_402_and_leaves_the_intent_retryable(stripe_client: stripe.StripeClient) -> None:
    intent = stripe_client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "metadata": {"order": "o-1"}}
    )
    assert intent.status == "requires_payment_method"
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    with pytest.raises(stripe.CardError) as info:
        stripe_client.v1.payment_intents.confirm(
            intent.id, params={"payment_method": "pm_card_chargeDeclined"}
        )
    assert info.value.http_status == 402
    assert info.value.code == "card_declined"
    assert info.value.json_body is not None
    assert info.value.json_body["error"]["decline_code"] == "generic_decline"
    assert info.value.json_body["error"]["payment_intent"]["id"] == intent.id
    failed = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "card_declined"
    assert failed.last_payment_error.decline_code == "generic_decline"
    charge = stripe_client.v1.charges.retrieve(failed.latest_charge)
    assert (charge.status, charge.failure_code) == ("failed", "card_declined")
    paid = stripe_client.v1.payment_intents.confirm(
        intent.id, params={"payment_method": "pm_card_visa"}
    )
    assert paid.status == "succeeded"
    assert paid.amount_received == 1500
    assert paid.latest_charge.startswith("ch_")


def test_events_name_the_request_that_caused_them(stripe_client: stripe.StripeClient) -> None:
    customer = stripe_client.v1.customers.create(
        params={"email": "ann@example.com"}, options={"idempotency_key": "ik-ann"}
    )
    assert customer.last_response is not None
    request_id = customer.last_response.headers["Request-Id"]
    (event,) = stripe_client.v1.events.list(params={"type": "customer.created"}).data
    assert event.request.id == request_id
    assert event.request.idempotency_key == "ik-ann"
    assert event.data.object.id == customer.id
    again = stripe_client.v1.events.retrieve(event.id)
    assert again.type == "customer.created"


async def test_async_client_calls(stripe_client: stripe.StripeClient) -> None:
    customer = await stripe_client.v1.customers.create_async(params={"name": "Async"})
    fetched = await stripe_client.v1.customers.retrieve_async(customer.id)
    assert fetched.name == "Async"
    updated = await stripe_client.v1.customers.update_async(
        customer.id, params={"metadata": {"user": "u-1"}}
    )
    assert updated.metadata["user"] == "u-1"
    (event,) = stripe_client.v1.events.list(params={"type": "customer.updated"}).data
    assert event.data.previous_attributes.to_dict() == {"metadata": {"user": None}}
