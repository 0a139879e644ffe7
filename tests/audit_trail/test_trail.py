"""The audit trail's own guarantees: records carry who and where, the list route filters them, the table is
append-only on PostgreSQL, and `verify` finds a row edited behind the trigger's back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from core.audit_trail.services import verify_chain
from core.customers.models import Customer
from core.db import session_scope
from tests.ledger.conftest import grant, put_customer
from tests.support.tenants import auth

AUDIT = "/t/alpha/v1/admin/audit"


async def records(client: Any, **params: Any) -> list[dict[str, Any]]:
    r = await client.get(AUDIT, params=params, headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


async def verify(runtime: Any, tenant: str = "alpha") -> tuple[int, Any]:
    async with session_scope(runtime.sessions) as session:
        return await verify_chain(session, tenant)


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_records_chain_and_filter(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    first = await grant(client, "acme", 100, reason="welcome", reference="promo-1")
    await grant(client, "acme", 100, reason="welcome", reference="promo-1")  # a replay: no new record
    r = await client.post(
        "/t/alpha/v1/customers/acme/clawbacks",
        json={"source": "admin", "source_ref": "promo-1", "credits": 30},
        headers={**auth("alpha", "admin"), "X-Request-Id": "req-clawback-1"},
    )
    assert r.status_code == 200, r.text
    shown = await records(client)
    assert [(x["seq"], x["action"], x["principal"], x["target"]) for x in shown] == [
        (3, "ledger.clawback", "alpha-admin", "customer:acme"),
        (2, "ledger.grant", "alpha-admin", "customer:acme"),
        (1, "customer.create", "alpha-service", "customer:acme"),
    ]
    assert shown[0]["request_id"] == "req-clawback-1"
    assert shown[0]["source_ip"]
    assert shown[1]["after"]["grant"] == first["id"]
    assert shown[0]["prev_hash"] == shown[1]["hash"] and shown[2]["prev_hash"] == ""
    assert [x["seq"] for x in await records(client, action="ledger.grant")] == [2]
    assert [x["seq"] for x in await records(client, principal="alpha-service")] == [1]
    assert await records(client, principal="someone-else", target="customer:acme") == []
    page = await client.get(AUDIT, params={"limit": 2}, headers=auth("alpha", "admin"))
    rest = await records(client, limit=2, cursor=page.json()["next_cursor"])
    assert [x["seq"] for x in rest] == [1]
    # Tenants do not share a chain.
    r = await client.get("/t/beta/v1/admin/audit", headers=auth("beta", "admin"))
    assert r.json()["data"] == []
    assert await verify(runtime) == (3, None)


async def test_update_and_delete_are_refused_on_postgres(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    await grant(client, "acme", 5)
    for statement in ("UPDATE audit_records SET principal = 'nobody'", "DELETE FROM audit_records"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with runtime.engine.begin() as conn:
                await conn.execute(text(statement))
    async with runtime.engine.begin() as conn:
        principals = (await conn.execute(text("SELECT principal FROM audit_records"))).scalars().all()
    assert sorted(principals) == ["alpha-admin", "alpha-service"]


async def test_verify_finds_a_row_edited_behind_the_triggers_back(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    for n in (5, 6, 7):
        await grant(client, "acme", n)
    assert (await verify(runtime))[1] is None
    async with runtime.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"))
        await conn.execute(text("UPDATE audit_records SET after = '{\"credits\": 600}' WHERE seq = 3"))
        await conn.execute(text("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only"))
    checked, broken = await verify(runtime)
    assert broken is not None and broken.seq == 3 and "hash" in broken.reason


async def test_pruning_goes_through_the_privileged_function(client: Any, runtime: Any) -> None:
    await put_customer(client, "acme")
    await grant(client, "acme", 5)
    async with runtime.engine.begin() as conn:
        pruned = (await conn.execute(text("SELECT audit_records_prune('alpha', now() + interval '1 day')"))).scalar()
    assert pruned == 2  # the customer's creation and the grant


async def test_concurrent_writers_chain_in_order(client: Any, runtime: Any) -> None:
    """Grants to many customers at once (no customer turn orders them): one chain, no gap, no fork."""
    customers = [f"c{n}" for n in range(8)]
    for name in customers:
        await put_customer(client, name)
    await asyncio.gather(*(grant(client, name, 5) for name in customers))
    checked, broken = await verify(runtime)
    assert (checked, broken) == (16, None)


async def test_the_first_records_of_a_tenant_race_for_its_chain_head(client: Any, runtime: Any) -> None:
    await asyncio.gather(*(put_customer(client, f"c{n}") for n in range(6)))
    assert await verify(runtime) == (6, None)


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_records_name_customers_by_row_id_and_keep_no_personal_values(client: Any, runtime: Any) -> None:
    """A record stores `customer:<row id>`, shown with the app's current id: renaming the customer (as an
    erasure does) changes what is shown, not the record, so the chain still holds; emails, names and
    metadata values are never stored, only that they changed."""
    # The marker has letters no hex digit has: a random UUID stored in a record (a grant's id) can hold any
    # three hex digits, and did.
    body = {"email": "kept-out-q9z@example.com", "name": "Kept Out", "metadata": {"plan_note": "secret-q9z"}}
    r = await client.put("/t/alpha/v1/customers/acme-q9z", json=body, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    r = await client.put(
        "/t/alpha/v1/customers/acme-q9z", json={"email": "new-q9z@example.com"}, headers=auth("alpha", "admin")
    )
    assert r.status_code == 200, r.text
    await grant(client, "acme-q9z", 10, reason="free text q9z", reference="ref-acme-q9z")
    shown = await records(client, target="customer:acme-q9z")
    assert [x["action"] for x in shown] == ["ledger.grant", "customer.update", "customer.create"]
    assert shown[1]["before"] == {"email": "[set]"} and shown[1]["after"] == {"email": "[set]"}
    assert shown[2]["after"] == {"email": "[set]", "name": "[set]", "metadata": ["plan_note"]}
    async with session_scope(runtime.sessions) as session:
        row_id = (await session.execute(select(Customer.id).where(Customer.external_id == "acme-q9z"))).scalar_one()
        stored = (await session.execute(text("SELECT target, before, after FROM audit_records"))).all()
        assert {target for target, *_ in stored} == {f"customer:{row_id}"}
        assert "q9z" not in repr(stored)
        await session.execute(text("UPDATE customers SET external_id = 'erased-x' WHERE external_id = 'acme-q9z'"))
    assert [x["target"] for x in await records(client)] == ["customer:erased-x"] * 3
    assert await records(client, target="customer:acme-q9z") == []
    assert (await verify(runtime))[1] is None
