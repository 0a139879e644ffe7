"""Holds closed by the backend and grants made on the command line are audited once; repeats write nothing."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from core.audit_trail.models import AuditRecord
from core.cli import main
from core.customers.models import Customer
from core.db import session_scope
from tests.ledger.conftest import grant, put_customer
from tests.support.tenants import auth

HOLDS = "/t/alpha/v1/customers/acme/holds"


async def invoke(runtime: Any, *args: str) -> Result:
    """Run the CLI in its own thread and event loop, with its own runtime, and in an empty context as its
    own process would be: the test's in-process requests leave their request id and caller in this one."""
    return await asyncio.to_thread(contextvars.Context().run, CliRunner().invoke, main, list(args), obj=runtime)


async def stored(runtime: Any, action: str) -> list[AuditRecord]:
    """The records of `action` as stored (customers by row id), oldest first."""
    async with session_scope(runtime.sessions) as session:
        statement = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
        return list((await session.execute(statement)).scalars())


async def row_id(runtime: Any, customer: str) -> str:
    async with session_scope(runtime.sessions) as session:
        statement = select(Customer.id).where(Customer.tenant_id == "alpha", Customer.external_id == customer)
        return str((await session.execute(statement)).scalar_one())


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_capture_and_a_release_are_audited_once_each(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    await grant(client, "acme", 50)
    holds = []
    for amount in (20, 10):
        r = await client.post(HOLDS, json={"credits": amount, "reason": "render job for Ada"}, headers=auth("alpha"))
        assert r.status_code == 201, r.text
        holds.append(r.json()["id"])
    captured, released = holds
    for _ in range(2):  # the second call repeats the first (same key, same body): its answer, no record
        keyed = auth("alpha") | {"Idempotency-Key": "capture-1"}
        r = await client.post(f"{HOLDS}/{captured}/capture", json={"credits": 15}, headers=keyed)
        assert r.status_code == 200, r.text
        keyed = auth("alpha") | {"Idempotency-Key": "release-1"}
        r = await client.post(f"{HOLDS}/{released}/release", headers=keyed)
        assert r.status_code == 200, r.text
    r = await client.post(f"{HOLDS}/{released}/release", headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "hold_already_released")

    [capture] = await stored(runtime, "hold.capture")
    [release] = await stored(runtime, "hold.release")
    target = f"customer:{await row_id(runtime, 'acme')}"
    assert (capture.target, capture.principal, release.target) == (target, "alpha-service", target)
    assert capture.before == {"hold": captured, "credits": 20, "captured": 0, "status": "active"}
    assert capture.after == {"hold": captured, "credits": 20, "captured": 15, "status": "captured", "released": 5}
    assert release.after == {"hold": released, "credits": 10, "captured": 0, "status": "released", "released": 10}
    assert "Ada" not in str([capture.before, capture.after, release.before, release.after])


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_cli_grant_is_audited_as_the_cli_once(client: Any, runtime: Any, make_runtime: Any) -> None:
    await put_customer(client, "acme")
    args = ["credits", "grant", "alpha", "acme", "40", "--reference", "ticket-7", "--expires-in-days", "30"]
    for _ in range(2):  # the same reference again: the first grant stands, nothing more is recorded
        result = await invoke(make_runtime(), *args, "--reason", "goodwill for Ada")
        assert result.exit_code == 0, result.output
        assert "balance 40" in result.output
    [record] = await stored(runtime, "ledger.grant")
    assert (record.principal, record.target) == ("system:cli", f"customer:{await row_id(runtime, 'acme')}")
    assert (record.request_id, record.source_ip) == (None, None)
    assert record.after is not None and record.after["credits"] == 40
    assert "Ada" not in str(record.after)

    result = await invoke(make_runtime(), "credits", "grant", "alpha", "acme", "5")
    assert result.exit_code == 0, result.output
    assert len(await stored(runtime, "ledger.grant")) == 2
