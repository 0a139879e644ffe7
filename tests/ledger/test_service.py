"""The ledger's public API as other plugins call it: order, expiry, unlimited, clawbacks, idempotent grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest

from core import clock
from core.customers.schemas import CustomerUpsert
from core.customers.services import CustomerService
from core.db import session_scope
from core.errors import BadRequest, Conflict, NotFound, PaymentRequired
from core.ledger.services import Ledger
from core.lists import PageRequest
from core.runtime import Runtime
from tests.ledger.conftest import assert_invariants, row_counts
from tests.support.tenants import default_tenants, tenant_block

T = TypeVar("T")
DAY = dt.timedelta(days=1)


@asynccontextmanager
async def ledger_of(runtime: Runtime, tenant: str = "alpha") -> AsyncIterator[Ledger]:
    async with session_scope(runtime.sessions) as session:
        yield Ledger(session, runtime.tenants.get(tenant))


async def run(runtime: Runtime, op: Callable[[Ledger], Awaitable[T]], tenant: str = "alpha") -> T:
    async with ledger_of(runtime, tenant) as ledger:
        return await op(ledger)


async def add_customer(runtime: Runtime, customer: str = "c1", tenant: str = "alpha") -> str:
    async with session_scope(runtime.sessions) as session:
        await CustomerService(session, runtime.tenants.get(tenant)).upsert(customer, CustomerUpsert())
    return customer


async def test_consumption_order_priority_then_expiry_then_age(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    now = clock.now()
    grants = {}
    for name, amount, priority, expires in [
        ("late_no_expiry", 10, 50, None),
        ("old_no_expiry", 10, 50, None),
        ("expires_later", 10, 50, now + 30 * DAY),
        ("expires_sooner", 10, 50, now + 10 * DAY),
        ("first_by_priority", 10, 0, None),
    ]:
        grants[name] = await run(
            runtime,
            lambda lg, n=name, a=amount, p=priority, e=expires: lg.grant(
                c, a, source="test", source_ref=n, priority=p, expires_at=e
            ),
        )
    # "old_no_expiry" was granted after "late_no_expiry": the older one goes first among equals.
    spent = await run(runtime, lambda lg: lg.spend(c, 45))
    order = [a.grant_id for a in spent.allocations]
    assert order == [
        grants[n].id
        for n in ("first_by_priority", "expires_sooner", "expires_later", "late_no_expiry", "old_no_expiry")
    ]
    assert [a.credits for a in spent.allocations] == [10, 10, 10, 10, 5]
    await assert_invariants(runtime.engine)


async def test_expired_grant_is_never_spent_even_before_the_job(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 50, source="test", source_ref="soon", expires_at=clock.now() + DAY))
    await run(runtime, lambda lg: lg.grant(c, 5, source="test", source_ref="forever"))
    clock.advance(DAY + dt.timedelta(seconds=1))
    with pytest.raises(PaymentRequired):
        await run(runtime, lambda lg: lg.spend(c, 6))
    spent = await run(runtime, lambda lg: lg.spend(c, 5))
    assert spent.balance == 0
    shown = await run(runtime, lambda lg: lg.balance(c))
    assert (shown.balance, [g.remaining for g in shown.grants]) == (0, [])
    await assert_invariants(runtime.engine)


async def test_balance_shows_next_expiry(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    soon = clock.now() + 3 * DAY
    await run(runtime, lambda lg: lg.grant(c, 7, source="test", source_ref="a", expires_at=soon))
    await run(runtime, lambda lg: lg.grant(c, 9, source="test", source_ref="b", expires_at=soon + DAY))
    shown = await run(runtime, lambda lg: lg.balance(c))
    assert shown.next_expiry is not None
    assert (shown.next_expiry.at, shown.next_expiry.credits, shown.balance) == (soon, 7, 16)


async def test_grant_is_idempotent_on_source_ref(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    other = await add_customer(runtime, "c2")
    first = await run(runtime, lambda lg: lg.grant(c, 10, source="payg", source_ref="pi_1"))
    before = await row_counts(runtime.engine)
    again = await run(runtime, lambda lg: lg.grant(c, 10, source="payg", source_ref="pi_1"))
    assert again.id == first.id
    assert await row_counts(runtime.engine) == before
    with pytest.raises(Conflict) as err:
        await run(runtime, lambda lg: lg.grant(other, 10, source="payg", source_ref="pi_1"))
    assert err.value.code == "grant_source_conflict"


async def test_unlimited_records_usage_without_consuming(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 5, source="test", source_ref="g"))
    await run(runtime, lambda lg: lg.set_unlimited(c, until=clock.now() + DAY))
    spent = await run(runtime, lambda lg: lg.spend(c, 1000))
    assert (spent.credits, spent.charged, spent.balance, spent.unlimited) == (1000, 0, 5, True)
    hold = await run(runtime, lambda lg: lg.hold(c, 500))
    assert hold.unlimited
    captured = await run(runtime, lambda lg: lg.capture(c, hold.id, 200))
    assert (captured.captured, captured.balance) == (200, 5)
    assert (await run(runtime, lambda lg: lg.balance(c))).unlimited
    page = await run(runtime, lambda lg: lg.entries(c, PageRequest()))
    assert [(e.kind, e.credits, e.requested) for e in page.data][:4] == [
        ("release", 0, 300),
        ("capture", 0, 200),
        ("hold", 0, 500),
        ("spend", 0, 1000),
    ]
    # The plan ends at `until` even if nobody turns it off.
    clock.advance(DAY)
    with pytest.raises(PaymentRequired):
        await run(runtime, lambda lg: lg.spend(c, 6))
    await run(runtime, lambda lg: lg.set_unlimited(c))
    assert (await run(runtime, lambda lg: lg.spend(c, 6))).charged == 0
    await run(runtime, lambda lg: lg.set_unlimited(c, unlimited=False))
    assert not (await run(runtime, lambda lg: lg.balance(c))).unlimited
    await assert_invariants(runtime.engine)


async def test_hold_of_a_grant_that_expires_meanwhile(runtime: Runtime) -> None:
    """Reserved credits outlive their grant's expiry until the hold ends; what is released then expires."""
    c = await add_customer(runtime)
    hour = dt.timedelta(hours=1)
    await run(runtime, lambda lg: lg.grant(c, 10, source="test", source_ref="g", expires_at=clock.now() + hour))
    first = await run(runtime, lambda lg: lg.hold(c, 6, ttl_seconds=86400))
    second = await run(runtime, lambda lg: lg.hold(c, 4, ttl_seconds=86400))
    clock.advance(2 * hour)
    assert (await run(runtime, lambda lg: lg.balance(c))).balance == 0
    captured = await run(runtime, lambda lg: lg.capture(c, first.id, 2))
    assert captured.balance == 0, "the 4 released credits belong to a lapsed grant"
    await run(runtime, lambda lg: lg.release(c, second.id))
    page = await run(runtime, lambda lg: lg.entries(c, PageRequest()))
    assert sum(e.credits for e in page.data if e.kind == "expire") == -8
    await assert_invariants(runtime.engine)


async def test_clawback_default_policy_stops_at_zero(runtime: Runtime) -> None:
    assert runtime.tenants.get("alpha").core.ledger.clawback == "down_to_zero"
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 100, source="payg", source_ref="pi_1"))
    await run(runtime, lambda lg: lg.grant(c, 20, source="bonus", source_ref="b1"))
    await run(runtime, lambda lg: lg.spend(c, 110))
    result = await run(runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1"))
    assert (result.requested, result.clawed_back, result.from_grant, result.from_balance) == (100, 10, 0, 10)
    assert (result.balance, result.debt) == (0, 0)
    # A second clawback of the same grant finds nothing more to take back... beyond the first's shortfall.
    again = await run(runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1"))
    assert (again.requested, again.clawed_back) == (90, 0)
    await assert_invariants(runtime.engine)


async def test_clawback_partial_and_idempotent(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 100, source="payg", source_ref="pi_1"))
    first = await run(
        runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1", amount=30, idempotency_key="re_1")
    )
    again = await run(
        runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1", amount=30, idempotency_key="re_1")
    )
    assert first == again
    assert (first.clawed_back, first.from_grant, first.balance) == (30, 30, 70)
    second = await run(
        runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1", amount=90, idempotency_key="re_2")
    )
    assert (second.requested, second.clawed_back, second.balance) == (70, 70, 0)
    await assert_invariants(runtime.engine)


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["beta"] = tenant_block("Beta App", ledger={"clawback": "allow_negative"})
    return tenants


async def test_clawback_allow_negative_policy_makes_debt_repaid_by_next_grant(runtime: Runtime) -> None:
    c = await add_customer(runtime, tenant="beta")
    await run(runtime, lambda lg: lg.grant(c, 100, source="payg", source_ref="pi_1"), "beta")
    await run(runtime, lambda lg: lg.spend(c, 80), "beta")
    result = await run(runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_1"), "beta")
    assert (result.clawed_back, result.from_grant, result.debt, result.balance) == (100, 20, 80, -80)
    with pytest.raises(PaymentRequired):
        await run(runtime, lambda lg: lg.spend(c, 1), "beta")
    granted = await run(runtime, lambda lg: lg.grant(c, 50, source="payg", source_ref="pi_2"), "beta")
    assert (granted.remaining, granted.clawed_back) == (0, 50)
    shown = await run(runtime, lambda lg: lg.balance(c), "beta")
    assert (shown.balance, shown.debt) == (-30, 30)
    await run(runtime, lambda lg: lg.grant(c, 40, source="payg", source_ref="pi_3"), "beta")
    shown = await run(runtime, lambda lg: lg.balance(c), "beta")
    assert (shown.balance, shown.debt) == (10, 0)
    # The per-call policy overrides the tenant's: alpha stays at zero unless asked.
    a = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(a, 10, source="payg", source_ref="pi_a"))
    await run(runtime, lambda lg: lg.spend(a, 10))
    forced = await run(runtime, lambda lg: lg.clawback(source="payg", source_ref="pi_a", policy="allow_negative"))
    assert (forced.clawed_back, forced.balance) == (10, -10)
    await assert_invariants(runtime.engine)


async def test_adjust(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    up = await run(runtime, lambda lg: lg.adjust(c, 15, reason="goodwill", idempotency_key="adj-1"))
    assert (up.kind, up.credits, up.balance_after) == ("adjust", 15, 15)
    down = await run(runtime, lambda lg: lg.adjust(c, -5, reason="correction"))
    assert (down.credits, down.balance_after) == (-5, 10)
    with pytest.raises(PaymentRequired):
        await run(runtime, lambda lg: lg.adjust(c, -11, reason="too much"))
    await assert_invariants(runtime.engine)


async def test_refund_gives_back_to_the_grants_the_spend_consumed(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    first = await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="first", priority=0))
    second = await run(
        runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="second", expires_at=clock.now() + DAY)
    )
    spent = await run(runtime, lambda lg: lg.spend(c, 15))
    assert [(a.grant_id, a.credits) for a in spent.allocations] == [(first.id, 10), (second.id, 5)]
    # Newest allocation first: 5 go back to `second`, then 1 to `first`.
    part = await run(runtime, lambda lg: lg.refund(c, spent.entry_id, 6, idempotency_key="r1"))
    assert (part.kind, part.credits, part.balance_after) == ("refund", 6, 11)
    assert part == await run(runtime, lambda lg: lg.refund(c, spent.entry_id, 6, idempotency_key="r1"))
    with pytest.raises(BadRequest) as err:
        await run(runtime, lambda lg: lg.refund(c, spent.entry_id, 10))
    assert err.value.code == "refund_exceeds_spend"
    rest = await run(runtime, lambda lg: lg.refund(c, spent.entry_id))
    assert (rest.credits, rest.balance_after) == (9, 20)
    shown = await run(runtime, lambda lg: lg.balance(c))
    assert sorted(g.remaining for g in shown.grants) == [10, 10]
    with pytest.raises(NotFound):
        await run(runtime, lambda lg: lg.refund(c, "not-an-entry"))
    await assert_invariants(runtime.engine)


async def test_refund_skips_grants_that_lapsed(runtime: Runtime) -> None:
    c = await add_customer(runtime)
    await run(runtime, lambda lg: lg.grant(c, 10, source="t", source_ref="soon", expires_at=clock.now() + DAY))
    spent = await run(runtime, lambda lg: lg.spend(c, 4))
    clock.advance(2 * DAY)
    entry = await run(runtime, lambda lg: lg.refund(c, spent.entry_id))
    assert (entry.credits, entry.balance_after) == (0, 0)
    await assert_invariants(runtime.engine)
