"""Token packages' part of `GET /admin/figures` (orders, money taken and refunded per currency) and of
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
from plugins.token_packages.models import PAID_STATUSES, Order, Payment, Refund
from plugins.token_packages.payments import GRANT_SOURCE
from tenants.registry import Tenant

STREAM = "token_packages"


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


def token_package_part(tenant: Tenant, series: Series) -> MetricsPart:
    """Token packages' contribution to `GET /admin/metrics`: payments, refunds and lost disputes as revenue
    rows, orders as checkouts, and the unspent credits of paid orders valued at what they cost."""
    customer = select(Order.customer_id).where(Order.id == Payment.order_id).scalar_subquery()
    payments = revenue_rows(
        customer_id=customer,
        currency=Payment.currency,
        at=Payment.paid_at,
        amount=Payment.amount,
        kind="payment",
        stream=STREAM,
    ).where(*series.window(Payment.paid_at), *series.currencies(Payment.currency))
    refunded_at = func.coalesce(Refund.succeeded_at, Refund.created_at)
    refunds = revenue_rows(
        customer_id=select(Order.customer_id).where(Order.id == Refund.order_id).scalar_subquery(),
        currency=Refund.currency,
        at=refunded_at,
        amount=Refund.amount,
        kind="refund",
        stream=STREAM,
    ).where(Refund.status == "succeeded", *series.window(refunded_at), *series.currencies(Refund.currency))
    # A payment row keeps no time of its dispute's close: the row's last update stands for it.
    disputes = revenue_rows(
        customer_id=customer,
        currency=Payment.currency,
        at=Payment.updated_at,
        amount=Payment.dispute_amount,
        kind="dispute",
        stream=STREAM,
    ).where(Payment.dispute_status == "lost", *series.window(Payment.updated_at), *series.currencies(Payment.currency))
    orders = checkout_rows(at=Order.created_at, completed=Order.status.in_(PAID_STATUSES), stream=STREAM)
    prepaid = prepaid_rows(
        currency=Payment.currency,
        amount=Payment.amount,
        bought=Payment.credits,
        source=GRANT_SOURCE,
        source_ref=Payment.grant_ref,
        tenant_id=Payment.tenant_id,
    )
    return MetricsPart(
        revenue=[
            scoped(payments, Payment, tenant.slug),
            scoped(refunds, Refund, tenant.slug),
            scoped(disputes, Payment, tenant.slug),
        ],
        checkouts=[scoped(orders.where(*series.window(Order.created_at)), Order, tenant.slug)],
        prepaid=[scoped(prepaid, Payment, tenant.slug)],
    )
