"""Operators' routes: list this tenant's events by status and type, read one, replay one."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import session_scope
from core.inbox.repository import InboxRepository
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice, recorder
from tests.inbox.stripe_events import deliver, event, invoice_paid, stripe_object
from tests.support.jobs import drain
from tests.support.tenants import auth, user_auth

EVENTS = "/t/alpha/v1/admin/webhook-events"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"inbox": {"max_attempts": 1}}


async def ingest(runtime: Runtime, client: Any, *events: dict[str, Any], tenant: str = "alpha") -> list[str]:
    ids = [(await deliver(client, evt, tenant)).json()["id"] for evt in events]
    await drain(runtime)
    return ids


async def test_list_filters_and_pages(runtime: Runtime, client: Any) -> None:
    paid, product, failed = invoice_paid(), event("coupon.created", stripe_object("coupon")), invoice_paid()
    recorder.FAILURES[failed["id"]] = 1
    await ingest(runtime, client, paid, product, failed)
    admin = auth("alpha", "admin")

    everything = (await client.get(EVENTS, headers=admin)).json()
    assert [e["stripe_event_id"] for e in everything["data"]] == [failed["id"], product["id"], paid["id"]]
    assert everything["next_cursor"] is None
    statuses = {e["stripe_event_id"]: e["status"] for e in everything["data"]}
    assert statuses == {paid["id"]: "processed", product["id"]: "ignored", failed["id"]: "dead"}

    dead = (await client.get(EVENTS, params={"status": "dead"}, headers=admin)).json()["data"]
    assert [e["stripe_event_id"] for e in dead] == [failed["id"]]
    assert "planned failure" in dead[0]["last_error"]
    assert dead[0]["attempts"] == 1
    typed = (await client.get(EVENTS, params={"type": "coupon.created"}, headers=admin)).json()["data"]
    assert [e["stripe_event_id"] for e in typed] == [product["id"]]

    first = (await client.get(EVENTS, params={"limit": 2}, headers=admin)).json()
    rest = (await client.get(EVENTS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin)).json()
    assert [e["stripe_event_id"] for e in first["data"] + rest["data"]] == [failed["id"], product["id"], paid["id"]]
    assert (first["has_more"], rest["has_more"], rest["next_cursor"]) == (True, False, None)

    assert (await client.get(EVENTS, params={"status": "lost"}, headers=admin)).status_code == 400
    bad_cursor = await client.get(EVENTS, params={"cursor": "nope"}, headers=admin)
    assert bad_cursor.json()["error"]["code"] == "invalid_cursor"


async def test_read_one_by_our_id_or_stripes(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid(123)
    (row_id,) = await ingest(runtime, client, evt)
    admin = auth("alpha", "admin")
    by_ours = (await client.get(f"{EVENTS}/{row_id}", headers=admin)).json()
    by_stripe = (await client.get(f"{EVENTS}/{evt['id']}", headers=admin)).json()
    assert by_ours == by_stripe
    assert by_ours["payload"]["data"]["object"]["amount_paid"] == 123
    assert by_ours["handlers"] == ["recorder"]
    assert by_ours["processed_at"] is not None
    for missing in ("evt_nope", "00000000-0000-0000-0000-000000000000", "not-an-id"):
        response = await client.get(f"{EVENTS}/{missing}", headers=admin)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "webhook_event_not_found"


async def test_replay_a_dead_event_processes_it_once(runtime: Runtime, client: Any) -> None:
    evt = invoice_paid()
    recorder.FAILURES[evt["id"]] = 1
    (row_id,) = await ingest(runtime, client, evt)
    admin = auth("alpha", "admin")
    assert (await client.get(f"{EVENTS}/{row_id}", headers=admin)).json()["status"] == "dead"
    assert await grants_by_invoice(runtime) == {}

    replayed = await client.post(f"{EVENTS}/{row_id}/replay", headers=admin)
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["status"] == "pending"
    assert replayed.json()["attempts"] == 0
    await drain(runtime)
    after = (await client.get(f"{EVENTS}/{row_id}", headers=admin)).json()
    assert (after["status"], after["attempts"], after["last_error"]) == ("processed", 1, None)
    assert list((await grants_by_invoice(runtime)).values()) == [1]

    again = await client.post(f"{EVENTS}/{evt['id']}/replay", headers=admin)
    assert again.status_code == 202
    await drain(runtime)
    assert list((await grants_by_invoice(runtime)).values()) == [2], "a replay re-runs the handlers, by design"


async def test_an_event_in_progress_cannot_be_replayed(runtime: Runtime, client: Any) -> None:
    evt = event("coupon.created", stripe_object("coupon"))
    (row_id,) = await ingest(runtime, client, evt)
    async with session_scope(runtime.sessions) as session:
        repo = InboxRepository(session=session, tenant_id="alpha")
        await repo.reopen(row_id)
        assert await repo.claim(row_id, lease_seconds=60, max_attempts=1) is not None
    response = await client.post(f"{EVENTS}/{row_id}/replay", headers=auth("alpha", "admin"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "webhook_event_in_progress"


async def test_admin_routes_need_an_admin_key_of_the_tenant(runtime: Runtime, client: Any) -> None:
    (row_id,) = await ingest(runtime, client, invoice_paid())
    (beta_id,) = await ingest(runtime, client, invoice_paid(), tenant="beta")
    assert (await client.get(EVENTS, headers=auth("alpha"))).status_code == 403
    assert (await client.get(EVENTS, headers=user_auth("alpha", "cust-1"))).status_code == 403
    assert (await client.get(EVENTS)).status_code == 401
    assert (await client.get(EVENTS, headers=auth("beta", "admin"))).status_code == 401
    assert (await client.post(f"{EVENTS}/{row_id}/replay", headers=auth("alpha"))).status_code == 403
    beta_list = (await client.get("/t/beta/v1/admin/webhook-events", headers=auth("beta", "admin"))).json()
    assert [e["id"] for e in beta_list["data"]] == [beta_id]
    cross = await client.get(f"/t/beta/v1/admin/webhook-events/{row_id}", headers=auth("beta", "admin"))
    assert cross.status_code == 404
    cross_replay = await client.post(f"/t/beta/v1/admin/webhook-events/{row_id}/replay", headers=auth("beta", "admin"))
    assert cross_replay.status_code == 404
