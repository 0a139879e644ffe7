"""The ledger's reads: a customer's balance and entries, one grant; and how entries and grants are shown.

`read_balance` and `read_entries` serve `GET /balance` and `GET /ledger`, which tenant apps call on
every request of their users: on PostgreSQL each is one prepared statement on a pooled driver
connection, outside any transaction (one statement sees one snapshot), built and compiled once.
Only when something has lapsed on the account (`due_at` has passed) does a read take the ledger's
write path: lock the account, settle, write, commit. SQLite reads through `Ledger` in a session.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import msgspec
from sqlalchemy import Select, bindparam, literal_column, outerjoin, select, true

from core import clock
from core.cursors import seq_position
from core.customers.models import Customer
from core.db import read_on_driver, scoped, session_scope
from core.ledger import schemas
from core.ledger.accounts import Accounts
from core.ledger.models import CreditAccount, CreditGrant, LedgerEntry
from core.ledger.repository import AccountRecord
from core.lists import MAX_LIMIT, Page, PageRequest
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel


class LiveGrant(NamedTuple):
    """A grant that still has credits, as the balance shows it."""

    id: Any
    source: str
    remaining: int
    reserved: int
    priority: int
    expires_at: dt.datetime | None


# Every statement below is built once, with the tenant (through `scoped`) and each key a bound parameter.
_TENANT = cast(str, bindparam("scope_tenant"))
_ACCOUNT_COLUMNS = (
    CreditAccount.id,
    CreditAccount.customer,
    CreditAccount.balance,
    CreditAccount.held,
    CreditAccount.debt,
    CreditAccount.last_seq,
    CreditAccount.unlimited,
    CreditAccount.unlimited_until,
    CreditAccount.due_at,
)
_LIVE_COLUMNS = (
    CreditGrant.id,
    CreditGrant.source,
    CreditGrant.remaining,
    CreditGrant.reserved,
    CreditGrant.priority,
    CreditGrant.expires_at,
)
# Consumption order: priority (lower first), then the earliest expiry, then the oldest.
_LIVE = (
    scoped(select(*_LIVE_COLUMNS), CreditGrant, _TENANT)
    .where(CreditGrant.account_id == bindparam("account_id"), CreditGrant.remaining > 0)
    .order_by(CreditGrant.priority, CreditGrant.expires_at.asc().nulls_last(), CreditGrant.created_at, CreditGrant.id)
)
_accounts = scoped(select(*_ACCOUNT_COLUMNS), CreditAccount, _TENANT).subquery("account")
_grants = (
    scoped(select(CreditGrant.account_id, CreditGrant.created_at, *_LIVE_COLUMNS), CreditGrant, _TENANT)
    .where(CreditGrant.remaining > 0)
    .subquery("grant")
)
# The customer (none: 404), its account (none: nothing granted yet) and each live grant, one row each.
_BALANCE = (
    scoped(select(Customer.id, *_accounts.c, *(_grants.c[c.key] for c in _LIVE_COLUMNS)), Customer, _TENANT)
    .select_from(
        outerjoin(Customer, _accounts, _accounts.c.customer == Customer.external_id).outerjoin(
            _grants, _grants.c.account_id == _accounts.c.id
        )
    )
    .where(Customer.external_id == bindparam("customer"))
    .order_by(_grants.c.priority, _grants.c.expires_at.asc().nulls_last(), _grants.c.created_at, _grants.c.id)
)
_ENTRY_COLUMNS = (
    LedgerEntry.id,
    LedgerEntry.seq,
    LedgerEntry.kind,
    LedgerEntry.amount,
    LedgerEntry.balance_after,
    LedgerEntry.requested,
    LedgerEntry.reference,
    LedgerEntry.reason,
    LedgerEntry.metadata_,
    LedgerEntry.created_at,
)


@functools.lru_cache(maxsize=MAX_LIMIT + 1)
def _entries_page(fetch: int) -> Select[Any]:
    """The customer, its account, and `fetch` of its entries newest first (the (account, seq) index, backwards).

    One statement per page size (at most 200), its LIMIT written in: as a bound parameter,
    PostgreSQL's generic plan guesses the LIMIT at a tenth of an account's entries, so once the
    statistics count thousands of entries an account it costs more than a custom plan, and each
    read was planned again (about 0.2 ms, as long as the statement runs).
    """
    entries = (
        scoped(select(*_ENTRY_COLUMNS), LedgerEntry, _TENANT)
        .where(LedgerEntry.account_id == _accounts.c.id, LedgerEntry.seq < bindparam("before_seq"))
        .order_by(LedgerEntry.seq.desc())
        .limit(literal_column(str(int(fetch))))
        .lateral("entry")
    )
    return (
        scoped(select(Customer.id, _accounts.c.id, _accounts.c.due_at, *entries.c), Customer, _TENANT)
        .select_from(
            outerjoin(Customer, _accounts, _accounts.c.customer == Customer.external_id).outerjoin(entries, true())
        )
        .where(Customer.external_id == bindparam("customer"))
        .order_by(entries.c.seq.desc())
    )


_NO_SEQ = 2**63 - 1
_ACCOUNT_FIELDS = len(_ACCOUNT_COLUMNS)


async def read_balance(kernel: Kernel, tenant: Tenant, customer: str) -> schemas.Balance:
    """`GET /balance`: one statement when nothing has lapsed; settled under the account lock otherwise."""
    if kernel.engine.dialect.name == "postgresql":
        rows = await read_on_driver(kernel.engine, _BALANCE, {"scope_tenant": tenant.slug, "customer": customer})
        now = clock.now()
        if rows and rows[0][1] is None:
            return balance_schema(customer, None, [], now)
        if rows and not lapsed(rows[0][9], now):
            account = AccountRecord(*rows[0][1 : 1 + _ACCOUNT_FIELDS])
            grants = [LiveGrant(*row[1 + _ACCOUNT_FIELDS :]) for row in rows if row[1 + _ACCOUNT_FIELDS] is not None]
            return balance_schema(customer, account, grants, now)
    async with session_scope(kernel.sessions) as session:
        return await Reads(session, tenant).balance(customer)


async def read_entries(kernel: Kernel, tenant: Tenant, customer: str, page: PageRequest) -> Page[schemas.Entry]:
    """`GET /ledger`: one statement when nothing has lapsed; settled under the account lock otherwise."""
    if kernel.engine.dialect.name == "postgresql":
        before = page.position("ledger", seq_position)
        before_seq = _NO_SEQ if before is None else before
        params = {"scope_tenant": tenant.slug, "customer": customer, "before_seq": before_seq}
        rows = await read_on_driver(kernel.engine, _entries_page(page.fetch), params)
        if rows and (rows[0][1] is None or not lapsed(rows[0][2], clock.now())):
            found = [row[3:] for row in rows if row[3] is not None]
            return page.page(found, "ledger", lambda row: row[1], (_entry(row) for row in found[: page.limit]))
    async with session_scope(kernel.sessions) as session:
        return await Reads(session, tenant).entries(customer, page)


def lapsed(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a grant or hold of the account has lapsed and waits to be settled."""
    return due_at is not None and due_at <= now


def balance_schema(
    customer: str, account: AccountRecord | None, grants: Sequence[LiveGrant], now: dt.datetime
) -> schemas.Balance:
    """The balance answer: the account's figures and its live grants, with the soonest credits to expire."""
    if account is None:
        return schemas.Balance(customer, 0, 0, 0, False, None, [], None)
    next_expiry: schemas.NextExpiry | None = None
    expiring = sorted({g.expires_at for g in grants if g.expires_at is not None and g.remaining > g.reserved})
    if expiring:
        first = expiring[0]
        part = sum(g.remaining - g.reserved for g in grants if g.expires_at == first)
        next_expiry = schemas.NextExpiry(at=first, credits=part)
    return schemas.Balance(
        customer=customer,
        balance=account.balance,
        held=account.held,
        debt=account.debt,
        unlimited=account.is_unlimited(now),
        unlimited_until=account.unlimited_until if account.unlimited else None,
        grants=[
            schemas.GrantBalance(
                id=str(g.id),
                source=g.source,
                remaining=g.remaining,
                reserved=g.reserved,
                priority=g.priority,
                expires_at=g.expires_at,
            )
            for g in grants
        ],
        next_expiry=next_expiry,
    )


def _entry(row: Sequence[Any]) -> schemas.Entry:
    """An entry read on the driver: columns in `_ENTRY_COLUMNS` order, the metadata as JSON text."""
    entry_id, seq, kind, amount, balance_after, requested, reference, reason, metadata, created_at = row
    shown = msgspec.json.decode(metadata) if isinstance(metadata, str | bytes) else metadata or {}
    return schemas.Entry(
        id=str(entry_id),
        seq=seq,
        kind=kind,
        credits=amount,
        balance_after=balance_after,
        requested=requested,
        reference=reference,
        reason=reason,
        metadata={k: v for k, v in shown.items() if isinstance(v, str)},
        created_at=created_at,
    )


class Reads(Accounts):
    """What a customer has and what moved it; reading settles first what has lapsed."""

    async def balance(self, customer: str) -> schemas.Balance:
        """Spendable credits, holds, debt, the unlimited flag, and each live grant with its expiry."""
        now = clock.now()
        account = await self._account_for_read(customer, now)
        if account is None:
            return balance_schema(customer, None, [], now)
        connection = await self.session.connection()
        rows = await connection.execute(_LIVE, {"scope_tenant": self.tenant.slug, "account_id": account.id})
        return balance_schema(customer, account, [LiveGrant(*row) for row in rows], now)

    async def entries(self, customer: str, page: PageRequest) -> Page[schemas.Entry]:
        """The customer's entries, newest first; `next_cursor` continues after the last one."""
        before = page.position("ledger", seq_position)
        account = await self._account_for_read(customer, clock.now())
        if account is None:
            return Page(data=[], has_more=False, next_cursor=None)
        rows = await self.repo.entries(account.id, before, page.fetch)
        return page.page(rows, "ledger", lambda row: row.seq, (entry_schema(row) for row in rows[: page.limit]))

    async def grant_of(self, source: str, source_ref: str) -> schemas.Grant | None:
        row = await self.repo.grant_row(source=source, source_ref=source_ref)
        return grant_schema(row[0], row[1]) if row is not None else None


def entry_schema(row: LedgerEntry) -> schemas.Entry:
    metadata = row.metadata_ or {}
    return schemas.Entry(
        id=str(row.id),
        seq=row.seq,
        kind=row.kind,  # type: ignore[arg-type]
        credits=row.amount,
        balance_after=row.balance_after,
        requested=row.requested,
        reference=row.reference,
        reason=row.reason,
        metadata={k: v for k, v in metadata.items() if isinstance(v, str)},
        created_at=row.created_at,
    )


def grant_schema(row: CreditGrant, customer: str) -> schemas.Grant:
    return schemas.Grant(
        id=str(row.id),
        customer=customer,
        credits=row.amount,
        remaining=row.remaining,
        reserved=row.reserved,
        consumed=row.consumed,
        expired=row.expired,
        clawed_back=row.clawed_back,
        priority=row.priority,
        expires_at=row.expires_at,
        source=row.source,
        source_ref=row.source_ref,
        reason=row.reason,
        metadata=dict(row.metadata_ or {}),
        created_at=row.created_at,
    )
