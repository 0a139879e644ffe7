"""Hypothesis stateful test: random grants, spends, holds, captures, releases (with and without
idempotency keys, replayed or reused), expiries, clawbacks and clock jumps against a pure model of
the ledger; after every step the real ledger matches the model and DESIGN.md §5's invariants hold.

The state machine is synchronous (hypothesis drives it), so it runs the ledger on an event loop of
its own with its own engine, on the session's PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)
from sqlalchemy import text

from core import clock
from core.customers.schemas import CustomerUpsert
from core.customers.services import CustomerService
from core.db import session_scope
from core.errors import BadRequest, Conflict, PaymentRequired
from core.ledger import schemas
from core.ledger.services import Ledger
from core.ledger.tasks import expire_credits
from core.runtime import Runtime
from tests.ledger.conftest import ledger_violations

T = TypeVar("T")
CUSTOMER = "prop"
HUGE = dt.datetime.max.replace(tzinfo=dt.UTC)
LEDGER_TABLES = (
    "credit_holds",
    "credit_allocations",
    "ledger_entries",
    "credit_grants",
    "credit_accounts",
    "customers",
)
# Few keys, so that captures and releases reuse each other's keys.
KEYS = st.none() | st.sampled_from(["k1", "k2", "k3", "k4"])
# A capture or release as sent: (kind, hold id, amount); the idempotency key's fingerprint.
Request = tuple[str, str, int | None]
# Each hold's state, where its entries show it closed at most once: one capture entry, one release entry.
HOLDS_SQL = """
    SELECT h.id, h.status, h.captured FROM credit_holds h
    WHERE (SELECT count(*) FROM ledger_entries e WHERE e.kind = 'capture' AND e.reference = CAST(h.id AS TEXT)) <= 1
      AND (SELECT count(*) FROM ledger_entries e WHERE e.kind = 'release' AND e.reference = CAST(h.id AS TEXT)) <= 1"""


@dataclass
class ModelGrant:
    ref: str
    amount: int
    priority: int
    expires_at: dt.datetime | None
    order: int
    remaining: int = 0
    reserved: int = 0
    consumed: int = 0
    expired: int = 0
    clawed_back: int = 0
    clawed_for: int = 0

    @property
    def available(self) -> int:
        return self.remaining - self.reserved

    def lapsed(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def key(self) -> tuple[int, dt.datetime, int]:
        return (self.priority, self.expires_at or HUGE, self.order)


@dataclass
class ModelHold:
    amount: int
    expires_at: dt.datetime
    reservations: list[tuple[str, int]]
    status: str = "active"
    captured: int = 0


@dataclass
class Model:
    """The ledger's rules, written again as plainly as possible."""

    grants: dict[str, ModelGrant] = field(default_factory=dict)
    holds: dict[str, ModelHold] = field(default_factory=dict)
    debt: int = 0
    held: int = 0

    @property
    def balance(self) -> int:
        return sum(g.remaining for g in self.grants.values()) - self.held - self.debt

    def ordered(self, now: dt.datetime, exclude: str | None = None) -> list[ModelGrant]:
        live = [g for g in self.grants.values() if g.available > 0 and not g.lapsed(now) and g.ref != exclude]
        return sorted(live, key=ModelGrant.key)

    def pick(self, amount: int, now: dt.datetime, exclude: str | None = None) -> list[tuple[ModelGrant, int]]:
        taken, left = [], amount
        for g in self.ordered(now, exclude):
            part = min(left, g.available)
            if part > 0:
                taken.append((g, part))
                left -= part
        return taken

    def settle(self, now: dt.datetime) -> None:
        for hold_id, hold in self.holds.items():
            if hold.status == "active" and hold.expires_at <= now:
                self.close(hold_id, 0, "expired", now)
        self.expire(now)

    def expire(self, now: dt.datetime) -> None:
        for g in self.grants.values():
            if g.lapsed(now) and g.available > 0:
                g.expired += g.available
                g.remaining -= g.available

    def grant(self, ref: str, amount: int, priority: int, expires_at: dt.datetime | None, now: dt.datetime) -> None:
        self.settle(now)
        repaid = min(amount, self.debt)
        self.debt -= repaid
        g = ModelGrant(ref, amount, priority, expires_at, len(self.grants), amount - repaid, clawed_back=repaid)
        self.grants[ref] = g
        self.expire(now)

    spends: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def spend(self, entry_id: str, amount: int, now: dt.datetime) -> bool:
        self.settle(now)
        if amount > self.balance:
            return False
        taken = self.pick(amount, now)
        for g, part in taken:
            g.remaining -= part
            g.consumed += part
        self.spends[entry_id] = [(g.ref, part) for g, part in taken]
        return True

    def refundable(self, entry_id: str) -> int:
        return sum(part for _, part in self.spends[entry_id])

    def refund(self, entry_id: str, amount: int | None, now: dt.datetime) -> int:
        """Give back to the spend's own grants, newest allocation first; lapsed grants keep nothing."""
        self.settle(now)
        allocations = self.spends[entry_id]
        left = self.refundable(entry_id) if amount is None else amount
        total = 0
        still_open: list[tuple[str, int]] = []
        for ref, part in reversed(allocations):
            back = min(left, part)
            left -= back
            g = self.grants[ref]
            restored = back if back and not g.lapsed(now) else 0
            g.remaining += restored
            g.consumed -= restored
            total += restored
            still_open.append((ref, part - restored))
        self.spends[entry_id] = list(reversed(still_open))
        return total

    def hold(self, hold_id: str, amount: int, expires_at: dt.datetime, now: dt.datetime) -> bool:
        self.settle(now)
        if amount > self.balance:
            return False
        taken = self.pick(amount, now)
        for g, part in taken:
            g.reserved += part
        self.held += amount
        self.holds[hold_id] = ModelHold(amount, expires_at, [(g.ref, part) for g, part in taken])
        return True

    def close(self, hold_id: str, captured: int, status: str, now: dt.datetime) -> None:
        hold = self.holds[hold_id]
        left = captured
        for ref, reserved in hold.reservations:
            g = self.grants[ref]
            used = min(left, reserved)
            left -= used
            g.reserved -= reserved
            g.remaining -= used
            g.consumed += used
        self.held -= hold.amount
        hold.status = status
        hold.captured = captured
        for ref, _ in hold.reservations:
            g = self.grants[ref]
            if g.lapsed(now) and g.available > 0:
                g.expired += g.available
                g.remaining -= g.available

    def clawback(self, ref: str, amount: int | None, negative: bool, now: dt.datetime) -> int:
        self.settle(now)
        g = self.grants[ref]
        open_credits = max(0, g.amount - g.expired - g.clawed_for)
        requested = open_credits if amount is None else min(amount, open_credits)
        total = requested if negative else min(requested, max(0, self.balance))
        from_grant = 0 if g.lapsed(now) else min(total, max(0, g.available))
        taken = self.pick(total - from_grant, now, exclude=ref) if total > from_grant else []
        for record, part in [(g, from_grant), *taken]:
            record.remaining -= part
            record.clawed_back += part
        self.debt += total - from_grant - sum(p for _, p in taken)
        g.clawed_for += total
        return total


class LedgerMachine(RuleBasedStateMachine):
    runtime: Runtime
    loop: asyncio.AbstractEventLoop

    grants = Bundle("grants")
    holds = Bundle("holds")
    spends = Bundle("spends")
    # On, the rules that never touch a hold are left out (`HoldMachine`).
    holds_only = False

    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.counter = 0
        # Each idempotency key a capture or release was answered under: its request and first answer.
        self.keyed: dict[str, tuple[Request, schemas.Hold]] = {}

    def call(self, op: Callable[[Ledger], Awaitable[T]]) -> T:
        async def go() -> T:
            async with session_scope(self.runtime.sessions) as session:
                return await op(Ledger(session, self.runtime.tenants.get("alpha")))

        return self.loop.run_until_complete(go())

    @initialize()
    def fresh_database(self) -> None:
        async def reset() -> None:
            async with self.runtime.engine.begin() as conn:
                await conn.execute(text(f"TRUNCATE {', '.join(LEDGER_TABLES)} CASCADE"))
            async with session_scope(self.runtime.sessions) as session:
                await CustomerService(session, self.runtime.tenants.get("alpha")).upsert(CUSTOMER, CustomerUpsert())

        self.loop.run_until_complete(reset())

    def next_ref(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    @rule(
        target=grants,
        amount=st.integers(1, 60),
        priority=st.sampled_from([0, 50, 100]),
        expires_in=st.none() | st.integers(1, 72),
    )
    def grant(self, amount: int, priority: int, expires_in: int | None) -> str:
        ref = self.next_ref("g")
        now = clock.now()
        expires_at = now + dt.timedelta(hours=expires_in) if expires_in else None
        self.call(
            lambda lg: lg.grant(
                CUSTOMER, amount, source="prop", source_ref=ref, priority=priority, expires_at=expires_at
            )
        )
        self.model.grant(ref, amount, priority, expires_at, clock.now())
        return ref

    @precondition(lambda self: not self.holds_only)
    @rule(grant=grants)
    def grant_replayed(self, grant: str) -> None:
        original = self.model.grants[grant]
        self.call(lambda lg: lg.grant(CUSTOMER, original.amount, source="prop", source_ref=grant))

    @precondition(lambda self: not self.holds_only)
    @rule(target=spends, amount=st.integers(1, 80))
    def spend(self, amount: int) -> str:
        try:
            entry_id = self.call(lambda lg: lg.spend(CUSTOMER, amount)).entry_id
        except PaymentRequired:
            assert not self.model.spend("-", amount, clock.now())
            return "none"
        assert self.model.spend(entry_id, amount, clock.now())
        return entry_id

    @precondition(lambda self: not self.holds_only)
    @rule(spend=spends, amount=st.none() | st.integers(1, 80))
    def refund(self, spend: str, amount: int | None) -> None:
        if spend == "none":
            return
        self.model.settle(clock.now())
        if amount is not None and amount > self.model.refundable(spend):
            with pytest.raises(BadRequest):
                self.call(lambda lg: lg.refund(CUSTOMER, spend, amount))
            return
        entry = self.call(lambda lg: lg.refund(CUSTOMER, spend, amount))
        assert entry.credits == self.model.refund(spend, amount, clock.now())

    @rule(target=holds, amount=st.integers(1, 50), ttl_hours=st.integers(1, 24))
    def hold(self, amount: int, ttl_hours: int) -> str | MultipleResults[str]:
        try:
            hold = self.call(lambda lg: lg.hold(CUSTOMER, amount, ttl_seconds=ttl_hours * 3600))
        except PaymentRequired:
            assert not self.model.hold("-", amount, clock.now(), clock.now())
            return multiple()
        assert self.model.hold(hold.id, amount, hold.expires_at, clock.now())
        return hold.id

    def expected(self, request: Request, key: str | None) -> str | None:
        """The model's verdict on a capture or release: None (it closes the hold), "replay", or the 4xx code."""
        if key is not None and key in self.keyed:
            return "replay" if self.keyed[key][0] == request else "idempotency_key_reused"
        kind, hold_id, part = request
        hold = self.model.holds[hold_id]
        if hold.status == "expired":
            return "hold_expired"
        if hold.status != "active":
            return f"hold_already_{hold.status}"
        if kind == "capture" and part is not None and part > hold.amount:
            return "capture_exceeds_hold"
        return None

    def close(self, request: Request, key: str | None) -> None:
        """Send the capture or release and check its answer (or error) against the model's."""
        kind, hold_id, part = request
        self.model.settle(clock.now())
        expected = self.expected(request, key)

        def send(lg: Ledger) -> Awaitable[schemas.Hold]:
            if kind == "capture":
                return lg.capture(CUSTOMER, hold_id, part, idempotency_key=key)
            return lg.release(CUSTOMER, hold_id, idempotency_key=key)

        if expected not in (None, "replay"):
            with pytest.raises((Conflict, BadRequest)) as refused:
                self.call(send)
            assert refused.value.code == expected
            if expected.startswith("hold_already_"):
                model_hold = self.model.holds[hold_id]
                assert refused.value.detail == {"captured": model_hold.captured, "status": model_hold.status}
            return
        answer = self.call(send)
        if expected == "replay":
            assert key is not None
            assert answer == self.keyed[key][1]
            return
        assert expected is None
        model_hold = self.model.holds[hold_id]
        captured = 0 if kind == "release" else model_hold.amount if part is None else part
        self.model.close(hold_id, captured, "captured" if kind == "capture" else "released", clock.now())
        assert (answer.status, answer.captured, answer.balance) == (
            model_hold.status,
            captured,
            self.model.balance,
        )
        if key is not None:
            self.keyed[key] = (request, answer)

    @rule(hold=holds, act=st.sampled_from(["capture", "release"]), key=KEYS, data=st.data())
    def capture_or_release(self, hold: str, act: str, key: str | None, data: st.DataObject) -> None:
        # All (None), part, or one more than the hold: drawn against its amount, most captures fit.
        part = data.draw(st.none() | st.integers(1, self.model.holds[hold].amount + 1)) if act == "capture" else None
        self.close((act, hold, part), key)

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.keyed)))
        self.close(self.keyed[key][0], key)

    @precondition(lambda self: not self.holds_only)
    @rule(grant=grants, amount=st.none() | st.integers(1, 60), negative=st.booleans())
    def clawback(self, grant: str, amount: int | None, negative: bool) -> None:
        policy = "allow_negative" if negative else "down_to_zero"
        result = self.call(lambda lg: lg.clawback(source="prop", source_ref=grant, amount=amount, policy=policy))
        assert result.clawed_back == self.model.clawback(grant, amount, negative, clock.now())

    @rule(hours=st.integers(1, 48))
    def clock_jumps(self, hours: int) -> None:
        clock.advance(dt.timedelta(hours=hours))

    @rule()
    def expiry_job(self) -> None:
        self.loop.run_until_complete(expire_credits(self.runtime, batch_size=5))
        self.model.settle(clock.now())

    @invariant()
    def matches_the_model_and_invariants_hold(self) -> None:
        shown = self.call(lambda lg: lg.balance(CUSTOMER))
        self.model.settle(clock.now())
        assert (shown.balance, shown.held, shown.debt) == (self.model.balance, self.model.held, self.model.debt)
        if self.model.debt == 0:
            assert shown.balance >= 0

        async def db_state() -> tuple[list[str], dict[str, tuple[int, ...]], dict[str, tuple[str, int]]]:
            broken = await ledger_violations(self.runtime.engine)
            async with self.runtime.engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT source_ref, remaining, reserved, consumed, expired, clawed_back FROM credit_grants")
                )
                grants = {r[0]: tuple(r[1:]) for r in rows}
                holds = {str(r[0]): (r[1], r[2]) for r in await conn.execute(text(HOLDS_SQL))}
            return broken, grants, holds

        broken, grants, holds = self.loop.run_until_complete(db_state())
        assert broken == []
        assert holds == {h: (m.status, m.captured) for h, m in self.model.holds.items()}
        expected = {
            g.ref: (g.remaining, g.reserved, g.consumed, g.expired, g.clawed_back) for g in self.model.grants.values()
        }
        assert grants == expected

    def teardown(self) -> None:
        clock.reset()


class HoldMachine(LedgerMachine):
    """Grants, holds, captures, releases, replays and the clock only, with credits enough for most
    holds: a run spends its steps on closing holds, replaying and refusing, not on spends and clawbacks."""

    holds_only = True

    @initialize()
    def fresh_database(self) -> None:
        # Enough credits that most holds are taken, whichever rules a run draws.
        super().fresh_database()
        self.grant(1000, 50, None)


@pytest.mark.timeout(240)
@pytest.mark.parametrize(("machine", "examples"), [(LedgerMachine, 30), (HoldMachine, 15)])
def test_ledger_against_the_model(make_runtime: Any, machine: type[LedgerMachine], examples: int) -> None:
    loop = asyncio.new_event_loop()
    runtime: Runtime = make_runtime()
    machine.runtime = runtime
    machine.loop = loop
    run_settings = settings(
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    try:
        machine.TestCase.settings = run_settings
        machine.TestCase().runTest()
    finally:
        loop.run_until_complete(runtime.engine.dispose())
        loop.close()
