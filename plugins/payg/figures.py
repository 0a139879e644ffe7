"""Pay-as-you-go's part of `GET /admin/figures` (purchases by status and money taken per currency) and of
`GET /admin/metrics` (its revenue stream, checkouts and prepaid credits as SQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.parts import MetricsPart, checkout_rows, prepaid_rows, revenue_rows
from core.analytics.series import Series
from core.db import scoped
from core.figures import window
from plugins.payg.models import CreditPurchase
from plugins.payg.services import GRANT_SOURCE
from tenants.registry import Tenant

STREAM = "payg"


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


def payg_part(tenant: Tenant, series: Series) -> MetricsPart:
    """PAYG's contribution to `GET /admin/metrics`: paid purchases as revenue, purchases started as
    checkouts, and the unspent credits of paid purchases valued at what they cost."""
    P = CreditPurchase  # noqa: N806 - the table, short
    paid = revenue_rows(
        customer_id=P.customer_id, currency=P.currency, at=P.paid_at, amount=P.amount, kind="payment", stream=STREAM
    )
    paid = paid.where(P.status == "succeeded", *series.window(P.paid_at), *series.currencies(P.currency))
    started = checkout_rows(at=P.created_at, completed=P.status == "succeeded", stream=STREAM)
    prepaid = prepaid_rows(
        currency=P.currency,
        amount=P.amount,
        bought=P.credits,
        source=GRANT_SOURCE,
        source_ref=P.payment_intent_id,
        tenant_id=P.tenant_id,
    )
    return MetricsPart(
        revenue=[scoped(paid, P, tenant.slug)],
        checkouts=[scoped(started.where(*series.window(P.created_at)), P, tenant.slug)],
        prepaid=[scoped(prepaid.where(P.status == "succeeded"), P, tenant.slug)],
    )
