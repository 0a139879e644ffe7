"""The ledger's part of `GET /admin/figures`: credits issued, moved and outstanding for one tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.figures import window
from core.ledger.models import CreditAccount, CreditGrant, LedgerEntry
from tenants.registry import Tenant


async def ledger_figures(
    session: AsyncSession, tenant: Tenant, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    by_kind = scoped(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount), 0), func.count())
        .where(*window(LedgerEntry.created_at, since, until))
        .group_by(LedgerEntry.kind),
        LedgerEntry,
        tenant.slug,
    )
    by_source = scoped(
        select(CreditGrant.source, func.coalesce(func.sum(CreditGrant.amount), 0))
        .where(*window(CreditGrant.created_at, since, until))
        .group_by(CreditGrant.source),
        CreditGrant,
        tenant.slug,
    )
    outstanding = scoped(
        select(
            func.coalesce(func.sum(CreditAccount.balance), 0),
            func.coalesce(func.sum(CreditAccount.held), 0),
            func.coalesce(func.sum(CreditAccount.debt), 0),
            func.count(),
        ),
        CreditAccount,
        tenant.slug,
    )
    movements = {kind: {"credits": int(total), "entries": int(n)} for kind, total, n in await session.execute(by_kind)}
    issued = {source: int(total) for source, total in await session.execute(by_source)}
    balance, held, debt, accounts = (await session.execute(outstanding)).one()
    return {
        "credits_issued": sum(issued.values()),
        "credits_issued_by_source": issued,
        # Signed sums per entry kind: grants positive, spends/expiries/clawbacks negative.
        "movements": movements,
        "outstanding": {"balance": int(balance), "held": int(held), "debt": int(debt), "accounts": int(accounts)},
    }
