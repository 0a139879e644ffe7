"""Balance and ledger reads: they show what has lapsed as settled, and write nothing when nothing has.

Whether a read wrote is seen in PostgreSQL's row versions: an UPDATE gives a row a new `xmin`, and a
`SELECT ... FOR UPDATE` stamps its `xmax` with the locker's transaction, so a read that neither locked
nor wrote leaves both as they were on the account, its grants and its holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from core import clock
from tests.ledger.conftest import assert_invariants, balance, grant, put_customer, row_counts
from tests.support.tenants import auth

BASE = "/t/alpha/v1/customers"
BACKENDS = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def row_versions(runtime: Any, customer: str) -> list[tuple[str, str, str]]:
    """(table, xmin, xmax) of the customer's account, grants and holds, in a stable order."""
    sql = """
        SELECT 'account', a.xmin::text, a.xmax::text, a.id::text FROM credit_accounts a WHERE a.customer = :c
        UNION ALL SELECT 'grant', g.xmin::text, g.xmax::text, g.id::text FROM credit_grants g
            JOIN credit_accounts a ON a.id = g.account_id WHERE a.customer = :c
        UNION ALL SELECT 'hold', h.xmin::text, h.xmax::text, h.id::text FROM credit_holds h
            JOIN credit_accounts a ON a.id = h.account_id WHERE a.customer = :c
        ORDER BY 1, 4"""
    async with runtime.engine.connect() as conn:
        return [(r[0], r[1], r[2]) for r in await conn.execute(text(sql), {"c": customer})]


async def ledger(client: Any, customer: str, **params: Any) -> dict[str, Any]:
    r = await client.get(f"{BASE}/{customer}/ledger", params=params, headers=auth("alpha"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_reads_write_nothing_until_something_lapses(client: Any, runtime: Any, customer: str) -> None:
    expires = (clock.now() + dt.timedelta(hours=1)).isoformat()
    soon = await grant(client, customer, 10, expires_at=expires)
    await grant(client, customer, 5)
    hold = await client.post(f"{BASE}/{customer}/holds", json={"credits": 2, "ttl_seconds": 600}, headers=auth("alpha"))
    assert hold.status_code == 201, hold.text
    before, counts = await row_versions(runtime, customer), await row_counts(runtime.engine)
    assert [kind for kind, _, _ in before] == ["account", "grant", "grant", "hold"]

    for _ in range(3):
        shown = await balance(client, customer)
        assert (shown["balance"], shown["held"]) == (13, 2)
        assert shown["next_expiry"] == {"at": soon["expires_at"], "credits": 8}
        assert [e["kind"] for e in (await ledger(client, customer))["data"]] == ["hold", "grant", "grant"]
    assert await row_versions(runtime, customer) == before
    assert await row_counts(runtime.engine) == counts

    # The hold lapses first (10 minutes), then the grant (an hour): each read after shows it settled.
    clock.advance(dt.timedelta(minutes=11))
    assert [e["kind"] for e in (await ledger(client, customer))["data"]][:2] == ["release", "capture"]
    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"]) == (15, 0)
    settled = await row_versions(runtime, customer)
    assert settled != before
    clock.advance(dt.timedelta(hours=1))
    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"], shown["next_expiry"]) == (5, 0, None)
    assert [(g["remaining"], g["expires_at"]) for g in shown["grants"]] == [(5, None)]
    page = await ledger(client, customer)
    assert (page["data"][0]["kind"], page["data"][0]["credits"], page["data"][0]["balance_after"]) == ("expire", -10, 5)

    # Settled once: the reads after write nothing again.
    settled = await row_versions(runtime, customer)
    await balance(client, customer)
    await ledger(client, customer)
    assert await row_versions(runtime, customer) == settled
    await assert_invariants(runtime.engine)


@BACKENDS
async def test_reads_of_a_customer_without_credits_and_of_no_customer(client: Any, runtime: Any) -> None:
    await put_customer(client, "new")
    assert await balance(client, "new") == {
        "customer": "new",
        "balance": 0,
        "held": 0,
        "debt": 0,
        "unlimited": False,
        "unlimited_until": None,
        "grants": [],
        "next_expiry": None,
    }
    assert await ledger(client, "new") == {"data": [], "has_more": False, "next_cursor": None}
    for route in ("balance", "ledger"):
        r = await client.get(f"{BASE}/nobody/{route}", headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    # Another tenant's customer of the same id is not this tenant's.
    await grant(client, "new", 7)
    r = await client.get("/t/beta/v1/customers/new/balance", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    await put_customer(client, "new", tenant="beta")
    r = await client.get("/t/beta/v1/customers/new/ledger", headers=auth("beta"))
    assert r.json()["data"] == []
    assert (await balance(client, "new"))["balance"] == 7


@BACKENDS
async def test_ledger_pages_follow_the_cursor(client: Any, runtime: Any, customer: str) -> None:
    for n in range(5):
        await grant(client, customer, n + 1, metadata={"n": str(n)} if n == 4 else {})
    first = await ledger(client, customer, limit=2)
    assert ([e["seq"] for e in first["data"]], first["has_more"]) == ([5, 4], True)
    assert first["data"][0]["metadata"] == {"n": "4"}
    second = await ledger(client, customer, limit=2, cursor=first["next_cursor"])
    assert [e["seq"] for e in second["data"]] == [3, 2]
    last = await ledger(client, customer, limit=2, cursor=second["next_cursor"])
    assert ([e["seq"] for e in last["data"]], last["has_more"], last["next_cursor"]) == ([1], False, None)
    r = await client.get(f"{BASE}/{customer}/ledger", params={"cursor": "bm9wZTox"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")
