"""Fixtures of the retention tests: two tenants with old and new rows of every kind retention looks at.

Old rows are made at the start of the test, then the clock moves `AGE` forward (past every default
period: 365 days and 7 years) and new rows are made. Each tenant gets the same rows; beta keeps
everything for 10,000 days under its own `retention` block.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core import clock
from core.audit_trail.models import AuditRecord
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.ledger.models import CreditHold
from core.notifications.models import Notification
from tests.ledger.conftest import grant, put_customer
from tests.support.tenants import auth, tenant_block

AGE = dt.timedelta(days=7 * 365 + 30)
BETA_DAYS = 10_000


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    keep = dict.fromkeys(("webhook_payload_days", "notification_days", "audit_days", "ledger_days"), BETA_DAYS)
    return {"alpha": tenant_block("Alpha App"), "beta": tenant_block("Beta App", retention=keep)}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Small batches: every kind takes several.
    return {"retention": {"batch_size": 2}}


@dataclass
class Rows:
    """One tenant's fixture rows by name (their ids), and how many audit records were made while old."""

    tenant: str
    events: dict[str, uuid.UUID] = field(default_factory=dict)
    notifications: dict[str, uuid.UUID] = field(default_factory=dict)
    holds: dict[str, str] = field(default_factory=dict)
    old_audit_records: int = 0


async def add_event(runtime: Any, rows: Rows, name: str, status: str) -> None:
    now = clock.now()
    event_id = f"evt_{name}_{uuid.uuid4().hex[:8]}"
    body = {"id": event_id, "type": "invoice.paid", "created": int(now.timestamp()), "data": {"object": {"id": "in_1"}}}
    row = WebhookEvent(
        tenant_id=rows.tenant,
        stripe_event_id=event_id,
        event_type="invoice.paid",
        object_id="in_1",
        event_created=int(now.timestamp()),
        payload=json.dumps(body),
        status=status,
        attempts=1,
        next_attempt_at=now,
        processed_at=now if status in ("processed", "ignored") else None,
        handlers=[],
        last_error="boom" if status == "dead" else None,
        created_at=now,
        updated_at=now,
    )
    async with session_scope(runtime.sessions) as session:
        session.add(row)
    rows.events[name] = row.id


async def add_notification(runtime: Any, rows: Rows, name: str, status: str) -> None:
    now = clock.now()
    row = Notification(
        tenant_id=rows.tenant,
        event_type="credits.granted",
        status=status,
        attempts=1,
        next_attempt_at=now,
        data={"customer": "old"},
        dedupe_key=f"{name}-{uuid.uuid4().hex[:8]}",
        delivered_at=now if status == "delivered" else None,
        created_at=now,
        updated_at=now,
    )
    async with session_scope(runtime.sessions) as session:
        session.add(row)
    rows.notifications[name] = row.id


async def add_hold(client: httpx.AsyncClient, rows: Rows, name: str, customer: str, close: str | None) -> None:
    base = f"/t/{rows.tenant}/v1/customers/{customer}/holds"
    r = await client.post(base, json={"credits": 2}, headers=auth(rows.tenant))
    assert r.status_code == 201, r.text
    hold_id = r.json()["id"]
    if close is not None:
        r = await client.post(f"{base}/{hold_id}/{close}", headers=auth(rows.tenant))
        assert r.status_code == 200, r.text
    rows.holds[name] = hold_id


async def audit_count(runtime: Any, tenant: str) -> int:
    async with runtime.sessions() as session:
        statement = select(func.count()).select_from(AuditRecord).where(AuditRecord.tenant_id == tenant)
        return int((await session.execute(statement)).scalar_one())


async def seed_old(runtime: Any, client: httpx.AsyncClient, tenant: str) -> Rows:
    """Rows of every kind, made now (then aged by the clock): some a policy prunes, some it never does."""
    rows = Rows(tenant)
    await put_customer(client, "old", tenant=tenant)
    await put_customer(client, "idle", tenant=tenant)
    await grant(client, "old", 50, tenant=tenant)
    await grant(client, "idle", 50, tenant=tenant)
    for name, status in (
        ("old_processed", "processed"),
        ("old_ignored", "ignored"),
        ("old_dead", "dead"),
        ("old_pending", "pending"),
        ("old_failed", "failed"),
    ):
        await add_event(runtime, rows, name, status)
    for name, status in (("old_delivered", "delivered"), ("old_pending", "pending"), ("old_dead", "dead")):
        await add_notification(runtime, rows, name, status)
    await add_hold(client, rows, "old_captured", "old", "capture")
    await add_hold(client, rows, "old_released", "old", "release")
    # Never settled: its account is not touched again, so it stays `active` however late it is.
    await add_hold(client, rows, "old_active", "idle", None)
    rows.old_audit_records = await audit_count(runtime, tenant)
    return rows


async def seed_new(runtime: Any, client: httpx.AsyncClient, rows: Rows) -> None:
    """Recent rows of the kinds the policy prunes once old: all kept."""
    await grant(client, "old", 5, tenant=rows.tenant)
    await add_event(runtime, rows, "new_processed", "processed")
    await add_notification(runtime, rows, "new_delivered", "delivered")
    await add_hold(client, rows, "new_captured", "old", "capture")


@pytest.fixture
async def seeded(runtime: Any, client: httpx.AsyncClient) -> Mapping[str, Rows]:
    """Both tenants' rows: the old ones made `AGE` ago by the clock, the new ones now."""
    old = {tenant: await seed_old(runtime, client, tenant) for tenant in ("alpha", "beta")}
    clock.advance(AGE)
    for rows in old.values():
        await seed_new(runtime, client, rows)
    return old


async def state(runtime: Any) -> dict[str, set[tuple[str, str]]]:
    """What retention may change, per tenant: event bodies kept, events, notifications, audit records, holds."""
    e = WebhookEvent
    queries = {
        "bodies": select(e.tenant_id, e.id).where(e.payload_pruned_at.is_(None)),
        "events": select(e.tenant_id, e.id),
        "notifications": select(Notification.tenant_id, Notification.id),
        "audit": select(AuditRecord.tenant_id, AuditRecord.seq),
        "holds": select(CreditHold.tenant_id, CreditHold.id),
    }
    async with runtime.sessions() as session:
        return {
            name: {(str(a), str(b)) for a, b in (await session.execute(query)).all()} for name, query in queries.items()
        }
