"""Webhook delivery: signatures `stripe.Webhook.construct_event` accepts, endpoint
filters, and the fault modes a receiver must survive (duplicates, shuffling, delays,
retries with backoff, giving up), observed through settle and the delivery log."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import stripe

from stripe_emulator.pytest_plugin import EmulatorHandle
from stripe_emulator.tests.receiver import WebhookReceiver


def _make_customers(handle: EmulatorHandle, key: str, n: int) -> list[str]:
    client = handle.stripe_client(key)
    return [client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(n)]


def test_signed_deliveries_verify_and_respect_enabled_events(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    client = stripe_emulator.stripe_client(hooked_account)
    with WebhookReceiver() as invoices_only:
        endpoint = client.v1.webhook_endpoints.create(
            params={"url": invoices_only.url, "enabled_events": ["invoice.paid"]}
        )
        invoices_only.secret = endpoint.secret
        customer = client.v1.customers.create(params={"email": "ann@example.com"})
        summary = stripe_emulator.control.settle(hooked_account)
        assert invoices_only.deliveries == []
    assert summary["settled"] is True
    assert summary["delivered"] == 1
    (delivery,) = receiver.deliveries
    assert delivery.event["type"] == "customer.created"
    assert delivery.event["data"]["object"]["id"] == customer.id
    parts = dict(p.split("=", 1) for p in delivery.signature.split(","))
    assert set(parts) == {"t", "v1"}
    assert abs(int(parts["t"]) - time.time()) < 60
    assert receiver.rejected == []
    assert client.v1.events.retrieve(delivery.event["id"]).pending_webhooks == 0


def test_a_wrong_secret_fails_verification(
    stripe_emulator: EmulatorHandle, stripe_account: str, receiver: WebhookReceiver
) -> None:
    stripe_emulator.control.register_webhook(stripe_account, receiver.url)
    receiver.secret = "whsec_not_the_right_one"
    stripe_emulator.control.set_webhook_faults(stripe_account, max_attempts=1)
    _make_customers(stripe_emulator, stripe_account, 1)
    summary = stripe_emulator.control.settle(stripe_account)
    assert (summary["delivered"], summary["failed"], summary["gave_up"]) == (0, 1, 1)
    assert receiver.rejected
    assert "signature" in receiver.rejected[0].lower()


def test_a_chosen_secret_for_preconfigured_tenants(
    stripe_emulator: EmulatorHandle, stripe_account: str, receiver: WebhookReceiver
) -> None:
    endpoint = stripe_emulator.control.register_webhook(
        stripe_account, receiver.url, enabled_events=["customer.created"],
        secret="whsec_tenant_acme_fixed",
    )
    assert endpoint["secret"] == "whsec_tenant_acme_fixed"
    assert endpoint["id"].startswith("we_")
    listed = stripe_emulator.control.webhook_endpoints(stripe_account)["data"]
    assert [(e["id"], e["secret"]) for e in listed] == [(endpoint["id"], "whsec_tenant_acme_fixed")]
    receiver.secret = "whsec_tenant_acme_fixed"
    _make_customers(stripe_emulator, stripe_account, 1)
    stripe_emulator.control.settle(stripe_account)
    assert receiver.types() == ["customer.created"]


def test_rolling_the_secret_signs_with_old_and_new(
    stripe_emulator: EmulatorHandle, stripe_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    endpoint = control.register_webhook(stripe_account, receiver.url, secret="whsec_old")
    rolled = control.roll_webhook_secret(stripe_account, endpoint["id"], secret="whsec_new")
    assert (rolled["secret"], rolled["previous_secrets"]) == ("whsec_new", ["whsec_old"])
    receiver.secret = "whsec_old"
    _make_customers(stripe_emulator, stripe_account, 1)
    control.settle(stripe_account)
    assert receiver.types() == ["customer.created"]
    assert receiver.deliveries[0].signature.count("v1=") == 2
    control.roll_webhook_secret(stripe_account, endpoint["id"], secret="whsec_newer",
                                keep_old=False)
    control.set_webhook_faults(stripe_account, max_attempts=1)
    _make_customers(stripe_emulator, stripe_account, 1)
    control.settle(stripe_account)
    assert len(receiver.rejected) == 1
    receiver.secret = "whsec_newer"
    _make_customers(stripe_emulator, stripe_account, 1)
    control.settle(stripe_account)
    assert receiver.types() == ["customer.created", "customer.created"]


def test_failed_deliveries_are_retried_with_exponential_backoff(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    receiver.respond = lambda event, seen: 500 if seen < 2 else 200
    stripe_emulator.control.set_webhook_faults(hooked_account, max_attempts=5, backoff_base=0.05)
    _make_customers(stripe_emulator, hooked_account, 1)
    summary = stripe_emulator.control.settle(hooked_account)
    assert (summary["attempts"], summary["delivered"], summary["failed"]) == (3, 1, 2)
    log = stripe_emulator.control.deliveries(hooked_account)["data"]
    assert [(a["attempt"], a["status_code"], a["ok"]) for a in log] == [
        (1, 500, False), (2, 500, False), (3, 200, True)]
    gaps = [b["at"] - a["at"] for a, b in zip(log, log[1:], strict=False)]
    assert gaps[0] >= 0.05
    assert gaps[1] >= 0.1


def test_delivery_gives_up_after_max_attempts(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    receiver.respond = lambda event, seen: 503
    stripe_emulator.control.set_webhook_faults(hooked_account, max_attempts=3, backoff_base=0.01)
    (customer_id,) = _make_customers(stripe_emulator, hooked_account, 1)
    summary = stripe_emulator.control.settle(hooked_account)
    assert (summary["attempts"], summary["gave_up"], summary["delivered"]) == (3, 1, 0)
    log = stripe_emulator.control.deliveries(hooked_account)["data"]
    assert [a["final"] for a in log] == [False, False, True]
    client = stripe_emulator.stripe_client(hooked_account)
    (event,) = client.v1.events.list(params={"type": "customer.created"}).data
    assert event.pending_webhooks == 1
    assert event.data.object.id == customer_id
    receiver.respond = lambda event, seen: 200
    assert stripe_emulator.control.resend_event(hooked_account, event.id)["queued"] == 1
    stripe_emulator.control.settle(hooked_account)
    assert client.v1.events.retrieve(event.id).pending_webhooks == 0


def test_connection_errors_count_as_failed_attempts(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    stripe_emulator.control.register_webhook(stripe_account, "http://127.0.0.1:9/hooks")
    stripe_emulator.control.set_webhook_faults(stripe_account, max_attempts=2, backoff_base=0.01)
    _make_customers(stripe_emulator, stripe_account, 1)
    summary = stripe_emulator.control.settle(stripe_account)
    assert (summary["failed"], summary["gave_up"]) == (2, 1)
    log = stripe_emulator.control.deliveries(stripe_account)["data"]
    assert all(a["status_code"] is None and a["error"] for a in log)


def test_duplicates(stripe_emulator: EmulatorHandle, hooked_account: str,
                    receiver: WebhookReceiver) -> None:
    stripe_emulator.control.set_webhook_faults(hooked_account, duplicates=3)
    _make_customers(stripe_emulator, hooked_account, 2)
    summary = stripe_emulator.control.settle(hooked_account)
    assert summary["delivered"] == 6
    counts = Counter(e["id"] for e in receiver.accepted())
    assert sorted(counts.values()) == [3, 3]
    copies = sorted(a["copy"] for a in stripe_emulator.control.deliveries(hooked_account)["data"])
    assert copies == [0, 0, 1, 1, 2, 2]


def test_shuffled_order_within_a_window(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    stripe_emulator.control.set_webhook_faults(hooked_account, shuffle_window=20, seed=3)
    client = stripe_emulator.stripe_client(hooked_account)
    product = client.v1.products.create(params={"name": "Premium"})
    price = client.v1.prices.create(params={"product": product.id, "currency": "usd",
                                            "unit_amount": 900,
                                            "recurring": {"interval": "month"}})
    stripe_emulator.control.settle(hooked_account)
    session = client.v1.checkout.sessions.create(params={
        "mode": "subscription", "line_items": [{"price": price.id, "quantity": 1}],
    })
    stripe_emulator.control.complete_checkout(hooked_account, session.id)
    stripe_emulator.control.settle(hooked_account)
    emitted = [e.id for e in reversed(client.v1.events.list(params={"limit": 100}).data)][2:]
    arrived = [e["id"] for e in receiver.accepted()][2:]
    assert sorted(arrived) == sorted(emitted)
    assert arrived != emitted


def test_delays_and_settle_timeout(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    stripe_emulator.control.set_webhook_faults(hooked_account, delay=0.3)
    started = time.time()
    _make_customers(stripe_emulator, hooked_account, 1)
    early = stripe_emulator.control.settle(hooked_account, timeout=0.05)
    assert early["settled"] is False
    assert early["pending"] == 1
    late = stripe_emulator.control.settle(hooked_account, timeout=5)
    assert late["settled"] is True
    (attempt,) = stripe_emulator.control.deliveries(hooked_account)["data"]
    assert attempt["at"] - started >= 0.3
    stripe_emulator.control.clear_deliveries(hooked_account)
    assert stripe_emulator.control.deliveries(hooked_account)["data"] == []


def test_disabled_and_deleted_endpoints_receive_nothing(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    client = stripe_emulator.stripe_client(hooked_account)
    (endpoint,) = client.v1.webhook_endpoints.list().data
    disabled = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert disabled.status == "disabled"
    _make_customers(stripe_emulator, hooked_account, 1)
    client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False,
                                                            "enabled_events": ["*"]})
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.deleted is True
    _make_customers(stripe_emulator, hooked_account, 1)
    assert stripe_emulator.control.settle(hooked_account)["attempts"] == 0
    assert receiver.deliveries == []


async def test_async_control_client(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    client = stripe_emulator.stripe_client(hooked_account)
    await client.v1.customers.create_async(params={"name": "Async"})
    summary: dict[str, Any] = await stripe_emulator.control.aio.settle(hooked_account)
    assert summary["delivered"] == 1
    assert receiver.types() == ["customer.created"]


def test_webhook_fault_settings_are_validated(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    from stripe_emulator.control import EmulatorError

    with pytest.raises(EmulatorError) as info:
        stripe_emulator.control.set_webhook_faults(stripe_account, duplicates=0)
    assert info.value.status == 400


def test_signature_header_format_matches_the_sdk() -> None:
    from stripe_emulator.delivery import signature_header

    payload = b'{"id": "evt_1", "object": "event"}'
    header = signature_header(payload, ["whsec_abc"], int(time.time()))
    event = stripe.Webhook.construct_event(payload, header, "whsec_abc")
    assert event.id == "evt_1"
    rolled = signature_header(payload, ["whsec_new", "whsec_abc"], int(time.time()))
    assert stripe.Webhook.construct_event(payload, rolled, "whsec_abc").id == "evt_1"
