"""Credits given and taken back: grants (idempotent per source), an operator's adjustments, clawbacks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Literal

import msgspec
from sqlalchemy.exc import IntegrityError

from core import audit_trail, clock, metrics
from core.db import after_commit
from core.errors import BadRequest, Conflict, NotFound
from core.ledger import schemas
from core.ledger.accounts import pick_credits
from core.ledger.checks import check_credits, check_idempotency_key, request_hash
from core.ledger.models import CreditGrant
from core.ledger.reads import Reads, entry_schema, grant_schema
from core.ledger.repository import GrantRecord, new_id
from core.notifications import notify

ClawbackPolicy = Literal["down_to_zero", "allow_negative"]
SOURCE = re.compile(r"[a-z0-9_.:-]{1,64}")


class Grants(Reads):
    """Grants, adjustments and clawbacks; a grant looks up its (source, source_ref) first to stay idempotent."""

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
        after_commit(self.session, metrics.grant_committed(self.tenant.slug, source))
        await notify(
            self.session,
            self.tenant,
            "credits.granted",
            {
                "customer": customer,
                "grant_id": str(grant_id),
                "credits": amount,
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
                and existing.credits == data.credits
                and existing.priority == data.priority
                and existing.expires_at == data.expires_at
            )
            if not same:
                raise Conflict("This reference was already used for a different grant.", code="idempotency_key_reused")
            return existing, False
        grant = await self.grant(
            customer,
            data.credits,
            source="admin",
            source_ref=reference,
            expires_at=data.expires_at,
            priority=data.priority,
            reason=data.reason,
            metadata=data.metadata,
        )
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            "ledger.grant",
            f"customer:{customer}",
            after={"grant": grant.id, "credits": grant.credits, "expires_at": grant.expires_at},
        )
        return grant, True

    async def _existing_grant(self, customer: str, source: str, source_ref: str) -> schemas.Grant | None:
        existing = await self.grant_of(source, source_ref)
        if existing is not None and existing.customer != customer:
            raise Conflict(
                f"A grant for {source}:{source_ref} already exists for another customer.", code="grant_source_conflict"
            )
        return existing

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
            credits=amount,
            balance_after=account.balance,
            requested=-amount,
            reference=None,
            reason=reason,
            metadata={},
            created_at=now,
        )

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
        audited: bool = False,
    ) -> schemas.Clawback:
        """Take back what one grant gave: first what it still has, then (per policy) what was spent of it.

        `amount` None means everything the grant gave that has not expired or been clawed back yet.
        Under `down_to_zero` (the default policy) the balance never goes below zero, so the answer's
        `clawed_back` may be less than `requested`; under `allow_negative` the shortfall becomes debt,
        repaid out of the customer's next grants. The same idempotency key answers the first result.
        With `customer`, a grant of another customer is a 404 (the HTTP route passes its path).
        `audited` (the operator's route) writes an audit record of a clawback made, not of a replay: a refund
        or dispute audits its own action instead.
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
        taken = pick_credits(others, total - from_grant)
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
        if audited:
            await audit_trail.record(
                self.session,
                self.tenant.slug,
                "ledger.clawback",
                f"customer:{customer}",
                # Ids and amounts only: the app's references and the customer's id stay out of the record.
                after={"grant": str(target.id)}
                | {k: v for k, v in msgspec.to_builtins(result).items() if k not in ("customer", "source_ref")},
            )
        return result
