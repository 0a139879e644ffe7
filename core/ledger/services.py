"""The ledger's rules: `Ledger(session, tenant)` is the API plugins and routes call to move credits.

Every balance change locks the customer's account row first (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises writers), settles what has lapsed
(expired holds are released, expired grants are expired), then changes grants, appends entries
with their allocations and writes the account back. Methods flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from uuid import UUID

import msgspec
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.cursors import decode_cursor, encode_cursor, seq_position
from core.customers.services import CustomerService
from core.errors import BadRequest, Conflict, NotFound, PaymentRequired
from core.ledger import schemas
from core.ledger.models import CreditGrant, LedgerEntry
from core.ledger.repository import AccountRecord, GrantRecord, HoldRecord, LedgerRepository, new_id
from core.notifications import notify
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.ledger")

ClawbackPolicy = Literal["down_to_zero", "allow_negative"]
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
SOURCE = re.compile(r"[a-z0-9_.:-]{1,64}")
MAX_CREDITS = 10**15
ENTRY_PAGE_MAX = 200


def check_idempotency_key(key: str | None) -> str | None:
    """None, or 1-255 printable ASCII characters without spaces (400 `invalid_idempotency_key`)."""
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise BadRequest(
            "An Idempotency-Key is 1-255 printable ASCII characters without spaces.", code="invalid_idempotency_key"
        )
    return key


def request_hash(*parts: Any) -> str:
    return hashlib.sha256(msgspec.json.encode(parts, order="sorted")).hexdigest()


def spend_request(
    amount: int, reason: str | None, metadata: Mapping[str, str] | None, key: str | None
) -> tuple[dict[str, str], str | None]:
    """A spend's checked input: (its metadata, the fingerprint its idempotency key is stored with), or 400."""
    check_credits(amount)
    check_idempotency_key(key)
    meta = dict(metadata or {})
    return meta, request_hash("spend", amount, reason, meta) if key else None


def check_credits(amount: int, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_CREDITS:
        raise BadRequest(f"`{what}` must be a whole number of credits above zero.", code="invalid_amount")
    return amount


def insufficient(balance: int, amount: int) -> PaymentRequired:
    """402 `insufficient_credits`: what the customer has and what was asked."""
    return PaymentRequired(
        f"The customer has {balance} credits; {amount} are needed.",
        code="insufficient_credits",
        detail={"balance": balance, "requested": amount},
    )


class Ledger:
    """One tenant's credit ledger, inside the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.policy = tenant.core.ledger
        self.repo = LedgerRepository(session, tenant.slug)
        self._entries: list[dict[str, Any]] = []
        self._allocations: list[dict[str, Any]] = []

    # ------------------------------------------------------------------------------------------
    # Reads
    # ------------------------------------------------------------------------------------------

    async def balance(self, customer: str) -> schemas.Balance:
        """Spendable credits, holds, debt, the unlimited flag, and each live grant with its expiry."""
        now = clock.now()
        account = await self._account_for_read(customer, now)
        if account is None:
            return schemas.Balance(customer, 0, 0, 0, False, None, [], None)
        grants = await self.repo.live_grant_rows(account.id)
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

    async def entries(self, customer: str, *, cursor: str | None = None, limit: int = 50) -> schemas.LedgerPage:
        """The customer's entries, newest first; `next_cursor` continues after the last one."""
        before = decode_cursor("ledger", cursor, seq_position)
        if not 1 <= limit <= ENTRY_PAGE_MAX:
            raise BadRequest(f"`limit` must be between 1 and {ENTRY_PAGE_MAX}.", code="invalid_limit")
        account = await self._account_for_read(customer, clock.now())
        if account is None:
            return schemas.LedgerPage(customer=customer, entries=[], next_cursor=None)
        rows = await self.repo.entries(account.id, before, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.LedgerPage(
            customer=customer,
            entries=[entry_schema(row) for row in rows],
            next_cursor=encode_cursor("ledger", rows[-1].seq) if more and rows else None,
        )

    async def grant_of(self, source: str, source_ref: str) -> schemas.Grant | None:
        row = await self.repo.grant_row(source=source, source_ref=source_ref)
        return grant_schema(row[0], row[1]) if row is not None else None

    # ------------------------------------------------------------------------------------------
    # Grants
    # ------------------------------------------------------------------------------------------

    async def grant(
        self,
        customer: str,
        amount: int,
        *,
        source: str,
        source_ref: str,
        expires_at: dt.datetime | None = None,
        priority: int = 50,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        kind: Literal["grant", "adjust"] = "grant",
    ) -> schemas.Grant:
        """Give `amount` credits; idempotent on (source, source_ref): a repeat returns the first grant.

        A grant made for another customer under the same (source, source_ref) is a 409
        `grant_source_conflict`. An `expires_at` in the past is recorded and expires at once.
        """
        check_credits(amount)
        if not SOURCE.fullmatch(source) or not 1 <= len(source_ref) <= 255:
            raise BadRequest("`source` is 1-64 of a-z0-9_.:- and `source_ref` 1-255 characters.", code="invalid_source")
        if not 0 <= priority <= 100:
            raise BadRequest("`priority` is between 0 (first) and 100 (last).", code="invalid_priority")
        if expires_at is not None and expires_at.tzinfo is None:
            raise BadRequest("`expires_at` needs a time zone.", code="invalid_expires_at")
        existing = await self._existing_grant(customer, source, source_ref)
        if existing is not None:
            return existing
        now = clock.now()
        account = await self._locked_account(customer, now, create=True)
        assert account is not None
        existing = await self._existing_grant(customer, source, source_ref)
        if existing is not None:
            return existing
        grant_id = new_id()
        repaid = min(amount, account.debt)
        values = {
            "id": grant_id,
            "account_id": account.id,
            "amount": amount,
            "remaining": amount - repaid,
            "reserved": 0,
            "consumed": 0,
            "expired": 0,
            "clawed_back": repaid,
            "priority": priority,
            "expires_at": expires_at,
            "source": source,
            "source_ref": source_ref,
            "reason": reason,
            "metadata": dict(metadata or {}),
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self.session.begin_nested():
                await self.repo.insert_grant(values)
        except IntegrityError:
            # Another customer's grant took this (source, source_ref) between our check and insert.
            raise Conflict(
                f"A grant for {source}:{source_ref} already exists for another customer.", code="grant_source_conflict"
            ) from None
        # Credits clawed back beyond zero are repaid first out of the next grant.
        account.debt -= repaid
        entry_id = self._append(
            account, kind, amount, now, reference=str(grant_id), reason=reason, metadata=dict(metadata or {})
        )
        if repaid:
            self._allocate(entry_id, grant_id, "repay", repaid)
        if expires_at is not None:
            account.due_at = min(account.due_at, expires_at) if account.due_at else expires_at
        await self._write(account, [], now)
        await notify(
            self.session,
            self.tenant,
            "credits.granted",
            {
                "customer": customer,
                "grant_id": str(grant_id),
                "amount": amount,
                "source": source,
                "source_ref": source_ref,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "balance": account.balance,
            },
            dedupe_key=f"credits.granted:{grant_id}",
        )
        row = await self.repo.grant_row(grant_id=grant_id)
        return grant_schema(row[0], row[1])

    async def grant_from_request(
        self, customer: str, data: schemas.GrantCreate, idempotency_key: str | None
    ) -> tuple[schemas.Grant, bool]:
        """An admin grant over HTTP: the reference (or Idempotency-Key) makes it idempotent.

        Returns (grant, created). Reusing a reference with a different body is a 409.
        """
        check_idempotency_key(idempotency_key)
        now = clock.now()
        if data.expires_at is not None and (data.expires_at.tzinfo is None or data.expires_at <= now):
            raise BadRequest("`expires_at` must be a future time with a time zone.", code="invalid_expires_at")
        reference = data.reference or idempotency_key or str(new_id())
        existing = await self.grant_of("admin", reference)
        if existing is not None:
            same = (
                existing.customer == customer
                and existing.amount == data.amount
                and existing.priority == data.priority
                and existing.expires_at == data.expires_at
            )
            if not same:
                raise Conflict("This reference was already used for a different grant.", code="idempotency_key_reused")
            return existing, False
        grant = await self.grant(
            customer,
            data.amount,
            source="admin",
            source_ref=reference,
            expires_at=data.expires_at,
            priority=data.priority,
            reason=data.reason,
            metadata=data.metadata,
        )
        return grant, True

    async def _existing_grant(self, customer: str, source: str, source_ref: str) -> schemas.Grant | None:
        existing = await self.grant_of(source, source_ref)
        if existing is not None and existing.customer != customer:
            raise Conflict(
                f"A grant for {source}:{source_ref} already exists for another customer.", code="grant_source_conflict"
            )
        return existing

    # ------------------------------------------------------------------------------------------
    # Spends
    # ------------------------------------------------------------------------------------------

    async def spend(
        self,
        customer: str,
        amount: int,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> schemas.Spend:
        """Consume `amount` credits in consumption order, or raise 402 `insufficient_credits` (nothing written).

        On an unlimited account the spend is recorded (a zero-amount entry with `requested`) and
        nothing is consumed. The same idempotency key returns the first answer; the same key with
        another body is a 409 `idempotency_key_reused`.
        """
        meta, fingerprint = spend_request(amount, reason, metadata, idempotency_key)
        account, replay, now = await self._open(customer, amount, idempotency_key, fingerprint, "spend")
        if replay is not None:
            return await self._spend_answer(customer, replay)
        before = account.balance
        entry_id, taken = await self._debit(
            account,
            "spend",
            amount,
            now,
            unlimited=account.is_unlimited(now),
            reserve=False,
            reason=reason,
            metadata=meta,
            key=idempotency_key,
            fingerprint=fingerprint,
        )
        await self._write(account, [g for g, _ in taken], now)
        await self._low_balance_notice(customer, before, account.balance)
        return schemas.Spend(
            entry_id=str(entry_id),
            customer=customer,
            amount=amount,
            charged=before - account.balance,
            balance=account.balance,
            unlimited=account.is_unlimited(now),
            allocations=[schemas.Allocation(str(g.id), n) for g, n in taken],
            reason=reason,
            metadata=meta,
            created_at=now,
        )

    async def _spend_answer(self, customer: str, entry: LedgerEntry) -> schemas.Spend:
        allocations = await self.repo.allocations(entry.id, "consume")
        return schemas.Spend(
            entry_id=str(entry.id),
            customer=customer,
            amount=entry.requested or 0,
            charged=-entry.amount,
            balance=entry.balance_after,
            unlimited=entry.amount == 0,
            allocations=[schemas.Allocation(str(g), n) for g, n in allocations],
            reason=entry.reason,
            metadata=dict(entry.metadata_ or {}),
            created_at=entry.created_at,
        )

    async def adjust(
        self, customer: str, amount: int, *, reason: str, idempotency_key: str | None = None
    ) -> schemas.Entry:
        """An operator's correction: a positive amount is a grant (source `adjustment`), a negative one
        consumes like a spend and cannot take the balance below zero."""
        if amount == 0:
            raise BadRequest("An adjustment moves at least one credit.", code="invalid_amount")
        check_idempotency_key(idempotency_key)
        if amount > 0:
            granted = await self.grant(
                customer,
                amount,
                source="adjustment",
                source_ref=idempotency_key or str(new_id()),
                reason=reason,
                kind="adjust",
            )
            account = await self.repo.account(customer)
            assert account is not None
            entry = await self.repo.entry_by_reference(account.id, "adjust", granted.id)
            if entry is None:
                raise Conflict("This adjustment key was already used for a grant.", code="idempotency_key_reused")
            return entry_schema(entry)
        fingerprint = request_hash("adjust", amount, reason) if idempotency_key else None
        account, replay, now = await self._open(customer, -amount, idempotency_key, fingerprint, "adjust")
        if replay is not None:
            return entry_schema(replay)
        entry_id, taken = await self._debit(
            account,
            "adjust",
            -amount,
            now,
            unlimited=False,
            reserve=False,
            reason=reason,
            key=idempotency_key,
            fingerprint=fingerprint,
        )
        await self._write(account, [g for g, _ in taken], now)
        return schemas.Entry(
            id=str(entry_id),
            seq=account.last_seq,
            kind="adjust",
            amount=amount,
            balance_after=account.balance,
            requested=-amount,
            reference=None,
            reason=reason,
            metadata={},
            created_at=now,
        )

    async def refund(
        self,
        customer: str,
        entry_id: str | UUID,
        amount: int | None = None,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> schemas.Entry:
        """Give back credits a spend (or a hold's capture) consumed, to the very grants it took them from.

        `amount` None refunds all that is left to refund. Credits of a grant that has lapsed since
        are not given back (they would expire at once); the entry's amount says what was refunded.
        More than is left is a 400 `refund_exceeds_spend`.
        """
        if amount is not None:
            check_credits(amount)
        check_idempotency_key(idempotency_key)
        now = clock.now()
        account = await self._locked_account(customer, now)
        try:
            key = entry_id if isinstance(entry_id, UUID) else UUID(entry_id)
        except ValueError:
            key = None
        spent = await self.repo.entry_by_id(account.id, key) if account is not None and key is not None else None
        if account is None or spent is None or spent.kind not in ("spend", "capture"):
            raise NotFound("No such spend for this customer.", code="entry_not_found")
        fingerprint = request_hash("refund", str(spent.id), amount, reason) if idempotency_key else None
        if idempotency_key:
            replay = await self._replay(account, idempotency_key, fingerprint, "refund")
            if replay is not None:
                return entry_schema(replay)
        consumed = await self.repo.allocations(spent.id, "consume")
        restored = await self.repo.restored_for(account.id, spent.id)
        refundable = [(g, n - restored.get(g, 0)) for g, n in reversed(consumed) if n > restored.get(g, 0)]
        left = sum(n for _, n in refundable) if amount is None else amount
        if left > sum(n for _, n in refundable):
            raise BadRequest(
                f"{sum(n for _, n in refundable)} credits of this spend are left to refund.",
                code="refund_exceeds_spend",
            )
        grants = await self.repo.grants_by_id([g for g, _ in refundable])
        back: list[tuple[GrantRecord, int]] = []
        for grant_id, open_part in refundable:
            grant = grants[grant_id]
            part = min(left, open_part)
            left -= part
            if part and not grant.lapsed(now):
                back.append((grant, part))
        total = sum(n for _, n in back)
        entry_id_new = self._append(
            account,
            "refund",
            total,
            now,
            requested=amount,
            reference=str(spent.id),
            reason=reason,
            key=idempotency_key,
            fingerprint=fingerprint,
        )
        for grant, part in back:
            grant.remaining += part
            grant.consumed -= part
            grant.dirty = True
            self._allocate(entry_id_new, grant.id, "restore", part)
            if grant.expires_at is not None:
                account.due_at = min(account.due_at, grant.expires_at) if account.due_at else grant.expires_at
        await self._write(account, [g for g, _ in back], now)
        return schemas.Entry(
            id=str(entry_id_new),
            seq=account.last_seq,
            kind="refund",
            amount=total,
            balance_after=account.balance,
            requested=amount,
            reference=str(spent.id),
            reason=reason,
            metadata={},
            created_at=now,
        )

    # ------------------------------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------------------------------

    async def hold(
        self,
        customer: str,
        amount: int,
        *,
        ttl_seconds: int | None = None,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> schemas.Hold:
        """Reserve `amount` credits for `ttl_seconds` (the tenant's default when None); 402 when short."""
        check_credits(amount)
        check_idempotency_key(idempotency_key)
        ttl = self.policy.hold_ttl_seconds if ttl_seconds is None else ttl_seconds
        if not 1 <= ttl <= self.policy.hold_ttl_max_seconds:
            raise BadRequest(
                f"`ttl_seconds` must be between 1 and {self.policy.hold_ttl_max_seconds}.", code="invalid_hold_ttl"
            )
        meta = dict(metadata or {})
        fingerprint = request_hash("hold", amount, ttl_seconds, reason, meta) if idempotency_key else None
        account, replay, now = await self._open(customer, amount, idempotency_key, fingerprint, "hold")
        if replay is not None:
            return await self._hold_answer(customer, UUID(str(replay.reference)), replay.balance_after)
        hold_id = new_id()
        expires_at = now + dt.timedelta(seconds=ttl)
        unlimited = account.is_unlimited(now)
        entry_id, taken = await self._debit(
            account,
            "hold",
            amount,
            now,
            unlimited=unlimited,
            reserve=True,
            reference=str(hold_id),
            reason=reason,
            metadata=meta,
            key=idempotency_key,
            fingerprint=fingerprint,
        )
        account.due_at = min(account.due_at, expires_at) if account.due_at else expires_at
        await self._write(
            account,
            [g for g, _ in taken],
            now,
            hold={
                "id": hold_id,
                "account_id": account.id,
                "amount": amount,
                "captured": 0,
                "status": "active",
                "unlimited": unlimited,
                "expires_at": expires_at,
                "entry_id": entry_id,
                "reason": reason,
                "metadata": meta,
                "created_at": now,
                "updated_at": now,
            },
        )
        return schemas.Hold(
            id=str(hold_id),
            customer=customer,
            amount=amount,
            captured=0,
            status="active",
            unlimited=unlimited,
            expires_at=expires_at,
            balance=account.balance,
            reason=reason,
            metadata=meta,
            created_at=now,
        )

    async def capture(
        self, customer: str, hold_id: str | UUID, amount: int | None = None, *, idempotency_key: str | None = None
    ) -> schemas.Hold:
        """Consume all of an active hold (amount None) or part of it, releasing the rest.

        A hold is captured once, as Stripe captures a PaymentIntent once: see `_end_hold`.
        """
        if amount is not None:
            check_credits(amount)
        return await self._end_hold(customer, hold_id, "captured", amount, idempotency_key)

    async def release(self, customer: str, hold_id: str | UUID, *, idempotency_key: str | None = None) -> schemas.Hold:
        """Give an active hold's credits back, once: see `_end_hold`."""
        return await self._end_hold(customer, hold_id, "released", None, idempotency_key)

    async def _end_hold(
        self,
        customer: str,
        hold_id: str | UUID,
        status: Literal["captured", "released"],
        amount: int | None,
        idempotency_key: str | None,
    ) -> schemas.Hold:
        """Capture (`amount` of, all when None) or release an active hold, or refuse with a 409.

        A closed hold is a 409 `hold_already_captured`, `hold_already_released` or `hold_expired`,
        unless the call repeats the one that closed it (same idempotency key, same body), which gets
        that call's answer again. The same key with another body is a 409 `idempotency_key_reused`.
        """
        check_idempotency_key(idempotency_key)
        kind = "capture" if status == "captured" else "release"
        now = clock.now()
        account, hold = await self._locked_hold(customer, hold_id, now)
        fingerprint = request_hash(kind, str(hold.id), amount) if idempotency_key else None
        if idempotency_key:
            replay = await self._replay(account, idempotency_key, fingerprint, kind)
            if replay is not None:
                return await self._hold_answer(customer, hold.id, replay.metadata_["balance"])
        self._check_active(hold)
        captured = 0 if status == "released" else hold.amount if amount is None else amount
        if captured > hold.amount:
            raise BadRequest(
                f"The hold is for {hold.amount} credits; {captured} cannot be captured.", code="capture_exceeds_hold"
            )
        await self._close_hold(account, hold, captured, status, now, key=idempotency_key, fingerprint=fingerprint)
        return await self._hold_answer(customer, hold.id, account.balance)

    async def get_hold(self, customer: str, hold_id: str | UUID) -> schemas.Hold:
        now = clock.now()
        account = await self._account_for_read(customer, now)
        hold = await self._hold_of(account, hold_id)
        return await self._hold_answer(customer, hold.id, account.balance if account else 0)

    async def _locked_hold(
        self, customer: str, hold_id: str | UUID, now: dt.datetime
    ) -> tuple[AccountRecord, HoldRecord]:
        account = await self._locked_account(customer, now)
        hold = await self._hold_of(account, hold_id)
        assert account is not None
        return account, hold

    async def _hold_of(self, account: AccountRecord | None, hold_id: str | UUID) -> HoldRecord:
        try:
            key = hold_id if isinstance(hold_id, UUID) else UUID(hold_id)
        except ValueError:
            key = None
        hold = await self.repo.hold(key) if key is not None and account is not None else None
        if hold is None or account is None or hold.account_id != account.id:
            raise NotFound("No such hold for this customer.", code="hold_not_found")
        return hold

    @staticmethod
    def _check_active(hold: HoldRecord) -> None:
        """A 409 unless the hold is active; `detail` says how a captured or released hold ended."""
        if hold.status == "active":
            return
        if hold.status == "expired":
            raise Conflict("The hold expired and its credits were released.", code="hold_expired")
        raise Conflict(
            f"The hold was already {hold.status} ({hold.captured} credits captured).",
            code="hold_already_captured" if hold.status == "captured" else "hold_already_released",
            detail={"captured": hold.captured, "status": hold.status},
        )

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

    async def _hold_answer(self, customer: str, hold_id: UUID, balance: int) -> schemas.Hold:
        hold = await self.repo.hold(hold_id)
        assert hold is not None
        return schemas.Hold(
            id=str(hold.id),
            customer=customer,
            amount=hold.amount,
            captured=hold.captured,
            status=hold.status,  # type: ignore[arg-type]
            unlimited=hold.unlimited,
            expires_at=hold.expires_at,
            balance=balance,
            reason=hold.reason,
            metadata=dict(hold.metadata or {}),
            created_at=hold.created_at,
        )

    # ------------------------------------------------------------------------------------------
    # Clawbacks
    # ------------------------------------------------------------------------------------------

    async def clawback(
        self,
        *,
        source: str,
        source_ref: str,
        amount: int | None = None,
        policy: ClawbackPolicy | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
        customer: str | None = None,
    ) -> schemas.Clawback:
        """Take back what one grant gave: first what it still has, then (per policy) what was spent of it.

        `amount` None means everything the grant gave that has not expired or been clawed back yet.
        Under `down_to_zero` (the default policy) the balance never goes below zero, so the answer's
        `clawed_back` may be less than `requested`; under `allow_negative` the shortfall becomes debt,
        repaid out of the customer's next grants. The same idempotency key answers the first result.
        With `customer`, a grant of another customer is a 404 (the HTTP route passes its path).
        """
        if amount is not None:
            check_credits(amount)
        check_idempotency_key(idempotency_key)
        chosen: ClawbackPolicy = policy or self.policy.clawback
        row = await self.repo.grant_row(source=source, source_ref=source_ref)
        if row is None or (customer is not None and row[1] != customer):
            raise NotFound(f"No grant for {source}:{source_ref}.", code="grant_not_found")
        target: CreditGrant = row[0]
        customer = str(row[1])
        now = clock.now()
        account = await self._locked_account(customer, now)
        assert account is not None
        fingerprint = request_hash("clawback", source, source_ref, amount, chosen) if idempotency_key else None
        if idempotency_key:
            replay = await self._replay(account, idempotency_key, fingerprint, "clawback")
            if replay is not None:
                return msgspec.convert(replay.metadata_["result"], schemas.Clawback)
        grant = (await self.repo.grants_by_id([target.id]))[target.id]
        already = await self.repo.clawed_for(account.id, grant.id)
        open_credits = max(0, target.amount - grant.expired - already)
        requested = open_credits if amount is None else min(amount, open_credits)
        total = min(requested, max(0, account.balance)) if chosen == "down_to_zero" else requested
        from_grant = min(total, max(0, grant.available)) if not grant.lapsed(now) else 0
        others = await self.repo.spendable_grants(account.id, now, exclude=grant.id) if total > from_grant else []
        taken = _pick(others, total - from_grant)
        from_balance = sum(n for _, n in taken)
        debt = total - from_grant - from_balance
        result = schemas.Clawback(
            customer=customer,
            source=source,
            source_ref=source_ref,
            requested=requested,
            clawed_back=total,
            from_grant=from_grant,
            from_balance=from_balance,
            debt=account.debt + debt,
            balance=account.balance - total,
        )
        touched: list[GrantRecord] = []
        if total or idempotency_key:
            entry_id = self._append(
                account,
                "clawback",
                -total,
                now,
                requested=requested,
                reference=str(grant.id),
                reason=reason,
                metadata={"result": msgspec.to_builtins(result)},
                key=idempotency_key,
                fingerprint=fingerprint,
            )
            for record, part in [(grant, from_grant), *taken]:
                if not part:
                    continue
                record.remaining -= part
                record.clawed_back += part
                record.dirty = True
                touched.append(record)
                self._allocate(entry_id, record.id, "clawback", part)
            account.debt += debt
        await self._write(account, touched, now)
        return result

    # ------------------------------------------------------------------------------------------
    # Unlimited plans
    # ------------------------------------------------------------------------------------------

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
    # Expiry
    # ------------------------------------------------------------------------------------------

    async def settle_due(self, limit: int) -> int:
        """Settle up to `limit` accounts with lapsed grants or holds; returns how many were settled."""
        now = clock.now()
        settled = 0
        for account_id in await self.repo.due_accounts(now, limit):
            account = await self.repo.account_by_id(account_id, lock=True)
            if account is None:
                continue
            await self._settle(account, now)
            await self._write(account, [], now)
            settled += 1
        return settled

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

    async def notify_expiring(self, window: dt.timedelta, limit: int) -> int:
        """Send `credits.expiring_soon` once per grant expiring within `window`; returns how many."""
        now = clock.now()
        rows = await self.repo.expiring_unnotified(now, now + window, limit)
        for grant_id, customer, part, expires_at, source in rows:
            if part > 0:
                await notify(
                    self.session,
                    self.tenant,
                    "credits.expiring_soon",
                    {
                        "customer": customer,
                        "grant_id": str(grant_id),
                        "credits": part,
                        "expires_at": expires_at.isoformat(),
                        "source": source,
                    },
                    dedupe_key=f"credits.expiring_soon:{grant_id}",
                )
        if rows:
            await self.repo.mark_expiry_notified([r[0] for r in rows], now)
        return len(rows)

    # ------------------------------------------------------------------------------------------
    # The account, entries and writes
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
        taken = _pick(grants, amount)
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

    # ------------------------------------------------------------------------------------------
    # Notices to the tenant app
    # ------------------------------------------------------------------------------------------

    async def _low_balance_notice(self, customer: str, before: int, after: int) -> None:
        threshold = self.tenant.core.notifications.credits_low_threshold
        if threshold > 0 and before >= threshold > after:
            await notify(
                self.session,
                self.tenant,
                "credits.low",
                {"customer": customer, "balance": after, "threshold": threshold},
            )


def _pick(grants: Sequence[GrantRecord], amount: int) -> list[tuple[GrantRecord, int]]:
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


def entry_schema(row: LedgerEntry) -> schemas.Entry:
    metadata = row.metadata_ or {}
    return schemas.Entry(
        id=str(row.id),
        seq=row.seq,
        kind=row.kind,  # type: ignore[arg-type]
        amount=row.amount,
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
        amount=row.amount,
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
