"""The steps every ledger operation shares on one customer's account: lock and settle it, debit its
grants, append entries and allocations, write it all back."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from core import clock, metrics
from core.customers.services import CustomerService
from core.db import after_commit
from core.errors import Conflict
from core.ledger.checks import insufficient
from core.ledger.repository import AccountRecord, GrantRecord, HoldRecord, LedgerRepository, new_id
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.ledger")


class Accounts:
    """One tenant's credit accounts inside the caller's transaction: the base of each part of `Ledger`.

    Every balance change locks the customer's account row first (`SELECT ... FOR UPDATE` on
    PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers), settles what has lapsed
    (expired holds are released, expired grants are expired), then changes grants, appends entries
    with their allocations and writes the account back. Methods flush; the caller commits.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.policy = tenant.core.ledger
        self.repo = LedgerRepository(session, tenant.slug)
        self._entries: list[dict[str, Any]] = []
        self._allocations: list[dict[str, Any]] = []

    async def set_unlimited(self, customer: str, *, unlimited: bool = True, until: dt.datetime | None = None) -> None:
        """Mark the customer's account unlimited (until `until`, or until turned off) or limited again.

        The subscriptions plugin calls this when an unlimited tier starts, renews or ends; `until`
        (the period end) keeps a missed webhook from leaving the plan unlimited for ever.
        """
        now = clock.now()
        account = await self._locked_account(customer, now, create=True)
        assert account is not None
        account.unlimited = unlimited
        account.unlimited_until = until if unlimited else None
        await self.repo.save_account(account, now)

    # ------------------------------------------------------------------------------------------
    # Locking and settling the account
    # ------------------------------------------------------------------------------------------

    async def _locked_account(self, customer: str, now: dt.datetime, *, create: bool = False) -> AccountRecord | None:
        """The customer's account, locked and settled; None when it has none yet (and `create` is off).

        An unknown customer is a 404 `customer_not_found`.
        """
        account = await self.repo.account(customer, lock=True)
        if account is None:
            row = await CustomerService(self.session, self.tenant).get(customer)
            if not create:
                return None
            await self.repo.create_account(row.id, customer, now)
            account = await self.repo.account(customer, lock=True)
            assert account is not None
        await self._settle(account, now)
        return account

    async def _account_for_read(self, customer: str, now: dt.datetime) -> AccountRecord | None:
        """The account as of now: settled first (under the lock) only when something has lapsed."""
        account = await self.repo.account(customer)
        if account is None:
            await CustomerService(self.session, self.tenant).get(customer)
            return None
        if account.due_at is not None and account.due_at <= now:
            account = await self._locked_account(customer, now)
            assert account is not None
            await self._write(account, [], now)
        return account

    async def _open(
        self, customer: str, amount: int, key: str | None, fingerprint: str | None, kind: str
    ) -> tuple[AccountRecord, Any, dt.datetime]:
        """Lock and settle the account to debit (402 when the customer has none yet) and find the
        entry an idempotency key already wrote: (account, that entry or None, now)."""
        now = clock.now()
        account = await self._locked_account(customer, now)
        if account is None:
            raise insufficient(0, amount)
        replay = await self._replay(account, key, fingerprint, kind) if key else None
        return account, replay, now

    async def _settle(self, account: AccountRecord, now: dt.datetime) -> None:
        """Release the account's lapsed holds and expire its lapsed grants; recompute when next is due."""
        if account.due_at is None or account.due_at > now:
            return
        for hold in await self.repo.lapsed_holds(account.id, now):
            await self._close_hold(account, hold, 0, "expired", now)
        lapsed = await self.repo.lapsed_grants(account.id, now)
        self._expire(account, lapsed, now)
        await self._write(account, lapsed, now)
        account.due_at = await self.repo.next_due(account.id)

    def _expire(self, account: AccountRecord, grants: Sequence[GrantRecord], now: dt.datetime) -> None:
        for grant in grants:
            part = grant.available
            if part <= 0:
                continue
            grant.remaining -= part
            grant.expired += part
            grant.dirty = True
            entry_id = self._append(account, "expire", -part, now, reference=str(grant.id))
            self._allocate(entry_id, grant.id, "expire", part)

    async def _close_hold(
        self,
        account: AccountRecord,
        hold: HoldRecord,
        captured: int,
        status: str,
        now: dt.datetime,
        *,
        key: str | None = None,
        fingerprint: str | None = None,
    ) -> None:
        """Capture `captured` credits of the hold from what it reserved and release the rest.

        With `key`, the entry of the caller's act (its capture, or its release) carries the key and
        the balance the caller is answered, for a replay to answer the same.
        """
        after_commit(self.session, metrics.hold_committed(self.tenant.slug, status))
        released = hold.amount - captured
        touched: list[GrantRecord] = []
        if hold.unlimited:
            if captured:
                self._append(account, "capture", 0, now, requested=captured, reference=str(hold.id))
            if released:
                self._append(account, "release", 0, now, requested=released, reference=str(hold.id))
        else:
            assert hold.entry_id is not None
            reservations = await self.repo.allocations(hold.entry_id, "reserve")
            grants = await self.repo.grants_by_id([g for g, _ in reservations])
            capture_id = self._append(account, "capture", 0, now, requested=captured, reference=str(hold.id))
            release_id = (
                self._append(account, "release", released, now, requested=released, reference=str(hold.id))
                if released
                else None
            )
            account.held -= hold.amount
            # `balance` moved with the release entry; the captured part was already off the balance.
            left = captured
            for grant_id, reserved in reservations:
                grant = grants[grant_id]
                used = min(left, reserved)
                left -= used
                grant.reserved -= reserved
                grant.remaining -= used
                grant.consumed += used
                grant.dirty = True
                touched.append(grant)
                if used:
                    self._allocate(capture_id, grant.id, "consume", used)
                if reserved - used and release_id is not None:
                    self._allocate(release_id, grant.id, "release", reserved - used)
            # Credits handed back to a grant that has lapsed meanwhile expire now.
            self._expire(account, [g for g in touched if g.lapsed(now) and g.available > 0], now)
        if key is not None:
            # The answer's balance, not the entry's `balance_after`: the release and expiries after it moved it.
            act = next(e for e in self._entries if e["kind"] == ("capture" if status == "captured" else "release"))
            act |= {"idempotency_key": key, "request_hash": fingerprint, "metadata": {"balance": account.balance}}
        hold.status = status
        hold.captured = captured
        await self.repo.close_hold(hold, now)
        await self._write(account, touched, now)

    # ------------------------------------------------------------------------------------------
    # Debits, entries and writes
    # ------------------------------------------------------------------------------------------

    async def _debit(
        self,
        account: AccountRecord,
        kind: str,
        amount: int,
        now: dt.datetime,
        *,
        unlimited: bool,
        reserve: bool,
        **entry: Any,
    ) -> tuple[UUID, list[tuple[GrantRecord, int]]]:
        """Take `amount` off the balance, consuming grants (spend) or reserving them (hold), or 402.

        On an unlimited account only the usage is recorded: a zero-amount entry with `requested`.
        """
        if unlimited:
            return self._append(account, kind, 0, now, requested=amount, **entry), []
        if amount > account.balance:
            raise insufficient(account.balance, amount)
        taken = await self._take(account, amount, now)
        if reserve:
            account.held += amount
        entry_id = self._append(account, kind, -amount, now, requested=amount, **entry)
        for grant, part in taken:
            if reserve:
                grant.reserved += part
            else:
                grant.remaining -= part
                grant.consumed += part
            grant.dirty = True
            self._allocate(entry_id, grant.id, "reserve" if reserve else "consume", part)
        return entry_id, taken

    async def _take(self, account: AccountRecord, amount: int, now: dt.datetime) -> list[tuple[GrantRecord, int]]:
        grants = await self.repo.spendable_grants(account.id, now)
        taken = pick_credits(grants, amount)
        if sum(n for _, n in taken) != amount:
            # The account row says there is enough but the grants do not: refuse rather than overspend.
            logger.error("ledger drift on %s/%s: balance %s", self.tenant.slug, account.customer, account.balance)
            raise insufficient(account.balance, amount)
        return taken

    async def _replay(self, account: AccountRecord, key: str, fingerprint: str | None, kind: str) -> Any:
        """The entry first written under this key (a row read like a LedgerEntry), None, or a 409."""
        entry = await self.repo.entry_by_key(account.id, key)
        if entry is None:
            return None
        if entry.kind != kind or entry.request_hash != fingerprint:
            raise Conflict(
                "This Idempotency-Key was already used with a different request.", code="idempotency_key_reused"
            )
        return entry

    def _append(
        self,
        account: AccountRecord,
        kind: str,
        amount: int,
        now: dt.datetime,
        *,
        requested: int | None = None,
        reference: str | None = None,
        reason: str | None = None,
        metadata: dict[str, Any] | None = None,
        key: str | None = None,
        fingerprint: str | None = None,
    ) -> UUID:
        entry_id = new_id()
        account.last_seq += 1
        account.balance += amount
        self._entries.append(
            {
                "id": entry_id,
                "account_id": account.id,
                "seq": account.last_seq,
                "kind": kind,
                "amount": amount,
                "balance_after": account.balance,
                "requested": requested,
                "idempotency_key": key,
                "request_hash": fingerprint,
                "reference": reference,
                "reason": reason,
                "metadata": metadata or {},
                "created_at": now,
                "updated_at": now,
            }
        )
        return entry_id

    def _allocate(self, entry_id: UUID, grant_id: UUID, kind: str, amount: int) -> None:
        self._allocations.append(
            {"id": new_id(), "entry_id": entry_id, "grant_id": grant_id, "kind": kind, "amount": amount}
        )

    async def _write(
        self,
        account: AccountRecord,
        grants: Sequence[GrantRecord],
        now: dt.datetime,
        *,
        hold: dict[str, Any] | None = None,
    ) -> None:
        """Write what this operation changed: entries, the hold, allocations, grants, the account."""
        entries, allocations = self._entries, self._allocations
        self._entries, self._allocations = [], []
        for row in allocations:
            row["created_at"] = row["updated_at"] = now
        await self.repo.write(account, now, entries=entries, allocations=allocations, grants=grants, hold=hold)


def pick_credits(grants: Sequence[GrantRecord], amount: int) -> list[tuple[GrantRecord, int]]:
    """Take up to `amount` unreserved credits from `grants`, in the order given."""
    taken: list[tuple[GrantRecord, int]] = []
    left = amount
    for grant in grants:
        if left <= 0:
            break
        part = min(left, grant.available)
        if part > 0:
            taken.append((grant, part))
            left -= part
    return taken
