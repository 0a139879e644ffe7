"""The ledger's queries, in SQLAlchemy Core (the spend path is hot), every one through `scoped()`.

Rows come back as small mutable records; the service changes them under the account lock and
writes them back here. Nothing in this module decides anything about credits.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from core.db import insert_for, scoped
from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, CreditHold, LedgerEntry

# Writes go to the tables, not the ORM entities: no unit-of-work bookkeeping on the hot path.
ACCOUNTS = cast(Table, CreditAccount.__table__)
GRANTS = cast(Table, CreditGrant.__table__)
ENTRIES = cast(Table, LedgerEntry.__table__)
ALLOCATIONS = cast(Table, CreditAllocation.__table__)
HOLDS = cast(Table, CreditHold.__table__)
ACCOUNT_COLUMNS = (
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
GRANT_COLUMNS = (
    CreditGrant.id,
    CreditGrant.remaining,
    CreditGrant.reserved,
    CreditGrant.consumed,
    CreditGrant.expired,
    CreditGrant.clawed_back,
    CreditGrant.expires_at,
)
GRANT_COUNTERS = ("remaining", "reserved", "consumed", "expired", "clawed_back")
HOLD_COLUMNS = (
    CreditHold.id,
    CreditHold.account_id,
    CreditHold.amount,
    CreditHold.captured,
    CreditHold.status,
    CreditHold.unlimited,
    CreditHold.expires_at,
    CreditHold.entry_id,
    CreditHold.reason,
    CreditHold.metadata_,
    CreditHold.created_at,
)
# Consumption order: priority (lower first), then the earliest expiry, then the oldest.
CONSUMPTION_ORDER = (
    CreditGrant.priority,
    CreditGrant.expires_at.asc().nulls_last(),
    CreditGrant.created_at,
    CreditGrant.id,
)


# The hot path's statements are built once, with the tenant (through `scoped`) and every key as a
# bound parameter: building and cache-keying a statement on each call costs more than running it.
_TENANT = cast(str, bindparam("scope_tenant"))
_ACCOUNT = scoped(select(*ACCOUNT_COLUMNS), CreditAccount, _TENANT).where(
    CreditAccount.customer == bindparam("customer")
)
_ACCOUNT_LOCKED = _ACCOUNT.with_for_update()
_SAVE_ACCOUNT = (
    scoped(update(ACCOUNTS), CreditAccount, _TENANT)
    .where(ACCOUNTS.c.id == bindparam("a_id"))
    .values(
        balance=bindparam("a_balance"),
        held=bindparam("a_held"),
        debt=bindparam("a_debt"),
        last_seq=bindparam("a_last_seq"),
        unlimited=bindparam("a_unlimited"),
        unlimited_until=bindparam("a_unlimited_until"),
        due_at=bindparam("a_due_at"),
        updated_at=bindparam("now"),
    )
)
_SPENDABLE = (
    scoped(select(*GRANT_COLUMNS), CreditGrant, _TENANT)
    .where(
        CreditGrant.account_id == bindparam("account_id"),
        CreditGrant.remaining > CreditGrant.reserved,
        or_(CreditGrant.expires_at.is_(None), CreditGrant.expires_at > bindparam("now")),
    )
    .order_by(*CONSUMPTION_ORDER)
)
_SAVE_GRANT = (
    scoped(update(GRANTS), CreditGrant, _TENANT)
    .where(GRANTS.c.id == bindparam("grant_id"))
    .values({name: bindparam(f"g_{name}") for name in GRANT_COUNTERS} | {"updated_at": bindparam("now")})
)
_ENTRY_BY_KEY = scoped(
    select(*[c.label("metadata_") if c.name == "metadata" else c for c in ENTRIES.c]), LedgerEntry, _TENANT
).where(LedgerEntry.account_id == bindparam("account_id"), LedgerEntry.idempotency_key == bindparam("key"))
_INSERT_ENTRY = insert(ENTRIES)
_INSERT_ALLOCATION = insert(ALLOCATIONS)


ACCOUNT_FIELDS = ("balance", "held", "debt", "last_seq", "unlimited", "unlimited_until", "due_at")


@functools.lru_cache(maxsize=64)
def _write_statement(entries: int, allocations: int, grants: int, hold: bool) -> Any:
    """One UPDATE of the account carrying the other writes as CTEs, with bound parameters only.

    Built (and compiled) once per shape: how many entries, allocations and grants, with or without a hold.
    """

    def row(table: Table, prefix: str) -> dict[str, Any]:
        # Every column, even those with defaults: defaults are not applied inside a CTE.
        return {c.name: bindparam(f"{prefix}_{c.name}", type_=c.type) for c in table.c}

    ctes = [insert(ENTRIES).values(row(ENTRIES, f"e{n}")).cte(f"new_entry_{n}") for n in range(entries)]
    if hold:
        ctes.append(insert(HOLDS).values(row(HOLDS, "h0")).cte("new_hold"))
    ctes += [
        insert(ALLOCATIONS).values(row(ALLOCATIONS, f"x{n}")).cte(f"new_allocation_{n}") for n in range(allocations)
    ]
    for n in range(grants):
        changed = scoped(update(GRANTS), CreditGrant, _TENANT).where(GRANTS.c.id == bindparam(f"g{n}_id"))
        counters = {name: bindparam(f"g{n}_{name}", type_=GRANTS.c[name].type) for name in GRANT_COUNTERS}
        ctes.append(changed.values(counters | {"updated_at": bindparam("now")}).cte(f"grant_{n}"))
    account = (
        scoped(update(ACCOUNTS), CreditAccount, _TENANT)
        .where(ACCOUNTS.c.id == bindparam("a_id"))
        .values({name: bindparam(f"a_{name}", type_=ACCOUNTS.c[name].type) for name in ACCOUNT_FIELDS})
        .values(updated_at=bindparam("now"))
    )
    return account.add_cte(*ctes) if ctes else account


@dataclass
class AccountRecord:
    id: UUID
    customer: str
    balance: int
    held: int
    debt: int
    last_seq: int
    unlimited: bool
    unlimited_until: dt.datetime | None
    due_at: dt.datetime | None

    def is_unlimited(self, now: dt.datetime) -> bool:
        return self.unlimited and (self.unlimited_until is None or self.unlimited_until > now)


@dataclass
class GrantRecord:
    id: UUID
    remaining: int
    reserved: int
    consumed: int
    expired: int
    clawed_back: int
    expires_at: dt.datetime | None
    dirty: bool = field(default=False, compare=False)

    @property
    def available(self) -> int:
        return self.remaining - self.reserved

    def lapsed(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass
class HoldRecord:
    id: UUID
    account_id: UUID
    amount: int
    captured: int
    status: str
    unlimited: bool
    expires_at: dt.datetime
    entry_id: UUID | None
    reason: str | None
    metadata: dict[str, Any]
    created_at: dt.datetime


def new_id() -> UUID:
    return uuid7()


class LedgerRepository:
    """Every ledger query for one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _execute(self, statement: Any, params: Any = None) -> Any:
        """Run a Core statement on the session's connection: no ORM bookkeeping on the hot path."""
        connection = await self.session.connection()
        return await connection.execute(statement, params)

    # -- accounts ------------------------------------------------------------------------------

    async def account(self, customer: str, *, lock: bool = False) -> AccountRecord | None:
        statement = _ACCOUNT_LOCKED if lock else _ACCOUNT
        row = (await self._execute(statement, {"scope_tenant": self.tenant_id, "customer": customer})).one_or_none()
        return AccountRecord(*row) if row is not None else None

    async def account_by_id(self, account_id: UUID, *, lock: bool = False) -> AccountRecord | None:
        statement = scoped_select(CreditAccount, self.tenant_id, *ACCOUNT_COLUMNS).where(CreditAccount.id == account_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).one_or_none()
        return AccountRecord(*row) if row is not None else None

    async def customer_row_id(self, account_id: UUID) -> UUID:
        """The `customers.id` of the account's customer: how an audit record names them (`customer_target`)."""
        statement = scoped_select(CreditAccount, self.tenant_id, CreditAccount.customer_id)
        return cast(UUID, (await self._execute(statement.where(CreditAccount.id == account_id))).scalar_one())

    async def create_account(self, customer_id: UUID, customer: str, now: dt.datetime) -> None:
        """Insert the account unless a concurrent request already did (no error either way)."""
        values = {
            "id": new_id(),
            "tenant_id": self.tenant_id,
            "customer_id": customer_id,
            "customer": customer,
            "balance": 0,
            "held": 0,
            "debt": 0,
            "last_seq": 0,
            "unlimited": False,
            "created_at": now,
            "updated_at": now,
        }
        await self._execute(insert_for(self.session, CreditAccount).values(values).on_conflict_do_nothing())

    async def save_account(self, account: AccountRecord, now: dt.datetime) -> None:
        await self._execute(
            _SAVE_ACCOUNT,
            {
                "scope_tenant": self.tenant_id,
                "a_id": account.id,
                "a_balance": account.balance,
                "a_held": account.held,
                "a_debt": account.debt,
                "a_last_seq": account.last_seq,
                "a_unlimited": account.unlimited,
                "a_unlimited_until": account.unlimited_until,
                "a_due_at": account.due_at,
                "now": now,
            },
        )

    async def due_accounts(self, now: dt.datetime, limit: int) -> list[UUID]:
        """Accounts with a grant or hold that may have lapsed; locked rows are skipped (other workers)."""
        statement = (
            scoped_select(CreditAccount, self.tenant_id, CreditAccount.id)
            .where(CreditAccount.due_at <= now)
            .order_by(CreditAccount.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._execute(statement)).scalars())

    # -- grants --------------------------------------------------------------------------------

    async def spendable_grants(
        self, account_id: UUID, now: dt.datetime, *, exclude: UUID | None = None
    ) -> list[GrantRecord]:
        """Grants with unreserved credits that have not lapsed, in consumption order."""
        rows = await self._execute(_SPENDABLE, {"scope_tenant": self.tenant_id, "account_id": account_id, "now": now})
        return [GrantRecord(*row) for row in rows if row[0] != exclude]

    async def lapsed_grants(self, account_id: UUID, now: dt.datetime) -> list[GrantRecord]:
        statement = scoped_select(CreditGrant, self.tenant_id, *GRANT_COLUMNS).where(
            CreditGrant.account_id == account_id,
            CreditGrant.remaining > CreditGrant.reserved,
            CreditGrant.expires_at <= now,
        )
        return [GrantRecord(*row) for row in await self._execute(statement.order_by(*CONSUMPTION_ORDER))]

    async def grants_by_id(self, ids: Sequence[UUID]) -> dict[UUID, GrantRecord]:
        if not ids:
            return {}
        statement = scoped_select(CreditGrant, self.tenant_id, *GRANT_COLUMNS).where(CreditGrant.id.in_(list(ids)))
        return {row[0]: GrantRecord(*row) for row in await self._execute(statement)}

    async def grant_row(self, *, grant_id: UUID | None = None, source: str = "", source_ref: str = "") -> Any:
        """The whole grant row with its customer, by id or by (source, source_ref)."""
        statement = scoped_select(CreditGrant, self.tenant_id, CreditGrant, CreditAccount.customer).join(
            CreditAccount, CreditAccount.id == CreditGrant.account_id
        )
        if grant_id is not None:
            statement = statement.where(CreditGrant.id == grant_id)
        else:
            statement = statement.where(CreditGrant.source == source, CreditGrant.source_ref == source_ref)
        return (await self.session.execute(statement.execution_options(populate_existing=True))).one_or_none()

    async def live_grant_rows(self, account_id: UUID) -> Sequence[Any]:
        statement = (
            scoped_select(CreditGrant, self.tenant_id, CreditGrant)
            .where(CreditGrant.account_id == account_id, CreditGrant.remaining > 0)
            .order_by(*CONSUMPTION_ORDER)
        )
        return list((await self.session.execute(statement.execution_options(populate_existing=True))).scalars())

    async def insert_grant(self, values: dict[str, Any]) -> None:
        await self._execute(insert(GRANTS).values(tenant_id=self.tenant_id, **values))

    async def save_grants(self, grants: Sequence[GrantRecord], now: dt.datetime) -> None:
        dirty = {grant.id: grant for grant in grants if grant.dirty}
        if not dirty:
            return
        await self._execute(
            _SAVE_GRANT,
            [
                {"scope_tenant": self.tenant_id, "grant_id": grant.id, "now": now}
                | {f"g_{name}": getattr(grant, name) for name in GRANT_COUNTERS}
                for grant in dirty.values()
            ],
        )
        for grant in dirty.values():
            grant.dirty = False

    async def next_due(self, account_id: UUID) -> dt.datetime | None:
        """When the next grant or active hold of this account lapses."""
        grants = scoped_select(CreditGrant, self.tenant_id, func.min(CreditGrant.expires_at)).where(
            CreditGrant.account_id == account_id, CreditGrant.remaining > CreditGrant.reserved
        )
        holds = scoped_select(CreditHold, self.tenant_id, func.min(CreditHold.expires_at)).where(
            CreditHold.account_id == account_id, CreditHold.status == "active"
        )
        found = [(await self._execute(grants)).scalar(), (await self._execute(holds)).scalar()]
        times = [t for t in found if t is not None]
        return min(times) if times else None

    async def expiring_unnotified(self, start: dt.datetime, end: dt.datetime, limit: int) -> Sequence[Any]:
        statement = (
            scoped_select(
                CreditGrant,
                self.tenant_id,
                CreditGrant.id,
                CreditAccount.customer,
                CreditGrant.remaining - CreditGrant.reserved,
                CreditGrant.expires_at,
                CreditGrant.source,
            )
            .join(CreditAccount, CreditAccount.id == CreditGrant.account_id)
            .where(
                CreditGrant.expires_at > start,
                CreditGrant.expires_at <= end,
                CreditGrant.remaining > 0,
                CreditGrant.expiry_notified_at.is_(None),
            )
            .order_by(CreditGrant.expires_at)
            .limit(limit)
            .with_for_update(of=CreditGrant, skip_locked=True)
        )
        return list(await self._execute(statement))

    async def mark_expiry_notified(self, grant_ids: Sequence[UUID], now: dt.datetime) -> None:
        statement = scoped(update(GRANTS), CreditGrant, self.tenant_id).where(CreditGrant.id.in_(list(grant_ids)))
        await self._execute(statement.values(expiry_notified_at=now))

    # -- entries and allocations -----------------------------------------------------------------

    async def write(
        self,
        account: AccountRecord,
        now: dt.datetime,
        *,
        entries: Sequence[dict[str, Any]],
        allocations: Sequence[dict[str, Any]],
        grants: Sequence[GrantRecord],
        hold: dict[str, Any] | None = None,
    ) -> None:
        """One operation's writes: new entries, hold and allocations, changed grants, the account.

        On PostgreSQL they go as one statement (data-modifying CTEs; foreign keys are checked at its
        end), so the account's row lock is held for fewer round trips. SQLite runs them one by one.
        """
        if self.session.bind.dialect.name != "postgresql":
            await self.insert_entries(entries)
            if hold is not None:
                await self.insert_hold(hold)
            await self.insert_allocations(allocations)
            await self.save_grants(grants, now)
            await self.save_account(account, now)
            return
        dirty = list({grant.id: grant for grant in grants if grant.dirty}.values())
        statement = _write_statement(len(entries), len(allocations), len(dirty), hold is not None)
        # No parameter may be named like a column: UPDATE would take it as a value to SET.
        params: dict[str, Any] = {"scope_tenant": self.tenant_id, "a_id": account.id, "now": now}
        params |= {f"a_{name}": getattr(account, name) for name in ACCOUNT_FIELDS}
        holds = [hold] if hold is not None else []
        for prefix, table, rows in (("e", ENTRIES, entries), ("x", ALLOCATIONS, allocations), ("h", HOLDS, holds)):
            for n, row in enumerate(rows):
                values = row | {"tenant_id": self.tenant_id}
                params |= {f"{prefix}{n}_{c.name}": values.get(c.name) for c in table.c}
        for n, grant in enumerate(dirty):
            params |= {f"g{n}_{name}": getattr(grant, name) for name in GRANT_COUNTERS}
            params[f"g{n}_id"] = grant.id
            grant.dirty = False
        await self._execute(statement, params)

    async def insert_entries(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self._execute(_INSERT_ENTRY, [{"tenant_id": self.tenant_id, **r} for r in rows])

    async def insert_allocations(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self._execute(_INSERT_ALLOCATION, [{"tenant_id": self.tenant_id, **r} for r in rows])

    async def entry_by_key(self, account_id: UUID, key: str) -> Any:
        """The entry written under an idempotency key (a row with the entry's attribute names), or None."""
        params = {"scope_tenant": self.tenant_id, "account_id": account_id, "key": key}
        return (await self._execute(_ENTRY_BY_KEY, params)).one_or_none()

    async def entry_by_id(self, account_id: UUID, entry_id: UUID) -> LedgerEntry | None:
        statement = scoped_select(LedgerEntry, self.tenant_id, LedgerEntry).where(
            LedgerEntry.account_id == account_id, LedgerEntry.id == entry_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def entry_by_reference(self, account_id: UUID, kind: str, reference: str) -> LedgerEntry | None:
        statement = scoped_select(LedgerEntry, self.tenant_id, LedgerEntry).where(
            LedgerEntry.account_id == account_id, LedgerEntry.kind == kind, LedgerEntry.reference == reference
        )
        return (await self.session.execute(statement.order_by(LedgerEntry.seq).limit(1))).scalar_one_or_none()

    async def entries(self, account_id: UUID, before_seq: int | None, limit: int) -> list[LedgerEntry]:
        statement = scoped_select(LedgerEntry, self.tenant_id, LedgerEntry).where(LedgerEntry.account_id == account_id)
        if before_seq is not None:
            statement = statement.where(LedgerEntry.seq < before_seq)
        statement = statement.order_by(LedgerEntry.seq.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def allocations(self, entry_id: UUID, kind: str) -> list[tuple[UUID, int]]:
        statement = (
            scoped_select(CreditAllocation, self.tenant_id, CreditAllocation.grant_id, CreditAllocation.amount)
            .where(CreditAllocation.entry_id == entry_id, CreditAllocation.kind == kind)
            .order_by(CreditAllocation.id)
        )
        return [(row[0], row[1]) for row in await self._execute(statement)]

    async def restored_for(self, account_id: UUID, entry_id: UUID) -> dict[UUID, int]:
        """Credits already given back to each grant by refunds of one spend or capture entry."""
        statement = (
            scoped_select(
                CreditAllocation, self.tenant_id, CreditAllocation.grant_id, func.sum(CreditAllocation.amount)
            )
            .join(LedgerEntry, LedgerEntry.id == CreditAllocation.entry_id)
            .where(
                LedgerEntry.account_id == account_id,
                LedgerEntry.kind == "refund",
                LedgerEntry.reference == str(entry_id),
                CreditAllocation.kind == "restore",
            )
            .group_by(CreditAllocation.grant_id)
        )
        return {row[0]: int(row[1]) for row in await self._execute(statement)}

    async def clawed_for(self, account_id: UUID, grant_id: UUID) -> int:
        """Credits already clawed back on behalf of one grant (from it or from the rest of the balance)."""
        statement = scoped_select(LedgerEntry, self.tenant_id, func.coalesce(func.sum(-LedgerEntry.amount), 0)).where(
            LedgerEntry.account_id == account_id,
            LedgerEntry.kind == "clawback",
            LedgerEntry.reference == str(grant_id),
        )
        return int((await self._execute(statement)).scalar() or 0)

    # -- holds ---------------------------------------------------------------------------------

    async def insert_hold(self, values: dict[str, Any]) -> None:
        await self._execute(insert(HOLDS).values(tenant_id=self.tenant_id, **values))

    async def hold(self, hold_id: UUID) -> HoldRecord | None:
        statement = scoped_select(CreditHold, self.tenant_id, *HOLD_COLUMNS).where(CreditHold.id == hold_id)
        row = (await self._execute(statement)).one_or_none()
        return HoldRecord(*row) if row is not None else None

    async def lapsed_holds(self, account_id: UUID, now: dt.datetime) -> list[HoldRecord]:
        statement = (
            scoped_select(CreditHold, self.tenant_id, *HOLD_COLUMNS)
            .where(CreditHold.account_id == account_id, CreditHold.status == "active", CreditHold.expires_at <= now)
            .order_by(CreditHold.expires_at, CreditHold.id)
        )
        return [HoldRecord(*row) for row in await self._execute(statement)]

    async def close_hold(self, hold: HoldRecord, now: dt.datetime) -> None:
        statement = scoped(update(HOLDS), CreditHold, self.tenant_id).where(CreditHold.id == hold.id)
        await self._execute(statement.values(status=hold.status, captured=hold.captured, closed_at=now, updated_at=now))


def scoped_select(model: type[Any], tenant_id: str, *columns: Any) -> Any:
    """`SELECT columns` restricted to one tenant's rows of `model` (through `core.db.scoped`)."""
    return scoped(select(*columns), model, tenant_id)
