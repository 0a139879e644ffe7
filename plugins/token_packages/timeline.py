"""Token packages' rows of the customer's payments timeline (`tollgate_customer_payments`): each payment of an
order, its refunds and its dispute, each with the receipt of the payment's charge (a refund shows on it too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal

from core.customers.models import Customer
from core.db import scoped
from core.payments.rows import payment_rows, uuid_text
from plugins.token_packages.models import Order, Payment, Refund
from tenants.registry import Tenant

STREAM = "token_packages"


def payment_statements(tenant: Tenant, customer: Customer) -> list[Any]:
    own = (Order.customer_id == customer.id,)
    payments = payment_rows(
        customer_id=Order.customer_id,
        currency=Payment.currency,
        at=Payment.paid_at,
        amount=Payment.amount,
        kind="payment",
        stream=STREAM,
        id=func.coalesce(Payment.payment_intent_id, uuid_text(Payment.id)),
        status=literal("succeeded"),
        reference=Order.id,
        description=Order.package_name,
        receipt_url=Payment.receipt_url,
    ).where(Order.id == Payment.order_id, *own)
    refunds = payment_rows(
        customer_id=Order.customer_id,
        currency=Refund.currency,
        at=func.coalesce(Refund.succeeded_at, Refund.created_at),
        amount=Refund.amount,
        kind="refund",
        stream=STREAM,
        id=func.coalesce(Refund.stripe_refund_id, uuid_text(Refund.id)),
        status=Refund.status,
        reference=Order.id,
        description=Order.package_name,
        receipt_url=Payment.receipt_url,
    ).where(Order.id == Refund.order_id, Payment.id == Refund.payment_id, *own)
    # A payment row keeps no time of its dispute's opening: the row's last update stands for it.
    disputes = payment_rows(
        customer_id=Order.customer_id,
        currency=Payment.currency,
        at=Payment.updated_at,
        amount=Payment.dispute_amount,
        kind="dispute",
        stream=STREAM,
        id=Payment.dispute_id,
        status=Payment.dispute_status,
        reference=Order.id,
        description=Order.package_name,
        receipt_url=Payment.receipt_url,
    ).where(Order.id == Payment.order_id, Payment.dispute_id.is_not(None), *own)
    return [
        scoped(scoped(payments, Payment, tenant.slug), Order, tenant.slug),
        scoped(scoped(scoped(refunds, Refund, tenant.slug), Payment, tenant.slug), Order, tenant.slug),
        scoped(scoped(disputes, Payment, tenant.slug), Order, tenant.slug),
    ]
