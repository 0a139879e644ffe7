"""The expiry jobs' work: settle accounts whose grants or holds have lapsed, warn of credits about to expire."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from core import clock
from core.ledger.accounts import Accounts
from core.notifications import notify

_EXPIRE = text("SELECT r_accounts FROM tollgate_expire(:now, :tenant, :limit, NULL)")


class Expiry(Accounts):
    """Expiry across all of a tenant's accounts, in batches (an account is otherwise settled when next used)."""

    async def settle_due(self, limit: int, *, set_based: bool = True) -> int:
        """Settle up to `limit` accounts with lapsed grants or holds; returns how many were settled.

        On PostgreSQL the accounts with only lapsed grants are settled set-based by `tollgate_expire`
        (migration 0021), the batch in one call; those with a lapsed hold (and every account on
        SQLite, or with `set_based` off) one by one here, as `_settle` does when an account is used.
        """
        now = clock.now()
        settled = 0
        if set_based and self.session.bind.dialect.name == "postgresql":
            connection = await self.session.connection()
            result = await connection.execute(_EXPIRE, {"now": now, "tenant": self.tenant.slug, "limit": limit})
            settled = int(result.scalar_one())
            if settled >= limit:
                return settled
        for account_id in await self.repo.due_accounts(now, limit - settled):
            account = await self.repo.account_by_id(account_id, lock=True)
            if account is None:
                continue
            await self._settle(account, now)
            await self._write(account, [], now)
            settled += 1
        return settled

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
