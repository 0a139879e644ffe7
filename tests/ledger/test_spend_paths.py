"""The spend path on PostgreSQL (`tollgate_spend`, batched per customer) decides exactly as `Ledger.spend`.

Two customers start from the same grants; one spends through `runtime.spends` (the route's path),
the other through `Ledger.spend`; their answers, grants and entries must match step for step.
Then the batch's edges: duplicate keys and a low-balance crossing inside one batch, every reason the
function hands a spend back, and tenant isolation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from typing import Any

import msgspec
import pytest
from sqlalchemy import select, text

from core import clock
from core.errors import Conflict, NotFound, PaymentRequired
from core.ledger.models import CreditGrant, LedgerEntry
from core.ledger.services import Ledger
from core.runtime import Runtime
from tests.ledger.conftest import assert_invariants, low_balance_runtime, low_notices
from tests.ledger.test_service import add_customer, run

DAY = dt.timedelta(days=1)


async def grant_set(runtime: Runtime, customer: str) -> None:
    now = clock.now()
    for name, amount, priority, expires in [
        ("plain", 40, 50, None),
        ("soon", 25, 50, now + 3 * DAY),
        ("later", 30, 50, now + 30 * DAY),
        ("first", 10, 0, None),
        ("tiny", 1, 50, now + 2 * DAY),
    ]:
        await run(
            runtime,
            lambda lg, n=name, a=amount, p=priority, e=expires: lg.grant(
                customer, a, source="test", source_ref=f"{customer}-{n}", priority=p, expires_at=e
            ),
        )


def comparable(answer: Any, grant_names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.to_builtins(answer)
    out.pop("entry_id")
    out.pop("created_at")
    out.pop("customer")
    out["allocations"] = [(grant_names[a["grant_id"]], a["credits"]) for a in out["allocations"]]
    return out


async def names_of_grants(runtime: Runtime) -> dict[str, str]:
    async with runtime.sessions() as session:
        rows = (await session.execute(select(CreditGrant.id, CreditGrant.source_ref))).all()
    return {str(i): ref.split("-", 1)[1] for i, ref in rows}


async def grant_state(runtime: Runtime, customer: str) -> list[tuple[Any, ...]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            text(
                "SELECT g.source_ref, g.remaining, g.consumed, g.expired FROM credit_grants g"
                " JOIN credit_accounts a ON a.id = g.account_id WHERE a.customer = :c ORDER BY g.source_ref"
            ),
            {"c": customer},
        )
        return [(ref.split("-", 1)[1], *rest) for ref, *rest in rows]


async def outcome(call: Any) -> Any:
    try:
        return await call
    except (PaymentRequired, Conflict, NotFound) as error:
        return (type(error).__name__, error.code, error.detail)


async def test_the_function_decides_like_ledger_spend(runtime: Runtime) -> None:
    assert runtime.spends.batched
    fast, slow = await add_customer(runtime, "fast"), await add_customer(runtime, "slow")
    await grant_set(runtime, fast)
    await grant_set(runtime, slow)
    names = await names_of_grants(runtime)
    tenant = runtime.tenants.get("alpha")
    rng = random.Random(7)
    keys = ["k1", "k2", "k3", None, None]
    for step in range(40):
        amount = rng.choice([1, 2, 3, 7, 11, 19, 40, 200])
        key = rng.choice(keys)
        meta = {"step": str(step % 3)}
        if step == 20:
            clock.advance(4 * DAY)  # "soon" and "tiny" lapse: both paths settle them first
        got_fast = await outcome(runtime.spends.spend(tenant, fast, amount, metadata=meta, idempotency_key=key))
        got_slow = await outcome(
            run(runtime, lambda lg, a=amount, k=key, m=meta: lg.spend(slow, a, metadata=m, idempotency_key=k))
        )
        if isinstance(got_fast, tuple):
            assert got_fast == got_slow, step
        else:
            assert comparable(got_fast, names) == comparable(got_slow, names), step
    assert await grant_state(runtime, fast) == await grant_state(runtime, slow)
    stats = runtime.spends.stats
    assert stats["decided"] >= 10 and stats["handed_back"] >= 5, stats  # both paths were taken
    async with runtime.sessions() as session:
        entries = (await session.execute(select(LedgerEntry).order_by(LedgerEntry.seq))).scalars().all()
    by_customer: dict[str, list[tuple[Any, ...]]] = {}
    async with runtime.engine.connect() as conn:
        owners = dict((await conn.execute(text("SELECT id, customer FROM credit_accounts"))).all())
    for e in entries:
        by_customer.setdefault(owners[e.account_id], []).append(
            (e.seq, e.kind, e.amount, e.balance_after, e.requested, e.idempotency_key, e.request_hash, e.metadata_)
        )
    assert by_customer["fast"] == by_customer["slow"]
    await assert_invariants(runtime.engine)


async def spend_all(runtime: Runtime, customer: str, requests: list[tuple[int, str | None]]) -> list[Any]:
    """The requests at once (one batch, or a few), in this order; each answer or its error."""
    tenant = runtime.tenants.get("alpha")
    calls = [outcome(runtime.spends.spend(tenant, customer, a, idempotency_key=k)) for a, k in requests]
    return list(await asyncio.gather(*calls))


async def test_a_batch_replays_repeated_keys_and_refuses_what_does_not_fit(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="g"))
    batches = runtime.spends.stats["batches"]
    answers = await spend_all(runtime, c, [(4, "a"), (4, "a"), (7, "b"), (3, "c"), (4, "a"), (2, None), (1, "b")])
    first, again, short, fits, third, last, reused = answers
    assert first.balance == 6
    assert again == first and third == first  # the same key: the first answer
    assert short == ("PaymentRequired", "insufficient_credits", {"balance": 6, "requested": 7})
    assert (fits.balance, last.balance) == (3, 1)
    # "b" was refused, so nothing was written under it: a new body with it is a new spend.
    assert reused.balance == 0
    assert runtime.spends.stats["batches"] > batches
    await assert_invariants(runtime.engine)


async def test_replay_after_the_balance_ran_out_is_the_first_answer(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 5, source="t", source_ref="g"))
    (first,) = await spend_all(runtime, c, [(5, "once")])
    (again, other) = await spend_all(runtime, c, [(5, "once"), (4, "once")])
    assert again == first
    assert other == ("Conflict", "idempotency_key_reused", None)


async def test_low_balance_notice_once_inside_a_batch(runtime: Runtime, make_runtime: Any) -> None:
    low = low_balance_runtime(make_runtime)
    c = await add_customer(low)
    await run(low, lambda lg: lg.grant(c, 30, source="t", source_ref="g"))
    answers = await spend_all(low, c, [(3, None)] * 9)
    assert sorted(a.balance for a in answers) == [3, 6, 9, 12, 15, 18, 21, 24, 27]
    assert await low_notices(low) == [9]
    await assert_invariants(low.engine)


async def test_what_the_function_hands_back(runtime: Runtime) -> None:
    tenant = runtime.tenants.get("alpha")
    # An unknown customer, and a known one without an account.
    assert (await outcome(runtime.spends.spend(tenant, "ghost", 1)))[:2] == ("NotFound", "customer_not_found")
    c = await add_customer(runtime)
    assert await outcome(runtime.spends.spend(tenant, c, 1)) == (
        "PaymentRequired",
        "insufficient_credits",
        {"balance": 0, "requested": 1},
    )
    # Unlimited: recorded, nothing consumed.
    await run(runtime, lambda lg: lg.grant(c, 5, source="t", source_ref="g"))
    await run(runtime, lambda lg: lg.set_unlimited(c, until=clock.now() + DAY))
    unlimited = await runtime.spends.spend(tenant, c, 50)
    assert (unlimited.unlimited, unlimited.charged, unlimited.balance) == (True, 0, 5)
    clock.advance(2 * DAY)
    # A grant spread over more grants than ids were handed: Ledger.spend takes it.
    for n in range(6):
        await run(runtime, lambda lg, n=n: lg.grant(c, 1, source="t", source_ref=f"one-{n}"))
    wide = await runtime.spends.spend(tenant, c, 11)
    assert (wide.charged, wide.balance, len(wide.allocations)) == (11, 0, 7)
    await assert_invariants(runtime.engine)


async def test_tenants_spend_only_their_own_customers(runtime: Runtime) -> None:
    await add_customer(runtime, "shared", tenant="alpha")
    await add_customer(runtime, "shared", tenant="beta")
    await run(runtime, lambda lg: lg.grant("shared", 10, source="t", source_ref="g"), tenant="alpha")
    beta = runtime.tenants.get("beta")
    assert await outcome(runtime.spends.spend(beta, "shared", 1)) == (
        "PaymentRequired",
        "insufficient_credits",
        {"balance": 0, "requested": 1},
    )
    alpha = runtime.tenants.get("alpha")
    assert (await runtime.spends.spend(alpha, "shared", 4)).balance == 6
    async with runtime.sessions() as session:
        assert await Ledger(session, beta).balance("shared") is not None
        assert (await Ledger(session, beta).balance("shared")).balance == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_spends_through_ledger_spend(runtime: Runtime) -> None:
    assert not runtime.spends.batched
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="g"))
    answers = await spend_all(runtime, c, [(4, "a"), (4, "a"), (4, "b"), (4, None)])
    assert [a.balance if not isinstance(a, tuple) else a[1] for a in answers] == [6, 6, 2, "insufficient_credits"]
    await assert_invariants(runtime.engine)


async def test_one_batch_of_many_customers_and_tenants(runtime: Runtime) -> None:
    """Spends of several customers of two tenants gathered into one call, each answered as if alone."""
    alpha, beta = runtime.tenants.get("alpha"), runtime.tenants.get("beta")
    for tenant in ("alpha", "beta"):
        for c in ("rich", "poor", "free"):
            await add_customer(runtime, c, tenant=tenant)
        await run(runtime, lambda lg: lg.grant("rich", 100, source="t", source_ref="rich"), tenant=tenant)
        await run(runtime, lambda lg: lg.grant("poor", 2, source="t", source_ref="poor"), tenant=tenant)
        await run(runtime, lambda lg: lg.set_unlimited("free"), tenant=tenant)
    batches = runtime.spends.stats["batches"]
    requests = [
        (alpha, "rich", 10), (beta, "rich", 1), (alpha, "poor", 3), (beta, "poor", 2),
        (alpha, "free", 50), (beta, "nobody", 1), (alpha, "rich", 5), (beta, "rich", 99),
    ]  # fmt: skip
    answers = await asyncio.gather(*(outcome(runtime.spends.spend(t, c, a)) for t, c, a in requests))
    assert runtime.spends.stats["batches"] == batches + 1
    rich_a, rich_b, poor_a, poor_b, free_a, nobody, rich_a2, rich_b2 = answers
    assert (rich_a.balance, rich_a2.balance, rich_b.balance) == (90, 85, 99)
    assert rich_b2.balance == 0
    assert poor_a == ("PaymentRequired", "insufficient_credits", {"balance": 2, "requested": 3})
    assert (poor_b.balance, poor_b.charged) == (0, 2)
    assert (free_a.unlimited, free_a.charged, free_a.balance) == (True, 0, 0)
    assert nobody[:2] == ("NotFound", "customer_not_found")
    await assert_invariants(runtime.engine)
