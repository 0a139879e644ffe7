"""Injected API failures prove what a client's retries and Idempotency-Keys guarantee:
a 500 before or after processing, a 429, or a hang past the timeout never creates an
object twice when the same key is retried."""

from __future__ import annotations

import time

import pytest
import stripe

from stripe_emulator.control import EmulatorError
from stripe_emulator.pytest_plugin import EmulatorHandle


@pytest.fixture(autouse=True)
def fast_sdk_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK waits at least 0.5 s between retries; keep the suite quick."""
    from stripe import _http_client

    monkeypatch.setattr(_http_client.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(_http_client.HTTPClient, "MAX_DELAY", 0.05)


def test_500_before_processing_is_retried_and_creates_once(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, 2, status=500, method="POST",
                                      path_prefix="/v1/customers")
    client = stripe_emulator.stripe_client(stripe_account, max_network_retries=2)
    customer = client.v1.customers.create(params={"email": "ann@example.com"})
    assert [c.id for c in client.v1.customers.list().data] == [customer.id]
    (rule,) = stripe_emulator.control.faults(stripe_account)["data"]
    assert (rule["hits"], rule["remaining"]) == (2, 0)


def test_500_after_processing_replays_the_stored_result(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, status=500, when="after",
                                      path_prefix="/v1/payment_intents")
    client = stripe_emulator.stripe_client(stripe_account, max_network_retries=2)
    intent = client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa",
                "confirm": True},
        options={"idempotency_key": "order-42-attempt"},
    )
    assert intent.status == "succeeded"
    assert intent.last_response is not None
    assert intent.last_response.headers["Idempotent-Replayed"] == "true"
    assert [i.id for i in client.v1.payment_intents.list().data] == [intent.id]
    assert len(client.v1.charges.list().data) == 1


def test_without_retries_the_caller_sees_the_error_but_the_object_exists(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, status=503, when="after")
    client = stripe_emulator.stripe_client(stripe_account)
    with pytest.raises(stripe.APIError) as info:
        client.v1.customers.create(params={"name": "Ann"}, options={"idempotency_key": "row-1"})
    assert info.value.http_status == 503
    (created,) = client.v1.customers.list().data
    again = client.v1.customers.create(params={"name": "Ann"}, options={"idempotency_key": "row-1"})
    assert again.id == created.id


def test_rate_limit_is_not_retried_by_the_sdk(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, status=429)
    client = stripe_emulator.stripe_client(stripe_account, max_network_retries=3)
    with pytest.raises(stripe.RateLimitError) as info:
        client.v1.customers.create(params={"name": "Ann"})
    assert info.value.http_status == 429
    assert info.value.json_body is not None
    assert info.value.json_body["error"]["code"] == "rate_limit"
    assert client.v1.customers.list().data == []


def test_lock_timeout_429_asks_for_a_retry(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, status=429, code="lock_timeout")
    client = stripe_emulator.stripe_client(stripe_account, max_network_retries=2)
    customer = client.v1.customers.create(params={"name": "Ann"})
    assert [c.id for c in client.v1.customers.list().data] == [customer.id]


@pytest.mark.parametrize("when", ["before", "after"])
def test_hang_past_the_client_timeout_never_double_creates(
    stripe_emulator: EmulatorHandle, stripe_account: str, when: str
) -> None:
    stripe_emulator.control.hang_next(stripe_account, 0.5, when=when, method="POST")
    client = stripe_emulator.stripe_client(stripe_account, max_network_retries=2, timeout=0.25)
    customer = client.v1.customers.create(params={"name": "Slow"})
    # Let the abandoned first request finish on the server before counting.
    time.sleep(0.8)
    assert [c.id for c in client.v1.customers.list().data] == [customer.id]
    assert len(client.v1.events.list(params={"type": "customer.created"}).data) == 1


def test_a_share_of_calls_fails_reproducibly(
    stripe_emulator: EmulatorHandle,
) -> None:
    patterns = []
    for _ in range(2):
        key = stripe_emulator.new_account()
        stripe_emulator.control.fail_rate(key, 0.4, seed=11, method="GET")
        client = stripe_emulator.stripe_client(key)
        pattern = []
        for _ in range(20):
            try:
                client.v1.customers.list()
                pattern.append(True)
            except stripe.APIError:
                pattern.append(False)
        patterns.append(pattern)
    assert patterns[0] == patterns[1]
    assert 0 < patterns[0].count(False) < 20


def test_faults_match_method_and_path_and_can_be_cleared(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.fail_next(stripe_account, 5, method="POST", path_prefix="/v1/prices")
    client = stripe_emulator.stripe_client(stripe_account)
    client.v1.products.create(params={"name": "Unaffected"})
    assert len(client.v1.products.list().data) == 1
    with pytest.raises(stripe.APIError):
        client.v1.prices.create(params={"currency": "usd", "unit_amount": 5,
                                        "product_data": {"name": "x"}})
    stripe_emulator.control.clear_faults(stripe_account)
    assert stripe_emulator.control.faults(stripe_account)["data"] == []
    client.v1.prices.create(params={"currency": "usd", "unit_amount": 5,
                                    "product_data": {"name": "x"}})


def test_fault_specs_are_validated(stripe_emulator: EmulatorHandle, stripe_account: str) -> None:
    with pytest.raises(EmulatorError) as info:
        stripe_emulator.control.fail_next(stripe_account, status=404)
    assert info.value.status == 400
