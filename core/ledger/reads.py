"""The ledger's reads: a customer's balance and entries, one grant; and how entries and grants are shown."""

from __future__ import annotations

from core import clock
from core.cursors import seq_position
from core.ledger import schemas
from core.ledger.accounts import Accounts
from core.ledger.models import CreditGrant, LedgerEntry
from core.lists import Page, PageRequest


class Reads(Accounts):
    """What a customer has and what moved it; reading settles first what has lapsed."""

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
