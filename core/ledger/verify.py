"""The ledger verifier: every invariant of docs/ledger.md checked over every account, batch by batch.

`verify_ledger` walks `credit_accounts` in id order (keyset pages of `batch_size` accounts, so a
ledger of millions of entries is read in bounded pieces), reads each page's entries, grants,
allocations and holds by account id range in one short read transaction, and compares them in
Python. The SQL is SQLAlchemy Core over the models: the same on PostgreSQL and SQLite. It answers
how many rows break each check and, for the first few of each, the tenant, customer, grant and the
numbers that disagree. `tollgate ledger verify`, the demo, the reliability tests and the benchmarks
run it; the ledger tests' `assert_invariants` is this function.

The source check (`grant_source`) needs the plugins' declared sources (`tollgate_grant_sources`):
a grant under an undeclared source, or whose `source_ref` does not match its source's pattern, is a
violation. An `admin` grant is traced today by its own ledger entry (the operator's `reason` on it);
once admin actions have an audit table (issue 20), this check looks for the grant's audit record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import aliased

from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, CreditHold, LedgerEntry
from core.ledger.sources import GrantSource

# Each check's name (stable: JSON output, tests) and what it asserts, in the order they are reported.
CHECKS: Mapping[str, str] = {
    "grant_counters": "issued = remaining + consumed + expired + clawed back; 0 <= reserved <= remaining",
    "entries_sum": "sum of entries = balance",
    "balance_parts": "balance = grants' remaining - held - debt",
    "held": "held = active holds = grants' reserved",
    "seq": "seq gapless 1..n; each balance_after = previous + amount",
    "negative_balance": "no negative balance without debt",
    "allocations": "grant counters = the sums of their allocations",
    "expired_grant_spent": "no credits taken from a grant past its expiry",
    "grant_entry": "every grant has its grant entry, every grant entry its grant",
    "grant_source": "every grant traces to a Stripe object, a plan or an operator",
}
# Everything but the sources: for ledgers whose grants use made-up sources (the ledger's own tests).
LEDGER_CHECKS = tuple(name for name in CHECKS if name != "grant_source")

# Allocation kinds that take credits for a spend; none may touch a grant that had lapsed by then.
# A capture may consume a lapsed grant's reserved credits (reserved before it lapsed), and a repay
# allocation is the debt taken out of a new grant, expired or not.
_TAKING = ("reserve", "clawback")
_SPENDING_ENTRIES = ("spend", "adjust")


class Violation(msgspec.Struct, frozen=True, omit_defaults=True):
    """One row that breaks one check: whose it is, what disagrees, and the numbers."""

    check: str
    tenant: str
    customer: str
    account_id: str
    detail: str
    grant_id: str | None = None
    figures: dict[str, int] = {}

    def line(self) -> str:
        grant = f" grant {self.grant_id}" if self.grant_id else ""
        return f"{self.check}: {self.tenant}/{self.customer}{grant}: {self.detail}"


class Report(msgspec.Struct):
    """What a run found: rows read, how many break each check run, and the first violators of each."""

    accounts: int = 0
    grants: int = 0
    entries: int = 0
    counts: dict[str, int] = {}
    violations: list[Violation] = []

    @property
    def clean(self) -> bool:
        return not any(self.counts.values())

    def first(self, limit: int) -> list[Violation]:
        return self.violations[:limit]


class _Account(msgspec.Struct):
    id: UUID
    tenant: str
    customer: str
    balance: int
    held: int
    debt: int
    last_seq: int


async def verify_ledger(
    engine: AsyncEngine,
    *,
    sources: Mapping[str, GrantSource] | None,
    tenants: Sequence[str] = (),
    batch_size: int = 500,
    keep: int = 20,
    on_batch: Callable[[int, int], None] | None = None,
) -> Report:
    """Check every account of `tenants` (all when empty); `sources` None skips the source check.

    `on_batch(accounts checked, total)` is called after each batch (the CLI's progress bar). At most
    `keep` violations of each check are kept; `counts` has them all.
    """
    checks = list(CHECKS) if sources is not None else list(LEDGER_CHECKS)
    report = Report(counts=dict.fromkeys(checks, 0))
    kept: dict[str, list[Violation]] = defaultdict(list)
    async with engine.connect() as conn:
        total = (
            await conn.execute(_scoped(select(func.count()).select_from(CreditAccount), CreditAccount, tenants))
        ).scalar_one()
    after: UUID | None = None
    while True:
        async with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot per batch: a ledger in use never looks broken between two of its queries.
                await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                accounts = await _page(conn, tenants, after, batch_size)
                if not accounts:
                    break
                found = await _check_batch(conn, accounts, tenants, sources, report)
        for violation in found:
            report.counts[violation.check] += 1
            if len(kept[violation.check]) < keep:
                kept[violation.check].append(violation)
        report.accounts += len(accounts)
        after = accounts[-1].id
        if on_batch is not None:
            on_batch(report.accounts, max(total, report.accounts))
        if len(accounts) < batch_size:
            break
    report.violations = [v for name in checks for v in kept[name]]
    return report


def _scoped(statement: Any, model: Any, tenants: Sequence[str]) -> Any:
    """The statement limited to `tenants` when some are named (the verifier reads across tenants)."""
    return statement.where(model.tenant_id.in_(list(tenants))) if tenants else statement


async def _page(conn: AsyncConnection, tenants: Sequence[str], after: UUID | None, size: int) -> list[_Account]:
    a = CreditAccount
    statement = select(a.id, a.tenant_id, a.customer, a.balance, a.held, a.debt, a.last_seq)
    if after is not None:
        statement = statement.where(a.id > after)
    rows = await conn.execute(_scoped(statement, a, tenants).order_by(a.id).limit(size))
    return [_Account(*row) for row in rows]


async def _check_batch(
    conn: AsyncConnection,
    accounts: list[_Account],
    tenants: Sequence[str],
    sources: Mapping[str, GrantSource] | None,
    report: Report,
) -> list[Violation]:
    by_id = {a.id: a for a in accounts}
    lo, hi = accounts[0].id, accounts[-1].id

    def within(model: Any) -> Any:
        return and_(model.account_id >= lo, model.account_id <= hi)

    async def rows(statement: Any, model: Any) -> list[Any]:
        # An account of another tenant may sit inside the id range; its rows are not this run's.
        return [r for r in await conn.execute(_scoped(statement, model, tenants)) if r.account_id in by_id]

    e, g, x, h = LedgerEntry, CreditGrant, CreditAllocation, CreditHold
    entry_sums = await rows(
        select(
            e.account_id,
            func.sum(e.amount).label("total"),
            func.count().label("n"),
            func.min(e.seq).label("first"),
            func.max(e.seq).label("last"),
        )
        .where(within(e))
        .group_by(e.account_id),
        e,
    )
    previous = aliased(LedgerEntry)
    breaks = await rows(
        select(e.account_id, e.seq, e.amount, e.balance_after, previous.balance_after.label("before"))
        .outerjoin(previous, and_(previous.account_id == e.account_id, previous.seq == e.seq - 1))
        .where(
            within(e),
            or_(
                and_(e.seq == 1, e.balance_after != e.amount),
                and_(e.seq > 1, or_(previous.id.is_(None), e.balance_after != previous.balance_after + e.amount)),
            ),
        )
        .order_by(e.account_id, e.seq),
        e,
    )
    grants = await rows(
        select(
            g.id,
            g.account_id,
            g.amount,
            g.remaining,
            g.reserved,
            g.consumed,
            g.expired,
            g.clawed_back,
            g.source,
            g.source_ref,
        ).where(within(g)),
        g,
    )
    moved = {
        kind: func.coalesce(func.sum(case((x.kind == kind, x.amount), else_=0)), 0).label(kind)
        for kind in ("consume", "restore", "expire", "clawback", "repay", "reserve", "release")
    }
    captured = func.coalesce(func.sum(case((and_(x.kind == "consume", e.kind == "capture"), x.amount), else_=0)), 0)
    allocation_sums = await rows(
        select(x.grant_id, g.account_id, *moved.values(), captured.label("captured"))
        .join(g, g.id == x.grant_id)
        .join(e, e.id == x.entry_id)
        .where(within(g))
        .group_by(x.grant_id, g.account_id),
        g,
    )
    grant_entries = await rows(
        select(e.account_id, e.seq, e.reference, e.amount).where(
            within(e), e.kind.in_(("grant", "adjust")), e.amount > 0
        ),
        e,
    )
    held = await rows(
        select(h.account_id, func.sum(h.amount).label("total"))
        .where(within(h), h.status == "active", h.unlimited.is_(False))
        .group_by(h.account_id),
        h,
    )
    taken_expired = await rows(
        select(g.account_id, g.id, g.expires_at, e.seq, e.kind.label("entry_kind"), e.created_at, x.kind, x.amount)
        .select_from(x)
        .join(e, e.id == x.entry_id)
        .join(g, g.id == x.grant_id)
        .where(
            within(g),
            g.expires_at.is_not(None),
            g.expires_at <= e.created_at,
            x.kind.in_(_TAKING) | and_(x.kind == "consume", e.kind.in_(_SPENDING_ENTRIES)),
        ),
        g,
    )
    report.grants += len(grants)
    report.entries += sum(r.n for r in entry_sums)

    found: list[Violation] = []
    found += _grant_counters(by_id, grants)
    found += _account_sums(accounts, entry_sums, grants, held)
    found += _sequence(by_id, accounts, entry_sums, breaks)
    found += _allocations(by_id, grants, allocation_sums)
    found += _expired_grants(by_id, taken_expired)
    found += _grant_entries(by_id, grants, grant_entries)
    if sources is not None:
        found += _grant_sources(by_id, grants, sources)
    return found


def _violation(check: str, account: _Account, detail: str, grant: Any = None, **figures: int) -> Violation:
    return Violation(
        check=check,
        tenant=account.tenant,
        customer=account.customer,
        account_id=str(account.id),
        detail=detail,
        grant_id=str(grant) if grant is not None else None,
        figures=figures,
    )


def _grant_counters(by_id: Mapping[UUID, _Account], grants: Iterable[Any]) -> Iterable[Violation]:
    for r in grants:
        parts = r.remaining + r.consumed + r.expired + r.clawed_back
        negative = min(r.remaining, r.reserved, r.consumed, r.expired, r.clawed_back) < 0
        if r.amount != parts or negative or r.reserved > r.remaining:
            yield _violation(
                "grant_counters",
                by_id[r.account_id],
                f"amount {r.amount} vs remaining {r.remaining} + consumed {r.consumed} + expired {r.expired} "
                f"+ clawed back {r.clawed_back} = {parts}; reserved {r.reserved}",
                r.id,
                amount=r.amount,
                remaining=r.remaining,
                reserved=r.reserved,
                consumed=r.consumed,
                expired=r.expired,
                clawed_back=r.clawed_back,
            )


def _account_sums(
    accounts: Iterable[_Account], entry_sums: Iterable[Any], grants: Iterable[Any], holds: Iterable[Any]
) -> Iterable[Violation]:
    entries = {r.account_id: int(r.total) for r in entry_sums}
    active = {r.account_id: int(r.total) for r in holds}
    remaining: dict[UUID, int] = defaultdict(int)
    reserved: dict[UUID, int] = defaultdict(int)
    for r in grants:
        remaining[r.account_id] += r.remaining
        reserved[r.account_id] += r.reserved
    for a in accounts:
        total = entries.get(a.id, 0)
        if total != a.balance:
            yield _violation(
                "entries_sum", a, f"balance {a.balance}, entries sum to {total}", balance=a.balance, entries=total
            )
        expected = remaining[a.id] - a.held - a.debt
        if expected != a.balance:
            yield _violation(
                "balance_parts",
                a,
                f"balance {a.balance} vs grants' remaining {remaining[a.id]} - held {a.held} - debt {a.debt}"
                f" = {expected}",
                balance=a.balance,
                remaining=remaining[a.id],
                held=a.held,
                debt=a.debt,
            )
        holding = active.get(a.id, 0)
        if not a.held == reserved[a.id] == holding:
            yield _violation(
                "held",
                a,
                f"held {a.held}, grants' reserved {reserved[a.id]}, active holds {holding}",
                held=a.held,
                reserved=reserved[a.id],
                holds=holding,
            )
        if (a.balance < 0 and a.debt == 0) or a.debt < 0 or a.held < 0:
            yield _violation(
                "negative_balance",
                a,
                f"balance {a.balance}, held {a.held}, debt {a.debt}",
                balance=a.balance,
                held=a.held,
                debt=a.debt,
            )


def _sequence(
    by_id: Mapping[UUID, _Account], accounts: Iterable[_Account], entry_sums: Iterable[Any], breaks: Iterable[Any]
) -> Iterable[Violation]:
    sums = {r.account_id: r for r in entry_sums}
    broken = set()
    for r in breaks:
        if r.account_id in broken:
            continue  # the first break explains the ones after it
        broken.add(r.account_id)
        before = 0 if r.seq == 1 else r.before
        what = "no entry before it" if before is None else f"previous {before} + amount {r.amount}"
        yield _violation(
            "seq",
            by_id[r.account_id],
            f"entry {r.seq}: balance_after {r.balance_after}, {what}",
            seq=r.seq,
            balance_after=r.balance_after,
            amount=r.amount,
        )
    for a in accounts:
        s = sums.get(a.id)
        n, first, last = (int(s.n), int(s.first), int(s.last)) if s is not None else (0, 1, 0)
        if a.id not in broken and not (a.last_seq == n == last and first == 1):
            yield _violation(
                "seq",
                a,
                f"last_seq {a.last_seq}, {n} entries numbered {first}..{last}",
                last_seq=a.last_seq,
                entries=n,
                first=first,
                last=last,
            )


def _allocations(
    by_id: Mapping[UUID, _Account], grants: Iterable[Any], allocation_sums: Iterable[Any]
) -> Iterable[Violation]:
    sums = {r.grant_id: r for r in allocation_sums}
    for g in grants:
        s = sums.get(g.id)
        moved: dict[str, int] = defaultdict(int, s._mapping if s is not None else {})
        expected = {
            "consumed": moved["consume"] - moved["restore"],
            "expired": moved["expire"],
            "clawed_back": moved["clawback"] + moved["repay"],
            "reserved": moved["reserve"] - moved["release"] - moved["captured"],
        }
        actual = {name: getattr(g, name) for name in expected}
        wrong = [
            f"{name} {actual[name]} vs allocations {expected[name]}"
            for name in expected
            if actual[name] != expected[name]
        ]
        if wrong:
            yield _violation(
                "allocations",
                by_id[g.account_id],
                "; ".join(wrong),
                g.id,
                **actual,
                **{f"allocated_{k}": v for k, v in expected.items()},
            )


def _expired_grants(by_id: Mapping[UUID, _Account], rows: Iterable[Any]) -> Iterable[Violation]:
    for r in rows:
        yield _violation(
            "expired_grant_spent",
            by_id[r.account_id],
            f"entry {r.seq} ({r.entry_kind} at {_at(r.created_at)}) took {r.amount} ({r.kind}) from a grant "
            f"that expired at {_at(r.expires_at)}",
            r.id,
            seq=r.seq,
            amount=r.amount,
        )


def _grant_entries(
    by_id: Mapping[UUID, _Account], grants: Iterable[Any], entries: Iterable[Any]
) -> Iterable[Violation]:
    granted: dict[tuple[UUID, str], list[Any]] = defaultdict(list)
    for r in entries:
        granted[(r.account_id, r.reference or "")].append(r)
    for g in grants:
        mine = granted.pop((g.account_id, str(g.id)), [])
        if len(mine) != 1 or mine[0].amount != g.amount:
            given = ", ".join(f"entry {r.seq} of {r.amount}" for r in mine) or "no entry"
            yield _violation(
                "grant_entry",
                by_id[g.account_id],
                f"grant of {g.amount}: {given}",
                g.id,
                amount=g.amount,
                entries=len(mine),
            )
    for (account_id, reference), orphans in granted.items():
        for r in orphans:
            yield _violation(
                "grant_entry",
                by_id[account_id],
                f"entry {r.seq} grants {r.amount} for grant {reference or '(none)'}, which does not exist",
                seq=r.seq,
                amount=r.amount,
            )


def _grant_sources(
    by_id: Mapping[UUID, _Account], grants: Iterable[Any], sources: Mapping[str, GrantSource]
) -> Iterable[Violation]:
    for g in grants:
        source = sources.get(g.source)
        if source is None:
            detail = f"source {g.source!r} ({g.source_ref}) is declared by no plugin"
        elif not source.accepts(g.source_ref):
            detail = f"{source.kind} source {g.source!r}: reference {g.source_ref!r} is not {source.description}"
        else:
            continue
        yield _violation("grant_source", by_id[g.account_id], detail, g.id, amount=g.amount)


def _at(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)
