"""Findings of the security review: signatures from the future, events of the other mode, errors shown to admins."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy import select, update

from core.db import session_scope
from core.errors import EXCEPTION_HANDLERS
from core.inbox.controllers import receive_stripe_event
from core.inbox.models import WebhookEvent
from core.inbox.services import InboxProcessor, InboxService
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice
from tests.inbox.stripe_events import deliver, event, invoice_paid, stripe_object
from tests.inbox.test_processing import store_pending
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import auth

EVENTS = "/t/{tenant}/v1/admin/webhook-events"
MINUTE = 60


@pytest.fixture
async def typed_client(runtime: Runtime, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The typed ingest route alone: the app serves it only to slugs the bare ASGI route does not know."""
    inbox = InboxService(runtime)
    app = Litestar(
        route_handlers=[receive_stripe_event], exception_handlers=EXCEPTION_HANDLERS, state=State({"inbox": inbox})
    )
    async with asgi_client(app) as http:
        yield http
    await inbox.close()


@pytest.fixture(params=["bare ASGI route", "typed route"])
def stripe_client(request: pytest.FixtureRequest) -> httpx.AsyncClient:
    """Stripe's side of ingest, through each of the two routes that answer it."""
    name = "client" if request.param == "bare ASGI route" else "typed_client"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


async def stored(runtime: Runtime) -> list[WebhookEvent]:
    async with runtime.sessions() as session:
        return list((await session.scalars(select(WebhookEvent).order_by(WebhookEvent.created_at))).all())


async def admin_view(client: httpx.AsyncClient, ref: str, tenant: str = "alpha") -> dict[str, Any]:
    response = await client.get(f"{EVENTS.format(tenant=tenant)}/{ref}", headers=auth(tenant, "admin"))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_one_line(error: str | None) -> None:
    assert error, "an error is shown"
    assert "\n" not in error
    for internal in ("Traceback", 'File "', "/work/", ".py"):
        assert internal not in error, f"{internal!r} in {error!r}"


# --- A signature dated in the future ---------------------------------------------------------------


async def test_a_signature_more_than_the_tolerance_ahead_is_refused(
    runtime: Runtime, stripe_client: httpx.AsyncClient
) -> None:
    response = await deliver(stripe_client, invoice_paid(), timestamp=int(time.time()) + 6 * MINUTE)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_signature"
    await drain(runtime)
    assert await stored(runtime) == []


async def test_a_signature_within_the_tolerance_ahead_is_taken(
    runtime: Runtime, stripe_client: httpx.AsyncClient
) -> None:
    evt = invoice_paid()
    response = await deliver(stripe_client, evt, timestamp=int(time.time()) + 4 * MINUTE)
    assert response.status_code == 200, response.text
    await drain(runtime)
    assert [(row.stripe_event_id, row.status) for row in await stored(runtime)] == [(evt["id"], "processed")]


# --- An event of the other mode than the tenant's Stripe key -------------------------------------


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_live_event_for_a_test_key_is_kept_ignored_and_never_applied(
    runtime: Runtime, client: httpx.AsyncClient, stripe_client: httpx.AsyncClient
) -> None:
    evt = invoice_paid(900) | {"livemode": True}
    response = await deliver(stripe_client, evt)
    assert response.status_code == 200, "acknowledged, so Stripe stops sending it"
    assert response.json()["status"] == "ignored"
    await drain(runtime)
    (row,) = await stored(runtime)
    assert (row.status, row.handlers, row.attempts) == ("ignored", [], 0)
    assert await grants_by_invoice(runtime) == {}, "no handler ran"
    shown = await admin_view(client, evt["id"])
    assert shown["status"] == "ignored"
    assert shown["last_error"] == "livemode mismatch: event livemode=true, tenant key is test mode"


async def test_a_replayed_event_of_the_other_mode_stays_ignored(runtime: Runtime, client: httpx.AsyncClient) -> None:
    evt = invoice_paid(900) | {"livemode": True}
    row_id = (await deliver(client, evt)).json()["id"]
    replayed = await client.post(f"{EVENTS.format(tenant='alpha')}/{row_id}/replay", headers=auth("alpha", "admin"))
    assert replayed.status_code == 202, replayed.text
    await drain(runtime)
    shown = await admin_view(client, row_id)
    assert (shown["status"], shown["attempts"], shown["handlers"]) == ("ignored", 1, [])
    assert shown["last_error"] == "livemode mismatch: event livemode=true, tenant key is test mode"
    assert await grants_by_invoice(runtime) == {}, "a replay applies it no more than ingest did"


@pytest.mark.parametrize("key", ["sk_live_beta", "rk_live_beta"])
async def test_a_live_key_takes_live_events_and_ignores_test_ones(
    runtime: Runtime, client: httpx.AsyncClient, key: str
) -> None:
    runtime.config.tenant_secrets["beta"]["stripe_secret_key"] = key
    live, test = invoice_paid(100) | {"livemode": True}, invoice_paid(200)
    assert (await deliver(client, live, "beta")).json()["status"] == "pending"
    assert (await deliver(client, test, "beta")).json()["status"] == "ignored"
    await drain(runtime)
    assert await grants_by_invoice(runtime, "beta") == {live["data"]["object"]["id"]: 1}
    assert (await admin_view(client, live["id"], "beta"))["last_error"] is None
    shown = await admin_view(client, test["id"], "beta")
    assert shown["last_error"] == "livemode mismatch: event livemode=false, tenant key is live mode"


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_an_event_pending_when_the_key_changed_mode_is_routed_alike_on_every_path(runtime: Runtime) -> None:
    """Stored pending while the tenant's key was of its mode, processed once the key is of the other: the
    grouped first attempts (PostgreSQL) route it as the general path does, and the rest of its batch applies."""
    other_mode = invoice_paid(900) | {"livemode": True}
    paid = [invoice_paid(100), invoice_paid(200)]
    ids = [await store_pending(runtime, evt) for evt in (paid[0], other_mode, paid[1])]
    processor = InboxProcessor(runtime)
    results = await asyncio.gather(*(processor.process("alpha", i) for i in ids))
    assert results == ["processed", "ignored", "processed"]
    rows = {row.stripe_event_id: row for row in await stored(runtime)}
    row = rows[other_mode["id"]]
    assert (row.status, row.handlers, row.attempts) == ("ignored", [], 1)
    assert row.last_error == "livemode mismatch: event livemode=true, tenant key is test mode"
    assert await grants_by_invoice(runtime) == {evt["data"]["object"]["id"]: 1 for evt in paid}


# --- Errors as admins see them ---------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_failing_handler_shows_one_line_and_logs_the_traceback(
    runtime: Runtime, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    evt = invoice_paid()
    del evt["data"]["object"]["amount_paid"]
    row_id = (await deliver(client, evt)).json()["id"]
    with caplog.at_level(logging.WARNING, logger="tollgate.inbox"):
        await drain(runtime)
    shown = await admin_view(client, row_id)
    assert shown["status"] == "failed"
    assert shown["last_error"] == (
        "HandlerFailed: the 'recorder' handler for invoice.paid failed: KeyError: 'amount_paid'"
    )
    listed = (await client.get(EVENTS.format(tenant="alpha"), headers=auth("alpha", "admin"))).json()["data"]
    assert [e["last_error"] for e in listed] == [shown["last_error"]]
    (record,) = [r for r in caplog.records if r.name == "tollgate.inbox" and row_id in r.getMessage()]
    assert "alpha" in record.getMessage()
    assert record.exc_info is not None, "operators keep the traceback in the log"


async def test_a_traceback_stored_before_is_shown_as_its_first_line(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    row_id = (await deliver(client, event("coupon.created", stripe_object("coupon")))).json()["id"]
    old = (
        "RuntimeError: boom\n\nTraceback (most recent call last):\n"
        '  File "/work/main/core/inbox/dispatch.py", line 36, in dispatch\n    await handler(ctx)\nRuntimeError: boom\n'
    )
    async with session_scope(runtime.sessions) as session:
        await session.execute(update(WebhookEvent).where(WebhookEvent.id == uuid.UUID(row_id)).values(last_error=old))
    assert (await admin_view(client, row_id))["last_error"] == "RuntimeError: boom"
    listed = (await client.get(EVENTS.format(tenant="alpha"), headers=auth("alpha", "admin"))).json()["data"]
    assert_one_line(listed[0]["last_error"])
