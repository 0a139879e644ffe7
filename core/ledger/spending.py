"""Spends and their refunds: credits consumed in consumption order, and given back to the grants they came from."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from core import clock
from core.errors import BadRequest, NotFound
from core.ledger import schemas
from core.ledger.accounts import Accounts
from core.ledger.checks import check_credits, check_idempotency_key, request_hash, spend_request
from core.ledger.models import LedgerEntry
from core.ledger.reads import entry_schema
from core.ledger.repository import GrantRecord
from core.notifications import notify


class Spending(Accounts):
    """Spends (the route's fallback when the database function hands one back) and refunds of spends."""

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
            credits=amount,
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
            credits=entry.requested or 0,
            charged=-entry.amount,
            balance=entry.balance_after,
            unlimited=entry.amount == 0,
            allocations=[schemas.Allocation(str(g), n) for g, n in allocations],
            reason=entry.reason,
            metadata=dict(entry.metadata_ or {}),
            created_at=entry.created_at,
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
            credits=total,
            balance_after=account.balance,
            requested=amount,
            reference=str(spent.id),
            reason=reason,
            metadata={},
            created_at=now,
        )

    async def _low_balance_notice(self, customer: str, before: int, after: int) -> None:
        threshold = self.tenant.core.notifications.credits_low_threshold
        if threshold > 0 and before >= threshold > after:
            await notify(
                self.session,
                self.tenant,
                "credits.low",
                {"customer": customer, "balance": after, "threshold": threshold},
            )
