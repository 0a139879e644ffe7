"""Writing audit records in the caller's transaction, and checking each tenant's hash chain.

Who acted comes from the request (`remember_caller`, called by the tenant guard once it has
authenticated the caller) or, in a task, from the task's name (`system:<task>`); anything else (the
CLI) is `system:cli` unless it passes `principal=`.

Chaining under concurrent writers: `record()` locks the tenant's row in `audit_chain_heads`
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has one writer at a time anyway) before it reads the
previous hash, and moves the head in the same transaction as the record. A second writer for the same
tenant waits on that lock until the first commits (or rolls back, in which case neither the record nor
the head moved), then reads the new head: two records can never claim the same predecessor, and a
rolled-back call leaves no gap. The lock is held until the caller commits, so call `record()` last,
after any Stripe call. Other tenants never wait. Chaining lazily at verify time (hashing an ordered
sequence then) would avoid the lock, but a row edited before the first verify would be hashed as edited
and never noticed: the hash must be fixed when the record is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
import structlog
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from core import clock, logs
from core.audit_trail import schemas
from core.audit_trail.models import AuditChainHead, AuditRecord
from core.cursors import seq_position
from core.customers.models import Customer
from core.db import insert_for, scoped
from core.lists import Page, PageRequest

GENESIS = ""  # the `prev_hash` of a tenant's first record


@dataclass(frozen=True)
class Caller:
    """Who made the current request, as the audit trail names them, and from which address."""

    request_id: str | None
    principal: str
    source_ip: str | None


_caller: ContextVar[Caller | None] = ContextVar("tollgate_audit_caller", default=None)


CUSTOMER = "customer:"  # a target naming a customer
END_USER = "jwt:"  # a principal naming the customer whose end-user token made the call
# Prefixes after which a name is a customer: stored by row id, shown by the app's id.
CUSTOMER_NAMES = (CUSTOMER, END_USER)


class ByRowId(str):
    """A name already by row id (from `customer_target`): stored as it is, with no lookup."""

    __slots__ = ()


def customer_target(customer_id: object) -> str:
    """How a record names a customer: by Tollgate's row id (`customer:<uuid>`), never by the app's id.

    The app's id is personal data that an erasure replaces everywhere; the row id is a pseudonym that
    stays, so records stay unchanged (and their hashes valid) through an erasure. `record()` stores a
    `customer:<app id>` or `jwt:<app id>` it is given this way too; reads show the app's current id
    (after an erasure, its pseudonym) in place of the row id (`AuditRecords.shown`).
    """
    return ByRowId(f"{CUSTOMER}{customer_id}")


async def stored_name(session: AsyncSession, tenant: str, name: str | None) -> str | None:
    """`customer:<app id>` / `jwt:<app id>` as records store it: with the customer's row id instead.

    Anything else, or a customer the tenant does not have (or a name already by row id), stays as given.
    """
    prefix = next((p for p in CUSTOMER_NAMES if name is not None and name.startswith(p)), None)
    if name is None or prefix is None or isinstance(name, ByRowId):
        return name
    statement = scoped(select(Customer.id), Customer, tenant).where(Customer.external_id == name[len(prefix) :])
    row_id = (await session.execute(statement)).scalar_one_or_none()
    return name if row_id is None else f"{prefix}{row_id}"


async def shown_names(session: AsyncSession, tenant: str, names: set[str]) -> dict[str, str]:
    """For stored names by row id, the name with the customer's current app id (one query for them all)."""
    row_ids: dict[str, tuple[str, str]] = {}
    for name in names:
        prefix = next((p for p in CUSTOMER_NAMES if name.startswith(p)), None)
        if prefix is not None:
            try:
                row_ids[name] = (prefix, str(UUID(name[len(prefix) :])))
            except ValueError:
                continue
    if not row_ids:
        return {}
    wanted = {UUID(row_id) for _, row_id in row_ids.values()}
    statement = scoped(select(Customer.id, Customer.external_id), Customer, tenant).where(Customer.id.in_(wanted))
    external = {str(row_id): app_id for row_id, app_id in (await session.execute(statement)).all()}
    return {name: f"{prefix}{external[row_id]}" for name, (prefix, row_id) in row_ids.items() if row_id in external}


def principal_name(kind: str, name: str, customer: str | None) -> str:
    """An API key's name (its kind when unnamed), or `jwt:<customer>` for an end-user token."""
    if kind == "end_user":
        return f"jwt:{customer}"
    return name or "api_key"


def remember_caller(principal: str, source_ip: str | None) -> None:
    """Note the authenticated caller of the current request for the records it writes."""
    _caller.set(Caller(request_id=logs.current_request_id(), principal=principal, source_ip=source_ip))


def current_caller() -> Caller:
    """The caller of the current request, or the running task as `system:<task>`, or `system:cli`.

    A caller remembered by an earlier request in the same context (tests call the app in-process)
    counts only while its request id is still the current one.
    """
    task = structlog.contextvars.get_contextvars().get("task")
    request_id = logs.current_request_id()
    if task:
        return Caller(request_id=request_id, principal=f"system:{task}", source_ip=None)
    caller = _caller.get()
    if caller is not None and request_id is not None and caller.request_id == request_id:
        return caller
    return Caller(request_id=request_id, principal="system:cli", source_ip=None)


def record_hash(record: AuditRecord) -> str:
    """SHA-256 over the record's fields and its predecessor's hash (sorted-key JSON, so stable)."""
    fields = {
        "tenant_id": record.tenant_id,
        "seq": record.seq,
        "occurred_at": record.occurred_at.astimezone(dt.UTC).isoformat(),
        "principal": record.principal,
        "request_id": record.request_id,
        "source_ip": record.source_ip,
        "action": record.action,
        "target": record.target,
        "before": record.before,
        "after": record.after,
        "prev_hash": record.prev_hash,
    }
    return hashlib.sha256(msgspec.json.encode(fields, order="sorted")).hexdigest()


def _plain(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-ready values (datetimes as ISO text), as they will read back from the database."""
    return None if values is None else msgspec.json.decode(msgspec.json.encode(values))  # type: ignore[no-any-return]


async def record(
    session: AsyncSession,
    tenant: str,
    action: str,
    target: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    principal: str | None = None,
) -> AuditRecord:
    """Write one audit record for `tenant` in the session's transaction, chained after its last one."""
    caller = current_caller()
    principal = str(await stored_name(session, tenant, principal or caller.principal))
    target = str(await stored_name(session, tenant, target) or target)
    head = await _locked_head(session, tenant)
    entry = AuditRecord(
        tenant_id=tenant,
        seq=head.seq + 1,
        occurred_at=clock.now(),
        principal=principal,
        request_id=caller.request_id,
        source_ip=caller.source_ip,
        action=action,
        target=target,
        before=_plain(before),
        after=_plain(after),
        prev_hash=head.hash,
    )
    entry.hash = record_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    await session.flush()
    return entry


async def _locked_head(session: AsyncSession, tenant: str) -> AuditChainHead:
    """The tenant's chain head, locked for this transaction (created on the tenant's first record).

    Two first writers both insert the head; the unique tenant_id keeps one row and the other insert
    does nothing (no error), then both lock that row in turn.
    """
    statement = scoped(select(AuditChainHead), AuditChainHead, tenant).with_for_update()
    head = (await session.execute(statement)).scalar_one_or_none()
    if head is not None:
        return head
    now = clock.now()
    values = {"id": uuid7(), "tenant_id": tenant, "seq": 0, "hash": GENESIS, "created_at": now, "updated_at": now}
    await session.execute(
        insert_for(session, AuditChainHead).values(values).on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    return (await session.execute(statement)).scalar_one()


@dataclass(frozen=True)
class BrokenLink:
    """The first record whose chain does not hold, and why."""

    seq: int
    record_id: str
    reason: str


async def records_in_order(session: AsyncSession, tenant: str, batch: int = 500) -> AsyncIterator[AuditRecord]:
    """The tenant's records by `seq`, read in batches."""
    trail = AuditRecords(session, tenant)
    after = 0
    while True:
        rows = await trail.batch_after(trail.filtered(), after, batch)
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1].seq


async def verify_chain(session: AsyncSession, tenant: str) -> tuple[int, BrokenLink | None]:
    """How many records were checked, and the first broken link of the tenant's chain (None: it holds).

    A pruned chain starts at its oldest remaining record, whose `prev_hash` is taken as given.
    """
    checked = 0
    previous: AuditRecord | None = None
    async for row in records_in_order(session, tenant):
        checked += 1
        if previous is not None and row.seq != previous.seq + 1:
            return checked, BrokenLink(row.seq, str(row.id), f"record {previous.seq + 1} is missing")
        if previous is not None and row.prev_hash != previous.hash:
            return checked, BrokenLink(row.seq, str(row.id), f"prev_hash does not match record {previous.seq}")
        if record_hash(row) != row.hash:
            return checked, BrokenLink(row.seq, str(row.id), "the record's fields do not match its hash")
        previous = row
    head = (await session.execute(scoped(select(AuditChainHead), AuditChainHead, tenant))).scalar_one_or_none()
    last_seq, last_hash = (previous.seq, previous.hash) if previous else (0, GENESIS)
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash):
        return checked, BrokenLink(head.seq, "", f"the chain head names record {head.seq}; the last is {last_seq}")
    return checked, None


def record_schema(row: AuditRecord, names: dict[str, str] | None = None) -> schemas.AuditRecord:
    """The record as shown: `names` (from `shown_names`) puts customers' app ids in place of row ids."""
    names = names or {}
    return schemas.AuditRecord(
        id=str(row.id),
        seq=row.seq,
        occurred_at=row.occurred_at,
        principal=names.get(row.principal, row.principal),
        request_id=row.request_id,
        source_ip=row.source_ip,
        action=row.action,
        target=names.get(row.target, row.target),
        before=row.before,
        after=row.after,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditRecords:
    """Reading one tenant's audit trail: the admin list, and the CLI's list and export."""

    NOUN = "audit"

    def __init__(self, session: AsyncSession, tenant: str) -> None:
        self.session = session
        self.tenant = tenant

    def filtered(
        self,
        *,
        action: str | None = None,
        principal: str | None = None,
        target: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Select[tuple[AuditRecord]]:
        statement = scoped(select(AuditRecord), AuditRecord, self.tenant)
        conditions = [
            AuditRecord.action == action if action is not None else None,
            AuditRecord.principal == principal if principal is not None else None,
            AuditRecord.target == target if target is not None else None,
            AuditRecord.occurred_at >= since if since is not None else None,
            AuditRecord.occurred_at < until if until is not None else None,
        ]
        return statement.where(*(c for c in conditions if c is not None))

    async def stored_filters(self, **filters: Any) -> dict[str, Any]:
        """Filters as the records store them: `customer:<app id>` and `jwt:<app id>` by row id."""
        for key in ("principal", "target"):
            filters[key] = await stored_name(self.session, self.tenant, filters.get(key))
        return filters

    async def shown(self, rows: list[AuditRecord]) -> list[schemas.AuditRecord]:
        """The rows as the API and the CLI show them, customers by their app's current id."""
        names = await shown_names(self.session, self.tenant, {n for row in rows for n in (row.principal, row.target)})
        return [record_schema(row, names) for row in rows]

    async def page(self, page: PageRequest, **filters: Any) -> Page[schemas.AuditRecord]:
        """Newest first (by `seq`); the cursor is the last shown record's `seq`."""
        statement = self.filtered(**await self.stored_filters(**filters))
        before = page.position(self.NOUN, seq_position)
        if before is not None:
            statement = statement.where(AuditRecord.seq < before)
        statement = statement.order_by(AuditRecord.seq.desc()).limit(page.fetch)
        rows = list((await self.session.execute(statement)).scalars())
        return page.page(rows, self.NOUN, lambda row: row.seq, await self.shown(rows[: page.limit]))

    async def batch_after(self, statement: Select[tuple[AuditRecord]], after: int, size: int) -> list[AuditRecord]:
        """The next `size` records of `statement` after `seq` `after`, oldest first (the CLI's export)."""
        statement = statement.where(AuditRecord.seq > after).order_by(AuditRecord.seq).limit(size)
        return list((await self.session.execute(statement)).scalars())
