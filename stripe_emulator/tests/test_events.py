"""The events API as a backfill reads it: Stripe's 30-day retention measured on the account
clock, and `types[]` with `created[gte]` paged through the SDK's auto-pagination."""

from __future__ import annotations

import pytest
import stripe

from stripe_emulator.control import EmulatorError
from stripe_emulator.events import RETENTION_SECONDS
from stripe_emulator.pytest_plugin import EmulatorHandle

DAY = 86400


def _customers(client: stripe.StripeClient, n: int, *, update: bool = False) -> list[str]:
    ids = []
    for i in range(n):
        customer = client.v1.customers.create(params={"name": f"c{i}"})
        if update:
            client.v1.customers.update(customer.id, params={"name": f"renamed {i}"})
        ids.append(customer.id)
    return ids


def _event_ids(client: stripe.StripeClient) -> list[str]:
    return [e.id for e in client.v1.events.list(params={"limit": 100}).data]


def test_events_older_than_30_days_are_neither_listed_nor_retrievable(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    control = stripe_emulator.control
    _customers(stripe_client, 2)
    old = stripe_client.v1.events.list().data
    assert len(old) == 2
    created = max(e.created for e in old)

    # Exactly 30 days later they are still kept.
    control.advance_clock(stripe_account, to=created + RETENTION_SECONDS)
    assert _event_ids(stripe_client) == [e.id for e in old]
    assert stripe_client.v1.events.retrieve(old[0].id).id == old[0].id

    # A second more and Stripe no longer has them; newer events are listed as usual.
    control.advance_clock(stripe_account, seconds=1)
    (recent,) = _customers(stripe_client, 1)
    (listed,) = stripe_client.v1.events.list(params={"limit": 100}).data
    assert listed.type == "customer.created"
    assert listed.data.object.id == recent
    assert stripe_client.v1.events.list(
        params={"created": {"gte": created - DAY}, "types": ["customer.created"]}
    ).data[0].id == listed.id
    for event in old:
        with pytest.raises(stripe.InvalidRequestError) as info:
            stripe_client.v1.events.retrieve(event.id)
        assert info.value.http_status == 404
        assert info.value.code == "resource_missing"
        assert info.value.param == "id"
        assert str(info.value.user_message) == f"No such event: '{event.id}'"

    # The same answer as for an id the account never had.
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.events.retrieve("evt_never_was")
    assert unknown.value.http_status == 404
    assert unknown.value.code == "resource_missing"

    # A cursor pointing at an expired event is an unknown object, and it cannot be resent.
    with pytest.raises(stripe.InvalidRequestError) as cursor:
        stripe_client.v1.events.list(params={"starting_after": old[0].id})
    assert (cursor.value.http_status, cursor.value.param) == (400, "starting_after")
    with pytest.raises(EmulatorError) as resend:
        control.resend_event(stripe_account, old[0].id)
    assert resend.value.status == 404
    # The objects themselves stay.
    assert stripe_client.v1.customers.retrieve(old[0].data.object.id).id


def test_types_and_created_gte_auto_paginate_through_the_sdk(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    control = stripe_emulator.control
    _customers(stripe_client, 3, update=True)  # before the watermark
    control.advance_clock(stripe_account, seconds=600)
    watermark = control.account(stripe_account)["now"]
    _customers(stripe_client, 4, update=True)
    stripe_client.v1.products.create(params={"name": "Not asked for"})
    _customers(stripe_client, 3, update=True)

    wanted = ["customer.created", "customer.updated"]
    everything = stripe_client.v1.events.list(params={"limit": 100}).data
    expected = [e.id for e in everything if e.type in wanted and e.created >= watermark]
    assert len(expected) == 14

    first = stripe_client.v1.events.list(
        params={"types": wanted, "created": {"gte": watermark}, "limit": 3}
    )
    assert first.has_more is True
    paged = list(first.auto_paging_iter())
    assert [e.id for e in paged] == expected  # newest first, 5 pages, nothing twice
    assert all(e.created >= watermark and e.type in wanted for e in paged)

    # Ascending with ending_before, as the SDK pages backwards from the oldest known one.
    oldest = expected[-1]
    backwards = stripe_client.v1.events.list(
        params={"types": wanted, "created": {"gte": watermark}, "limit": 2,
                "ending_before": oldest}
    ).auto_paging_iter()
    assert [e.id for e in backwards] == list(reversed(expected[:-1]))


async def test_auto_pagination_async(
    stripe_emulator: EmulatorHandle, stripe_client: stripe.StripeClient, stripe_account: str
) -> None:
    watermark = stripe_emulator.control.account(stripe_account)["now"]
    _customers(stripe_client, 5)
    page = await stripe_client.v1.events.list_async(
        {"types": ["customer.created"], "created": {"gte": watermark}, "limit": 2}
    )
    ids = [e.id async for e in page.auto_paging_iter()]
    assert ids == _event_ids(stripe_client)
    assert len(ids) == 5
