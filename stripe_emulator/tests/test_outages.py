"""Outages a receiver cannot see: dropped deliveries (`drop`, `drop_until`), deliveries
signed with a secret it does not know (`stale_secret`), and Stripe disabling an endpoint
that keeps failing (`disable_after_failures`). What they leave behind is what a backfill
from the events API must recover."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from stripe_emulator.control import EmulatorError
from stripe_emulator.pytest_plugin import EmulatorHandle
from stripe_emulator.tests.receiver import WebhookReceiver

DAY = 86400


def _customer(client: stripe.StripeClient, name: str = "c") -> str:
    return client.v1.customers.create(params={"name": name}).id


def _event_for(client: stripe.StripeClient, customer_id: str) -> Any:
    (event,) = [
        e for e in client.v1.events.list(params={"type": "customer.created", "limit": 100}).data
        if e.data.object.id == customer_id
    ]
    return event


def _received(receiver: WebhookReceiver) -> list[str]:
    return [e["data"]["object"]["id"] for e in receiver.accepted()]


def test_dropped_deliveries_are_not_sent_retried_or_resent_later(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    client = stripe_emulator.stripe_client(hooked_account)
    control.set_webhook_faults(hooked_account, drop=True, max_attempts=3, backoff_base=0.01)
    assert control.webhook_faults(hooked_account)["drop"] is True
    lost = _customer(client, "lost")
    summary = control.settle(hooked_account)
    assert (summary["attempts"], summary["dropped"], summary["failed"], summary["delivered"],
            summary["gave_up"]) == (1, 1, 0, 0, 0)
    (attempt,) = control.deliveries(hooked_account)["data"]
    assert attempt["dropped"] is True
    assert (attempt["final"], attempt["ok"], attempt["status_code"]) == (True, False, None)
    assert receiver.deliveries == [] and receiver.rejected == []
    lost_event = _event_for(client, lost)
    assert lost_event.pending_webhooks == 1
    assert client.v1.events.list(params={"delivery_success": False}).data[0].id == lost_event.id

    # The endpoint is reachable again: new events arrive, the lost one stays lost.
    control.set_webhook_faults(hooked_account)
    arrived = _customer(client, "arrived")
    summary = control.settle(hooked_account)
    assert (summary["attempts"], summary["delivered"], summary["dropped"]) == (2, 1, 1)
    assert _received(receiver) == [arrived]
    assert client.v1.events.retrieve(lost_event.id).pending_webhooks == 1

    # ... unless it is resent by hand.
    assert control.resend_event(hooked_account, lost_event.id)["queued"] == 1
    control.settle(hooked_account)
    assert _received(receiver) == [arrived, lost]
    assert client.v1.events.retrieve(lost_event.id).pending_webhooks == 0


def test_drop_until_an_account_clock_time(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    client = stripe_emulator.stripe_client(hooked_account)
    now = control.account(hooked_account)["now"]
    control.set_webhook_faults(hooked_account, drop_until=now + 2 * DAY)
    assert control.webhook_faults(hooked_account)["drop_until"] == now + 2 * DAY
    first = _customer(client, "day 0")
    control.advance_clock(hooked_account, seconds=DAY)
    second = _customer(client, "day 1")
    assert control.settle(hooked_account)["dropped"] == 2
    assert receiver.deliveries == []

    control.advance_clock(hooked_account, seconds=DAY)  # two simulated days are over
    third = _customer(client, "day 2")
    summary = control.settle(hooked_account)
    assert (summary["delivered"], summary["dropped"]) == (1, 2)
    assert _received(receiver) == [third]
    assert [_event_for(client, c).pending_webhooks for c in (first, second, third)] == [1, 1, 0]


def test_a_stale_secret_is_rejected_retried_and_given_up(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    client = stripe_emulator.stripe_client(hooked_account)
    current = receiver.secret
    control.set_webhook_faults(hooked_account, stale_secret="whsec_rolled_unseen",
                               max_attempts=3, backoff_base=0.01)
    rejected = _customer(client, "rejected")
    summary = control.settle(hooked_account)
    assert (summary["attempts"], summary["failed"], summary["gave_up"]) == (3, 3, 1)
    log = control.deliveries(hooked_account)["data"]
    assert [(a["status_code"], a["final"]) for a in log] == [(400, False), (400, False),
                                                            (400, True)]
    assert len(receiver.rejected) == 3
    assert all("signature" in r.lower() for r in receiver.rejected)
    assert _event_for(client, rejected).pending_webhooks == 1

    # The signature is a good one, only with the secret the receiver does not know.
    receiver.secret = "whsec_rolled_unseen"
    signed_stale = _customer(client, "signed stale")
    control.settle(hooked_account)
    assert _received(receiver) == [signed_stale]
    assert receiver.deliveries[-1].signature.count("v1=") == 1

    # Without the fault, the endpoint's own secret signs again.
    receiver.secret = current
    control.set_webhook_faults(hooked_account)
    fine = _customer(client, "fine")
    control.settle(hooked_account)
    assert _received(receiver) == [signed_stale, fine]


def test_an_endpoint_that_keeps_failing_is_disabled_and_can_be_enabled_again(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    client = stripe_emulator.stripe_client(hooked_account)
    (endpoint,) = client.v1.webhook_endpoints.list().data
    answer = {"status": 500}
    receiver.respond = lambda event, seen: answer["status"]
    control.set_webhook_faults(hooked_account, disable_after_failures=3, max_attempts=2,
                               backoff_base=0.01)

    def status() -> str:
        return str(client.v1.webhook_endpoints.retrieve(endpoint.id).status)

    # Two given up, one delivered (the count starts again), two given up: still enabled.
    _customer(client, "fail 1")
    _customer(client, "fail 2")
    control.settle(hooked_account)
    answer["status"] = 200
    _customer(client, "ok")
    control.settle(hooked_account)
    answer["status"] = 500
    _customer(client, "fail 3")
    _customer(client, "fail 4")
    summary = control.settle(hooked_account)
    assert (summary["gave_up"], summary["delivered"]) == (4, 1)
    assert status() == "enabled"

    # The third in a row disables it; nothing more is sent to it.
    _customer(client, "fail 5")
    summary = control.settle(hooked_account)
    assert summary["gave_up"] == 5
    assert status() == "disabled"
    assert client.v1.webhook_endpoints.list().data[0].status == "disabled"
    attempts = summary["attempts"]
    answer["status"] = 200
    missed = _customer(client, "while disabled")
    assert control.settle(hooked_account)["attempts"] == attempts
    assert _event_for(client, missed).pending_webhooks == 0  # no endpoint was listening

    # Enabled again through the API, with a clean count: deliveries resume, missed ones
    # are not sent, and one more failure does not disable it at once.
    enabled = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
    assert enabled.status == "enabled"
    back = _customer(client, "back")
    control.settle(hooked_account)
    assert _received(receiver)[-1] == back
    assert missed not in _received(receiver)
    answer["status"] = 500
    _customer(client, "one failure")
    control.settle(hooked_account)
    assert status() == "enabled"


def test_failures_are_counted_per_endpoint_and_drops_count_too(
    stripe_emulator: EmulatorHandle, hooked_account: str, receiver: WebhookReceiver
) -> None:
    control = stripe_emulator.control
    client = stripe_emulator.stripe_client(hooked_account)
    (healthy,) = client.v1.webhook_endpoints.list().data
    broken = control.register_webhook(hooked_account, "http://127.0.0.1:9/hooks")
    control.set_webhook_faults(hooked_account, disable_after_failures=2, max_attempts=1)
    _customer(client, "a")
    _customer(client, "b")
    control.settle(hooked_account)
    assert client.v1.webhook_endpoints.retrieve(broken["id"]).status == "disabled"
    assert client.v1.webhook_endpoints.retrieve(healthy.id).status == "enabled"
    assert len(receiver.accepted()) == 2

    # An outage long enough for Stripe to give up also ends with the endpoint disabled.
    control.set_webhook_faults(hooked_account, disable_after_failures=2, drop=True)
    _customer(client, "c")
    _customer(client, "d")
    assert control.settle(hooked_account)["dropped"] == 2
    assert client.v1.webhook_endpoints.retrieve(healthy.id).status == "disabled"


@pytest.mark.parametrize(
    "setting",
    [{"disable_after_failures": 0}, {"disable_after_failures": "3"}, {"drop": "yes"},
     {"drop_until": "tomorrow"}, {"stale_secret": ""}],
)
def test_outage_settings_are_validated(
    stripe_emulator: EmulatorHandle, stripe_account: str, setting: dict[str, Any]
) -> None:
    with pytest.raises(EmulatorError) as info:
        stripe_emulator.control._call("PUT", "/_emulator/webhooks/faults", stripe_account,
                                      setting)
    assert info.value.status == 400
    assert info.value.error["param"] == next(iter(setting))


def test_reset_clears_outage_settings(
    stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    control = stripe_emulator.control
    control.set_webhook_faults(stripe_account, drop=True, stale_secret="whsec_x",
                               disable_after_failures=1, drop_until=1)
    control.reset(stripe_account)
    faults = control.webhook_faults(stripe_account)
    assert (faults["drop"], faults["drop_until"], faults["stale_secret"],
            faults["disable_after_failures"]) == (False, None, None, None)
