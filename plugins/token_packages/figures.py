"""Token packages' part of `GET /admin/figures`: orders, money taken and refunded per currency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.figures import window
from plugins.token_packages.models import Order, Payment, Refund
from tenants.registry import Tenant


async def token_package_figures(
    session: AsyncSession, tenant: Tenant, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    orders = scoped(
        select(Order.status, func.count()).where(*window(Order.created_at, since, until)).group_by(Order.status),
        Order,
        tenant.slug,
    )
    paid = scoped(
        select(Payment.currency, func.sum(Payment.amount), func.sum(Payment.credits))
        .where(*window(Payment.paid_at, since, until))
        .group_by(Payment.currency),
        Payment,
        tenant.slug,
    )
    refunded = scoped(
        select(Refund.currency, func.sum(Refund.amount), func.sum(Refund.credits_clawed_back))
        .where(Refund.status == "succeeded", *window(Refund.created_at, since, until))
        .group_by(Refund.currency),
        Refund,
        tenant.slug,
    )
    revenue = {currency: (int(amount), int(n_credits)) for currency, amount, n_credits in await session.execute(paid)}
    refunds = {
        currency: (int(amount), int(n_credits)) for currency, amount, n_credits in await session.execute(refunded)
    }
    currencies = sorted(set(revenue) | set(refunds))
    return {
        "orders": {status: int(n) for status, n in await session.execute(orders)},
        "revenue": {c: revenue.get(c, (0, 0))[0] for c in currencies},
        "refunded": {c: refunds.get(c, (0, 0))[0] for c in currencies},
        "net": {c: revenue.get(c, (0, 0))[0] - refunds.get(c, (0, 0))[0] for c in currencies},
        "credits_sold": sum(n_credits for _, n_credits in revenue.values()),
        "credits_clawed_back": sum(n_credits for _, n_credits in refunds.values()),
    }
