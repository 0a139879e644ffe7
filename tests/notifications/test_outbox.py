"""The outbox: notices written with their cause, delivered signed (Standard Webhooks), retried, replayable."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook

from core import clock
from core.db import session_scope
from core.notifications import notify
from core.notifications.models import Notification
from core.notifications.tasks import sweep_notifications
from core.runtime import Runtime
from tests.notifications.conftest import TenantApp
from tests.support.jobs import drain
from tests.support.tenants import auth, notification_secret, tenant_block

NOTICES = "/t/alpha/v1/admin/notifications"


async def rows(runtime: Runtime) -> list[Notification]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Notification).order_by(Notification.created_at))).scalars())


async def settle(runtime: Runtime) -> None:
    await drain(runtime)


def example(runtime: Runtime, event_type: str) -> dict[str, Any]:
    """The first example of the type's declared data Struct: data `notify` accepts."""
    struct = runtime.notification_types[event_type].data
    assert struct is not None
    return dict(vars(struct)["schema_examples"][0])


async def send(runtime: Runtime, event_type: str = "credits.granted", tenant: str = "alpha", **kwargs: Any) -> None:
    async with session_scope(runtime.sessions) as session:
        await notify(session, runtime.tenants.get(tenant), event_type, example(runtime, event_type), **kwargs)
    await settle(runtime)


async def retry_due(runtime: Runtime, seconds: float) -> int:
    clock.advance(dt.timedelta(seconds=seconds))
    sent = await sweep_notifications(runtime)
    await settle(runtime)
    return sent


async def test_a_notice_is_delivered_signed_after_commit(runtime: Runtime, tenant_app: TenantApp) -> None:
    await send(runtime, dedupe_key="grant-1")
    ((headers, body),) = tenant_app.received
    payload = Webhook(notification_secret("alpha")).verify(body, headers)
    assert payload["type"] == "credits.granted"
    assert payload["tenant"] == "alpha"
    assert payload["data"] == example(runtime, "credits.granted")
    (row,) = await rows(runtime)
    assert headers["webhook-id"] == payload["id"] == str(row.id)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(notification_secret("beta")).verify(body, headers)


async def test_a_rolled_back_cause_notifies_nobody(runtime: Runtime, tenant_app: TenantApp) -> None:
    async def failing_cause() -> None:
        async with session_scope(runtime.sessions) as session:
            await notify(session, runtime.tenants.get("alpha"), "order.paid", example(runtime, "order.paid"))
            raise RuntimeError("the cause failed")

    with pytest.raises(RuntimeError):
        await failing_cause()
    await settle(runtime)
    assert await rows(runtime) == []
    assert tenant_app.received == []


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_the_same_dedupe_key_notifies_once(runtime: Runtime, tenant_app: TenantApp) -> None:
    await send(runtime, dedupe_key="order.paid:o1")
    await send(runtime, dedupe_key="order.paid:o1")
    await send(runtime, dedupe_key="order.paid:o2")
    assert len(await rows(runtime)) == 2
    assert len(tenant_app.received) == 2


async def test_tenants_without_a_url_get_no_notices(runtime: Runtime, tenant_app: TenantApp) -> None:
    await send(runtime, tenant="beta")
    assert await rows(runtime) == []


async def test_an_unknown_type_is_a_programming_error(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        with pytest.raises(ValueError, match="unknown notification type"):
            await notify(session, runtime.tenants.get("alpha"), "credits.stolen", {})


@pytest.mark.parametrize(
    ("event_type", "data", "fault"),
    [
        ("credits.low", {"customer": "cust-1", "balance": 80}, "missing required field `threshold`"),
        ("credits.low", {"customer": "cust-1", "balance": "80", "threshold": 100}, "Expected `int`, got `str`"),
        ("order.paid", {"order": "o1"}, "missing required field"),
        ("payment.failed", {"customer": "cust-1", "orders": "o1"}, "unknown field `orders`"),
    ],
)
async def test_data_that_does_not_match_its_struct_is_refused(
    runtime: Runtime, tenant_app: TenantApp, event_type: str, data: dict[str, Any], fault: str
) -> None:
    """A call site sending the wrong shape fails loudly, whether or not the tenant has a `notifications.url`."""
    for tenant in ("alpha", "beta"):
        async with runtime.sessions() as session:
            with pytest.raises(ValueError, match=f"the data of notification '{event_type}' does not match") as refused:
                await notify(session, runtime.tenants.get(tenant), event_type, data)
        assert fault in str(refused.value)
    await settle(runtime)
    assert await rows(runtime) == []


def test_a_type_has_one_data_struct_and_a_plain_meaning_leaves_it_undescribed() -> None:
    from core.ledger.notices import CreditsGranted, CreditsLow
    from core.notifications.types import NotificationType, PaymentFailed, register_types

    registry: dict[str, NotificationType] = {}
    register_types(registry, "third_party", {"payment.failed": "A payment failed.", "x.happened": ""})
    assert registry["payment.failed"] == NotificationType("A payment failed.")
    assert registry["x.happened"] == NotificationType("sent by third_party")
    register_types(registry, "subscriptions", {"payment.failed": NotificationType("Failed.", data=PaymentFailed)})
    register_types(registry, "token_packages", {"payment.failed": NotificationType("Failed.", data=PaymentFailed)})
    assert registry["payment.failed"] == NotificationType("A payment failed.", data=PaymentFailed)
    register_types(registry, "ledger", {"credits.granted": NotificationType("Granted.", data=CreditsGranted)})
    with pytest.raises(ValueError, match="'credits.granted': plugin 'rogue' declares its data as .*CreditsLow"):
        register_types(registry, "rogue", {"credits.granted": NotificationType("Granted.", data=CreditsLow)})


async def test_failures_retry_with_backoff_and_the_same_id(runtime: Runtime, tenant_app: TenantApp) -> None:
    tenant_app.answers = [500]
    await send(runtime, "payment.failed")
    (row,) = await rows(runtime)
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 1, 500)
    assert "HTTP 500" in (row.last_error or "")
    assert "the app is down" in (row.last_error or "")
    assert await retry_due(runtime, 0.5) == 0, "not due before the backoff"
    assert await retry_due(runtime, 1) == 1
    (row,) = await rows(runtime)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)
    first, second = (headers["webhook-id"] for headers, _ in tenant_app.received)
    assert first == second, "the app can drop a notice it already handled"


async def test_dead_after_max_attempts_then_replayed(runtime: Runtime, client: Any, tenant_app: TenantApp) -> None:
    tenant_app.answers = [503, 503, 503]
    await send(runtime, "subscription.past_due")
    await retry_due(runtime, 1.2)
    await retry_due(runtime, 2.4)
    (row,) = await rows(runtime)
    assert (row.status, row.attempts) == ("dead", 3)
    assert await retry_due(runtime, 3600) == 0

    admin = auth("alpha", "admin")
    dead = (await client.get(NOTICES, params={"status": "dead"}, headers=admin)).json()
    assert [n["id"] for n in dead["data"]] == [str(row.id)]
    assert dead["data"][0]["last_status_code"] == 503
    assert dead["data"][0]["type"] == "subscription.past_due"
    replayed = await client.post(f"{NOTICES}/{row.id}/replay", headers=admin)
    assert replayed.status_code == 202
    assert replayed.json()["status"] == "pending"
    await settle(runtime)
    after = (await client.get(f"{NOTICES}/{row.id}", headers=admin)).json()
    assert (after["status"], after["attempts"]) == ("delivered", 1)
    assert len(tenant_app.received) == 4


async def test_an_unreachable_app_is_retried(runtime: Runtime, make_runtime: Any) -> None:
    unreachable = make_runtime(
        tenants={"alpha": tenant_block("Alpha App", notifications={"url": "http://127.0.0.1:9/hooks"})}
    )
    await send(unreachable, "order.refunded")
    (row,) = await rows(unreachable)
    assert row.status == "failed"
    assert row.last_status_code is None
    assert "ConnectError" in (row.last_error or "")


async def test_admin_routes_are_admin_only_and_per_tenant(runtime: Runtime, client: Any, tenant_app: TenantApp) -> None:
    await send(runtime)
    (row,) = await rows(runtime)
    assert (await client.get(NOTICES, headers=auth("alpha"))).status_code == 403
    assert (await client.get(NOTICES, headers=auth("beta", "admin"))).status_code == 401
    beta = await client.get("/t/beta/v1/admin/notifications", headers=auth("beta", "admin"))
    assert beta.json() == {"data": [], "has_more": False, "next_cursor": None}
    cross = await client.get(f"/t/beta/v1/admin/notifications/{row.id}", headers=auth("beta", "admin"))
    assert cross.status_code == 404
    assert cross.json()["error"]["code"] == "notification_not_found"
    listed = (await client.get(NOTICES, headers=auth("alpha", "admin"))).json()["data"]
    assert json.loads(json.dumps(listed[0]["data"])) == example(runtime, "credits.granted")
