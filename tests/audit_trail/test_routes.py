"""Every audited route writes exactly one audit record, with the caller as its principal (table-driven).

The kernel's routes and the queued admin jobs (catalog sync, subscription reconcile) run here without
Stripe; refunds and subscription changes, which need the Stripe emulator, are in their own modules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from core import clock
from core.audit_trail.models import AuditRecord
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.notifications.models import Notification
from tests.ledger.conftest import grant, put_customer
from tests.support.tenants import auth, tenant_block, user_auth

FREE = {"id": "free", "name": "Free", "credits_per_month": 10, "models": ["flux-schnell"], "features": {}}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "Alpha App",
            ["product_sync", "subscriptions"],
            product_sync={"schedule": False},
            subscriptions={"tiers": [FREE]},
        ),
        "beta": tenant_block("Beta App"),
    }


async def dead_row(runtime: Any, model: type[Any], **fields: Any) -> str:
    """A dead webhook event or notification of tenant alpha, ready to be replayed."""
    async with session_scope(runtime.sessions) as session:
        row = model(tenant_id="alpha", status="dead", attempts=5, next_attempt_at=clock.now(), **fields)
        session.add(row)
        await session.flush()
        return str(row.id)


async def no_setup(client: Any, runtime: Any) -> dict[str, str]:
    return {}


async def customer(client: Any, runtime: Any) -> dict[str, str]:
    await put_customer(client, "acme")
    return {}


async def granted(client: Any, runtime: Any) -> dict[str, str]:
    await put_customer(client, "acme")
    await grant(client, "acme", 50, reference="promo-1")
    return {}


async def held(client: Any, runtime: Any) -> dict[str, str]:
    await granted(client, runtime)
    r = await client.post("/t/alpha/v1/customers/acme/holds", json={"credits": 20}, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    return {"hold": r.json()["id"]}


async def dead_event(client: Any, runtime: Any) -> dict[str, str]:
    event = await dead_row(
        runtime, WebhookEvent, event_type="invoice.paid", stripe_event_id="evt_audit_1", event_created=1, payload="{}"
    )
    return {"event": event}


async def dead_notification(client: Any, runtime: Any) -> dict[str, str]:
    return {"notification": await dead_row(runtime, Notification, event_type="credits.granted", data={})}


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Any, Any], Awaitable[dict[str, str]]]
    method: str
    path: str  # under /t/alpha/v1, with {event}/{notification} from the setup
    body: dict[str, Any] | None
    headers: Callable[[], dict[str, str]]
    action: str
    principal: str
    target: str


CASES = [
    Case("create a customer", no_setup, "PUT", "/customers/acme", {}, lambda: auth("alpha"), "customer.create",
         "alpha-service", "customer:acme"),
    Case("update a customer", customer, "PUT", "/customers/acme", {"name": "Acme"}, lambda: auth("alpha", "admin"),
         "customer.update", "alpha-admin", "customer:acme"),
    Case("grant", customer, "POST", "/customers/acme/grants", {"credits": 5}, lambda: auth("alpha", "admin"),
         "ledger.grant", "alpha-admin", "customer:acme"),
    Case("claw back", granted, "POST", "/customers/acme/clawbacks", {"source": "admin", "source_ref": "promo-1"},
         lambda: auth("alpha", "admin"), "ledger.clawback", "alpha-admin", "customer:acme"),
    Case("capture a hold", held, "POST", "/customers/acme/holds/{hold}/capture", {"credits": 5}, lambda: auth("alpha"),
         "hold.capture", "alpha-service", "customer:acme"),
    Case("release a hold", held, "POST", "/customers/acme/holds/{hold}/release", None, lambda: auth("alpha", "admin"),
         "hold.release", "alpha-admin", "customer:acme"),
    Case("replay an event", dead_event, "POST", "/admin/webhook-events/{event}/replay", None,
         lambda: auth("alpha", "admin"), "webhook_event.replay", "alpha-admin", "webhook_event:{event}"),
    Case("replay a notification", dead_notification, "POST", "/admin/notifications/{notification}/replay", None,
         lambda: auth("alpha", "admin"), "notification.replay", "alpha-admin", "notification:{notification}"),
    Case("erase a customer", customer, "DELETE", "/customers/acme", None, lambda: auth("alpha", "admin"),
         "customer.erase", "alpha-admin", "customer:erased_"),
    Case("sync the catalog", no_setup, "POST", "/admin/catalog/sync", None, lambda: auth("alpha", "admin"),
         "catalog.sync", "alpha-admin", "sync_run:"),
    Case("reconcile subscriptions", no_setup, "POST", "/admin/subscriptions/reconcile", None,
         lambda: auth("alpha", "admin"), "subscriptions.reconcile", "alpha-admin", "tenant:alpha"),
]  # fmt: skip


async def count_records(runtime: Any) -> int:
    async with session_scope(runtime.sessions) as session:
        return int((await session.execute(select(func.count()).select_from(AuditRecord))).scalar_one())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_each_audited_route_writes_one_record(client: Any, runtime: Any, case: Case) -> None:
    names = await case.setup(client, runtime)
    before = await count_records(runtime)
    call = await client.request(
        case.method, "/t/alpha/v1" + case.path.format(**names), json=case.body, headers=case.headers()
    )
    assert call.status_code < 300, call.text
    assert await count_records(runtime) == before + 1
    r = await client.get("/t/alpha/v1/admin/audit", params={"limit": 1}, headers=auth("alpha", "admin"))
    [newest] = r.json()["data"]
    assert (newest["action"], newest["principal"]) == (case.action, case.principal)
    assert newest["target"].startswith(case.target.format(**names))
    assert newest["request_id"] == call.headers["x-request-id"]
    assert newest["source_ip"]


async def test_reads_and_refused_calls_write_nothing(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    before = await count_records(runtime)
    await client.get("/t/alpha/v1/customers/acme/balance", headers=auth("alpha"))
    r = await client.post("/t/alpha/v1/customers/acme/grants", json={"credits": 5}, headers=auth("alpha"))
    assert r.status_code == 403
    r = await client.post("/t/alpha/v1/customers/acme/grants", json={"credits": 5}, headers=user_auth("alpha", "acme"))
    assert r.status_code == 403
    r = await client.post("/t/alpha/v1/customers/acme/grants", json={"credits": 0}, headers=auth("alpha", "admin"))
    assert r.status_code == 400
    assert await count_records(runtime) == before


async def test_a_job_records_as_system(runtime: Any) -> None:
    """Outside a request (the CLI, a task) the principal names the job."""
    import structlog

    from core.audit_trail import record
    from core.logs import bind

    async with session_scope(runtime.sessions) as session:
        cli = await record(session, "alpha", "test.cli", "tenant:alpha")
        bind(task="core.expire_credits")
        try:
            task = await record(session, "alpha", "test.task", "tenant:alpha")
        finally:
            structlog.contextvars.unbind_contextvars("task")
    assert (cli.principal, task.principal) == ("system:cli", "system:core.expire_credits")
