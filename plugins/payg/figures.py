"""Pay-as-you-go's part of `GET /admin/figures`: purchases by status and money taken per currency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.figures import window
from plugins.payg.models import CreditPurchase
from tenants.registry import Tenant


async def payg_figures(
    session: AsyncSession, tenant: Tenant, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    statuses = scoped(
        select(CreditPurchase.status, func.count())
        .where(*window(CreditPurchase.created_at, since, until))
        .group_by(CreditPurchase.status),
        CreditPurchase,
        tenant.slug,
    )
    paid = scoped(
        select(CreditPurchase.currency, func.sum(CreditPurchase.amount), func.sum(CreditPurchase.credits))
        .where(CreditPurchase.status == "succeeded", *window(CreditPurchase.paid_at, since, until))
        .group_by(CreditPurchase.currency),
        CreditPurchase,
        tenant.slug,
    )
    rows = (await session.execute(paid)).all()
    return {
        "purchases": {status: int(n) for status, n in await session.execute(statuses)},
        "revenue": {currency: int(amount) for currency, amount, _ in rows},
        "credits_sold": sum(int(n_credits) for _, _, n_credits in rows),
    }
