"""PAYG's rows of the customer's payments timeline (`tollgate_customer_payments`): each credit purchase paid, with
its charge's receipt. PAYG keeps no refunds or disputes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func

from core.customers.models import Customer
from core.db import scoped
from core.payments.rows import payment_rows, uuid_text
from plugins.payg.models import CreditPurchase
from tenants.registry import Tenant

STREAM = "payg"


def payment_statements(tenant: Tenant, customer: Customer) -> list[Any]:
    bought = CreditPurchase
    purchases = payment_rows(
        customer_id=bought.customer_id,
        currency=bought.currency,
        at=bought.paid_at,
        amount=bought.amount,
        kind="payment",
        stream=STREAM,
        id=func.coalesce(bought.payment_intent_id, uuid_text(bought.id)),
        status=bought.status,
        reference=bought.id,
        description=cast(bought.credits, String).concat(" credits"),
        receipt_url=bought.receipt_url,
    ).where(bought.customer_id == customer.id, bought.status == "succeeded", bought.paid_at.is_not(None))
    return [scoped(purchases, bought, tenant.slug)]
