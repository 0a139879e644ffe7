"""Ingest: Stripe's signed deliveries are verified, stored once per (tenant, event id), and answered at once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from core import clock
from core.inbox.controllers import MAX_EVENT_BYTES
from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from tenants.secrets import SecretsStore
from tests.inbox.conftest import grants_by_invoice
from tests.inbox.stripe_events import deliver, encode, event, invoice_paid, signed, stripe_object
from tests.support.jobs import drain
from tests.support.tenants import WEBHOOK_SECRETS


async def stored(runtime: Runtime, tenant: str | None = None) -> list[WebhookEvent]:
    statement = select(WebhookEvent).order_by(WebhookEvent.created_at)
    if tenant:
        statement = statement.where(WebhookEvent.tenant_id == tenant)
    async with runtime.sessions() as session:
        return list((await session.execute(statement)).scalars())


async def test_a_signed_event_is_stored_answered_and_processed(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid(700)
    response = await deliver(client, evt)
    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["received"] is True
    assert receipt["duplicate"] is False
    assert receipt["status"] == "pending"
    await drain(runtime)
    (row,) = await stored(runtime)
    assert (row.stripe_event_id, row.tenant_id, row.event_type) == (evt["id"], "alpha", "invoice.paid")
    assert row.status == "processed"
    assert row.handlers == ["recorder"]
    assert row.attempts == 1
    assert row.object_id == evt["data"]["object"]["id"]
    assert row.payload == encode(evt).decode(), "the body is kept exactly as Stripe signed it"
    assert await grants_by_invoice(runtime) == {evt["data"]["object"]["id"]: 1}


async def test_a_duplicate_delivery_is_acknowledged_and_changes_nothing(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    first = await deliver(client, evt)
    await drain(runtime)
    again = await deliver(client, evt, timestamp=int(time.time()) + 1)
    await drain(runtime)
    assert first.status_code == again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True, "id": None, "status": None}
    assert len(await stored(runtime)) == 1
    assert list((await grants_by_invoice(runtime)).values()) == [1]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("wrong secret", "invalid_signature"),
        ("older than 300 s", "invalid_signature"),
        ("altered body", "invalid_signature"),
        ("no header", "missing_signature"),
        ("garbage header", "invalid_signature"),
        ("not an event", "invalid_event"),
    ],
)
async def test_unverified_or_malformed_deliveries_get_400_and_store_nothing(
    runtime: Runtime, client: Any, case: str, code: str
) -> None:
    evt = invoice_paid()
    body = encode(evt)
    headers = signed(body)
    if case == "wrong secret":
        headers = signed(body, secrets=["whsec_not_the_tenants"])
    elif case == "older than 300 s":
        headers = signed(body, timestamp=int(time.time()) - 301)
    elif case == "altered body":
        body = body.replace(b'"amount_paid":500', b'"amount_paid":50000')
        assert b"50000" in body
    elif case == "no header":
        del headers["Stripe-Signature"]
    elif case == "garbage header":
        headers["Stripe-Signature"] = "v1=deadbeef"
    elif case == "not an event":
        body = b'{"hello": "world"}'
        headers = signed(body)
    response = await client.post("/t/alpha/webhooks/stripe", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    assert await stored(runtime) == []


async def test_a_signature_of_another_tenant_is_refused(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    body = encode(evt)
    response = await client.post("/t/alpha/webhooks/stripe", content=body, headers=signed(body, "beta"))
    assert response.status_code == 400
    assert await stored(runtime) == []


async def test_unknown_tenant_is_404(runtime: Runtime, client: Any) -> None:
    body = encode(invoice_paid())
    response = await client.post("/t/nobody/webhooks/stripe", content=body, headers=signed(body))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "tenant_not_found"


async def test_only_post_is_taken(runtime: Runtime, client: Any) -> None:
    response = await client.get("/t/alpha/webhooks/stripe")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert await stored(runtime) == []


async def test_an_oversized_body_is_413_and_nothing_is_stored(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    evt["data"]["object"]["description"] = "x" * MAX_EVENT_BYTES
    body = encode(evt)
    response = await client.post("/t/alpha/webhooks/stripe", content=body, headers=signed(body))
    assert response.status_code == 413
    assert await stored(runtime) == []


async def test_a_body_sent_in_chunks_is_read_whole(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    body = encode(evt)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 100):
            yield body[start : start + 100]

    response = await client.post("/t/alpha/webhooks/stripe", content=chunks(), headers=signed(body))
    assert response.status_code == 200, response.text
    assert [row.stripe_event_id for row in await stored(runtime)] == [evt["id"]]


def secrets_file(runtime: Runtime, tenant: str = "alpha") -> dict[str, Any]:
    """The tenant's document in the settings secrets backend (what an operator edits)."""
    return runtime.config.tenant_secrets[tenant]


async def test_any_secret_of_a_rotation_verifies(runtime: Runtime, client: Any) -> None:
    secrets_file(runtime)["stripe_webhook_secrets"] = ["whsec_new_secret", WEBHOOK_SECRETS["alpha"]]
    old = await deliver(client, invoice_paid())
    new = await deliver(client, invoice_paid(), secrets=["whsec_new_secret"])
    assert (old.status_code, new.status_code) == (200, 200)
    assert len(await stored(runtime)) == 2


async def test_a_rolled_secret_is_picked_up_by_one_refresh(runtime: Runtime, client: Any) -> None:
    assert (await deliver(client, invoice_paid())).status_code == 200  # caches the current secrets
    secrets_file(runtime)["stripe_webhook_secrets"] = ["whsec_rolled"]
    clock.advance(dt.timedelta(seconds=SecretsStore.MIN_FORCED_REFRESH_INTERVAL + 1))
    response = await deliver(client, invoice_paid(), secrets=["whsec_rolled"])
    assert response.status_code == 200, response.text
    assert len(await stored(runtime)) == 2


async def test_secrets_unavailable_is_503_and_nothing_is_stored(runtime: Runtime, client: Any) -> None:
    del runtime.config.tenant_secrets["alpha"]
    response = await deliver(client, invoice_paid())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "secrets_unavailable"
    assert await stored(runtime) == []


async def test_an_event_no_enabled_plugin_handles_is_kept_as_ignored(runtime: Runtime, client: Any) -> None:
    evt = event("coupon.created", stripe_object("coupon"))
    response = await deliver(client, evt)
    assert response.json()["status"] == "ignored"
    (row,) = await stored(runtime)
    assert (row.status, row.processed_at is not None, row.handlers) == ("ignored", True, [])


async def test_the_same_event_id_is_stored_once_per_tenant(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    assert (await deliver(client, evt, "alpha")).json()["duplicate"] is False
    assert (await deliver(client, evt, "beta")).json()["duplicate"] is False
    await drain(runtime)
    assert [r.tenant_id for r in await stored(runtime, "alpha")] == ["alpha"]
    assert [r.tenant_id for r in await stored(runtime, "beta")] == ["beta"]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_ingest_and_processing_work_on_sqlite(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    assert (await deliver(client, evt)).status_code == 200
    assert (await deliver(client, evt)).json()["duplicate"] is True
    await drain(runtime)
    (row,) = await stored(runtime)
    assert row.status == "processed"
    assert await grants_by_invoice(runtime) == {evt["data"]["object"]["id"]: 1}
