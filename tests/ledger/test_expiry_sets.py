"""Set-based expiry (`tollgate_expire`, PostgreSQL) writes what the one-account-at-a-time path writes.

The same script runs in two tenants: `alpha` is settled set-based, `beta` one account at a time
(the path SQLite and accounts with a lapsed hold take); their entries, allocations, grants,
accounts and notices must match. Then expiry racing spends keeps the ledger's invariants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import text

from core import clock
from core.errors import PaymentRequired
from core.ledger.services import Ledger
from core.ledger.tasks import expire_credits, notify_expiring
from core.runtime import Runtime
from tests.ledger.conftest import assert_invariants
from tests.ledger.test_service import add_customer, run
from tests.support.tenants import tenant_block

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
NOTICES = {"url": "http://127.0.0.1:9/hooks", "credits_low_threshold": 5}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    ledger = {"expiring_soon_seconds": 2 * 86400}
    return {
        "alpha": tenant_block("Alpha App", notifications=NOTICES, ledger=ledger),
        "beta": tenant_block("Beta App", notifications=NOTICES, ledger=ledger),
    }


async def script(runtime: Runtime, tenant: str) -> None:
    """Three customers: lapsing grants of mixed priority and age, spends across them."""
    now = clock.now()
    for c in ("c1", "c2", "c3"):
        await add_customer(runtime, c, tenant)
    plan = [
        ("c1", "a", 10, 50, now + 2 * DAY),
        ("c1", "b", 7, 0, now + 2 * DAY),
        ("c1", "c", 5, 50, now + 47 * HOUR),
        ("c1", "keep", 4, 50, None),
        ("c1", "later", 6, 50, now + 40 * DAY),
        ("c2", "a", 3, 50, now + 1 * DAY),
        ("c2", "b", 8, 50, now + 2 * DAY),
        ("c3", "keep", 9, 50, None),
    ]
    for customer, name, amount, priority, expires in plan:
        await run(
            runtime,
            lambda lg, c=customer, n=name, a=amount, p=priority, e=expires: lg.grant(
                c, a, source="t", source_ref=f"{c}-{n}", priority=p, expires_at=e
            ),
            tenant,
        )
    await run(runtime, lambda lg: lg.spend("c1", 9), tenant)  # all of b, 2 of c
    await run(runtime, lambda lg: lg.spend("c2", 4), tenant)  # 3 of a, 1 of b
    await run(runtime, lambda lg: lg.spend("c3", 1), tenant)


async def ledger_rows(runtime: Runtime, tenant: str) -> dict[str, Any]:
    """The tenant's ledger with ids replaced by names: what must match between the two tenants."""
    async with runtime.engine.connect() as conn:

        async def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in (await conn.execute(text(sql), {"t": tenant})).all()]

        names = {str(i): ref for i, ref in await rows("SELECT id, source_ref FROM credit_grants WHERE tenant_id = :t")}
        entries = await rows(
            "SELECT a.customer, e.seq, e.kind, e.amount, e.balance_after, e.reference, e.metadata::text"
            " FROM ledger_entries e JOIN credit_accounts a ON a.id = e.account_id"
            " WHERE e.tenant_id = :t ORDER BY a.customer, e.seq"
        )
        allocations = await rows(
            "SELECT a.customer, e.seq, x.grant_id::text, x.kind, x.amount FROM credit_allocations x"
            " JOIN ledger_entries e ON e.id = x.entry_id JOIN credit_accounts a ON a.id = e.account_id"
            " WHERE x.tenant_id = :t ORDER BY a.customer, e.seq, x.grant_id"
        )
        return {
            # A reference that is no grant (a hold's id) differs between the tenants by nature.
            "entries": [(*r[:5], names.get(str(r[5]), r[5] and "(id)"), r[6]) for r in entries],
            "allocations": sorted((*r[:2], names[r[2]], *r[3:]) for r in allocations),
            "grants": await rows(
                "SELECT source_ref, remaining, reserved, consumed, expired FROM credit_grants"
                " WHERE tenant_id = :t ORDER BY source_ref"
            ),
            "accounts": await rows(
                # `due_at` as the grant or hold lapsing then (their times differ between the tenants).
                "SELECT customer, balance, held, last_seq, coalesce("
                " (SELECT min(g.source_ref) FROM credit_grants g"
                "   WHERE g.account_id = a.id AND g.expires_at = a.due_at),"
                " (SELECT min('hold') FROM credit_holds h WHERE h.account_id = a.id AND h.expires_at = a.due_at),"
                " a.due_at::text) FROM credit_accounts a WHERE tenant_id = :t ORDER BY customer"
            ),
            "notices": await rows(
                "SELECT event_type, data->>'customer', data->>'credits', data->>'balance' FROM notifications"
                " WHERE tenant_id = :t ORDER BY event_type, data->>'customer', data->>'credits'"
            ),
        }


async def test_set_based_expiry_writes_what_one_by_one_does(runtime: Runtime) -> None:
    await script(runtime, "alpha")
    await script(runtime, "beta")
    clock.advance(25 * HOUR)  # c2-a lapsed; c1-a, c1-c, c2-b (not c1-b: spent) in the 2-day window
    assert await notify_expiring(runtime) == 6
    for tenant in ("alpha", "beta"):  # reserves 2 of c2-b, until after c2-b lapses
        await run(runtime, lambda lg: lg.hold("c2", 2, ttl_seconds=86400), tenant)
    clock.advance(23 * HOUR + 30 * MINUTE)  # every grant but the kept ones lapsed; the hold still live
    assert await notify_expiring(runtime) == 0, "expired grants are not announced (again)"
    async with runtime.sessions.begin() as session:
        assert await Ledger(session, runtime.tenants.get("alpha")).settle_due(10) == 2
        assert await Ledger(session, runtime.tenants.get("beta")).settle_due(10, set_based=False) == 2
    alpha, beta = await ledger_rows(runtime, "alpha"), await ledger_rows(runtime, "beta")
    for key in alpha:
        assert alpha[key] == beta[key], key
    # c1: c (3 left, earliest expiry) then a (10) expire in consumption order; b was spent whole.
    assert [e[2:5] for e in alpha["entries"] if e[0] == "c1"][-2:] == [("expire", -3, 20), ("expire", -10, 10)]
    # c2: b's 7 left are 2 reserved by the live hold and 5 that expire.
    assert ("c2-b", 2, 2, 1, 5) in alpha["grants"]
    assert [n[0] for n in alpha["notices"]].count("credits.expiring_soon") == 3
    assert await expire_credits(runtime) == 0, "nothing is left to settle"
    assert await ledger_rows(runtime, "alpha") == alpha
    await assert_invariants(runtime.engine)


async def test_expiry_racing_spends_keeps_the_invariants(runtime: Runtime) -> None:
    customers = [f"c{i}" for i in range(30)]
    for c in customers:
        await add_customer(runtime, c)
        await run(
            runtime, lambda lg, c=c: lg.grant(c, 20, source="t", source_ref=f"{c}-lapse", expires_at=clock.now() + DAY)
        )
        await run(runtime, lambda lg, c=c: lg.grant(c, 10, source="t", source_ref=f"{c}-keep"))
    clock.advance(DAY + dt.timedelta(seconds=1))
    tenant = runtime.tenants.get("alpha")
    spent = dict.fromkeys(customers, 0)
    refusals: list[str] = []

    async def spender(seed: int) -> None:
        rng = random.Random(seed)
        for n in range(15):
            c = rng.choice(customers)
            try:
                await runtime.spends.spend(tenant, c, 2, idempotency_key=f"{seed}-{n}")
                spent[c] += 2
            except PaymentRequired as refused:
                refusals.append(refused.code)

    await asyncio.gather(*(spender(s) for s in range(8)), expire_credits(runtime, batch_size=4))
    await expire_credits(runtime, batch_size=4)
    assert set(refusals) <= {"insufficient_credits"}
    async with runtime.engine.connect() as conn:
        balances = dict((await conn.execute(text("SELECT customer, balance FROM credit_accounts"))).all())
    # Only the credits that never expire were spendable: each spend taken from them, once.
    assert {c: balances[c] for c in customers} == {c: 10 - spent[c] for c in customers}
    await assert_invariants(runtime.engine)


async def test_a_spend_finding_its_account_due_settles_it_set_based(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="lapse", expires_at=clock.now() + DAY))
    await run(runtime, lambda lg: lg.grant(c, 20, source="t", source_ref="keep"))
    clock.advance(DAY + MINUTE)
    handed_back = runtime.spends.stats["handed_back"]
    answer = await runtime.spends.spend(runtime.tenants.get("alpha"), c, 2)
    assert answer.balance == 18
    assert runtime.spends.stats["handed_back"] == handed_back, "decided by the function once settled"
    rows = await ledger_rows(runtime, "alpha")
    assert [e[2:6] for e in rows["entries"]] == [
        ("grant", 10, 10, "lapse"),
        ("grant", 20, 30, "keep"),
        ("expire", -10, 20, "lapse"),
        ("spend", -2, 18, None),
    ]
    await assert_invariants(runtime.engine)
