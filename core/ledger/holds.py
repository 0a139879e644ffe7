"""Holds: credits reserved for a while, then captured (all or part) or released, each once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal
from uuid import UUID

from core import audit_trail, clock, metrics
from core.db import after_commit
from core.errors import BadRequest, Conflict, NotFound
from core.ledger import schemas
from core.ledger.accounts import Accounts
from core.ledger.checks import check_credits, check_idempotency_key, request_hash
from core.ledger.repository import AccountRecord, HoldRecord, new_id


def _audited(hold: HoldRecord) -> dict[str, object]:
    """A hold as its audit records show it before and after a capture or release: ids, amounts, status."""
    return {"hold": str(hold.id), "credits": hold.amount, "captured": hold.captured, "status": hold.status}


class Holds(Accounts):
    """Reserve, capture, release and read holds; a lapsed hold is released when its account is settled."""

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
        after_commit(self.session, metrics.hold_committed(self.tenant.slug, "placed"))
        return schemas.Hold(
            id=str(hold_id),
            customer=customer,
            credits=amount,
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
        The call that closes the hold writes one audit record (`hold.capture` or `hold.release`); a
        replay writes none. A hold that lapses is released by the ledger itself, unaudited, like a spend.
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
        before = _audited(hold)
        await self._close_hold(account, hold, captured, status, now, key=idempotency_key, fingerprint=fingerprint)
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            f"hold.{kind}",
            audit_trail.customer_target(await self.repo.customer_row_id(account.id)),
            before=before,
            after=_audited(hold) | {"released": hold.amount - captured},
        )
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

    async def _hold_answer(self, customer: str, hold_id: UUID, balance: int) -> schemas.Hold:
        hold = await self.repo.hold(hold_id)
        if hold is None:
            # A replayed creation whose hold closed long ago and was pruned (docs/privacy.md#retention).
            raise NotFound("The hold this request created was closed and has since been pruned.", code="hold_not_found")
        return schemas.Hold(
            id=str(hold.id),
            customer=customer,
            credits=hold.amount,
            captured=hold.captured,
            status=hold.status,  # type: ignore[arg-type]
            unlimited=hold.unlimited,
            expires_at=hold.expires_at,
            balance=balance,
            reason=hold.reason,
            metadata=dict(hold.metadata or {}),
            created_at=hold.created_at,
        )
