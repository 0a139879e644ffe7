"""Subscriptions' rows of the customer's payments timeline (`tollgate_customer_payments`): each paid invoice, and
each refund and dispute of its payment, from the billing history's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import literal

from core.customers.models import Customer
from core.db import scoped
from core.payments.rows import payment_rows
from plugins.subscriptions.models import SubscriptionInvoice, SubscriptionReversal
from tenants.registry import Tenant

STREAM = "subscriptions"


def payment_statements(tenant: Tenant, customer: Customer) -> list[Any]:
    paid = SubscriptionInvoice
    invoices = payment_rows(
        customer_id=paid.customer_id,
        currency=paid.currency,
        at=paid.paid_at,
        amount=paid.amount_paid,
        kind="payment",
        stream=STREAM,
        id=paid.stripe_invoice_id,
        status=literal("succeeded"),
        reference=paid.stripe_invoice_id,
        description=paid.number,
        receipt_url=paid.receipt_url,
    ).where(paid.customer_id == customer.id, paid.paid_at.is_not(None), paid.amount_paid > 0)
    back = SubscriptionReversal
    statements = [scoped(invoices, paid, tenant.slug)]
    for kind in ("refund", "dispute"):
        rows = payment_rows(
            customer_id=back.customer_id,
            currency=back.currency,
            at=back.occurred_at,
            amount=back.amount,
            kind=kind,
            stream=STREAM,
            id=back.stripe_id,
            status=back.status,
            reference=back.stripe_invoice_id,
            description=literal(None),
            receipt_url=back.receipt_url,
        ).where(back.customer_id == customer.id, back.kind == kind)
        statements.append(scoped(rows, back, tenant.slug))
    return statements
