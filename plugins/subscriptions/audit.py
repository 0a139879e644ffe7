"""Subscriptions' part of the money audit: every paid invoice of a plan it sold granted that period's
allowance once, of the credits the tier (or the price's `credit_amount`) says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.inbox.dispatch import metadata_owner
from core.kernel import Kernel
from core.money_audit.findings import (
    CREDITS_MISMATCH,
    PAID_NOT_GRANTED,
    AuditAnswer,
    Finding,
    StripeObjects,
    grants_by_ref,
    id_of,
    money,
)
from plugins.subscriptions.allowances import SOURCE_INVOICE
from plugins.subscriptions.config import PLUGIN, config_of
from plugins.subscriptions.models import Allowance
from plugins.subscriptions.prices import PriceBook
from plugins.subscriptions.repository import SubscriptionRepository
from plugins.subscriptions.stripe_shapes import plan_line, subscription_of
from tenants.registry import Tenant


async def audit(tenant: Tenant, session: AsyncSession, objects: StripeObjects, kernel: Kernel) -> AuditAnswer:
    answer = AuditAnswer(grant_sources={SOURCE_INVOICE})
    config = config_of(tenant)
    invoices = [i for i in objects.invoices if metadata_owner(i) == PLUGIN]
    # A plan's Checkout Session moves no money of its own: its subscription's first invoice pays, audited below.
    answer.explain(*(s["id"] for s in objects.checkout_sessions if metadata_owner(s) == PLUGIN))
    ids = [str(i["id"]) for i in invoices]
    statement = scoped(select(Allowance), Allowance, tenant.slug).where(
        Allowance.source == SOURCE_INVOICE, Allowance.source_ref.in_(ids)
    )
    allowances = {a.source_ref: a for a in (await session.execute(statement)).scalars()}
    grants = await grants_by_ref(session, tenant, SOURCE_INVOICE, ids)
    subscriptions = SubscriptionRepository(session=session, tenant_id=tenant.slug)
    prices = PriceBook(session, tenant, kernel)
    for invoice in invoices:
        invoice_id = str(invoice["id"])
        answer.explain(invoice_id, *_intents(invoice))
        expected = await _expected_credits(invoice, subscriptions, prices, config)
        if expected is None:
            continue  # nothing to grant for it: the free tier, an unlimited tier, a yearly plan's monthly allowance
        allowance, grant = allowances.get(invoice_id), grants.get(invoice_id)
        customer = allowance.customer if allowance else None
        if grant is None:
            answer.findings.append(
                Finding(
                    PAID_NOT_GRANTED,
                    invoice_id,
                    "A paid plan invoice with no allowance granted for its period.",
                    customer=customer,
                    expected=f"{expected} credits",
                    found=f"no grant ({money(invoice.get('amount_paid'), invoice.get('currency'))} paid)",
                    repair_events=("invoice.paid",),
                    event_object=invoice_id,
                )
            )
            continue
        answer.explained_grants.add((SOURCE_INVOICE, invoice_id))
        recorded = allowance.credits if allowance else None
        if grant.amount != expected or recorded not in (None, grant.amount):
            answer.findings.append(
                Finding(
                    CREDITS_MISMATCH,
                    invoice_id,
                    "The allowance granted for the invoice disagrees with the tier's configuration or its record.",
                    customer=customer,
                    expected=f"{expected} credits",
                    found=f"{grant.amount} granted, {recorded} recorded",
                )
            )
    return answer


async def _expected_credits(
    invoice: Mapping[str, Any], subscriptions: SubscriptionRepository, prices: PriceBook, config: Any
) -> int | None:
    """What the invoice's period grants under the tenant's configuration (`Lifecycle.grant_invoice`'s rule)."""
    line = plan_line(invoice)
    if line is None:
        return None
    price_id, _ = line
    row = await subscriptions.by_stripe_id(subscription_of(invoice) or "")
    priced = await prices.tier_of(price_id) if price_id else None
    tier = config.tier(priced.tier if priced else row.tier if row else None)
    interval = priced.interval if priced else row.interval if row else "month"
    if tier is None or tier.id == config.default_tier or tier.unlimited:
        return None
    if interval == "year" and config.yearly_allowance == "monthly":
        return None
    period_credits = priced.period_credits if priced else row.period_credits if row else None
    if period_credits is not None:
        return int(period_credits)
    return int(tier.credits_per_month) * (12 if interval == "year" else 1)


def _intents(invoice: Mapping[str, Any]) -> list[str]:
    """The PaymentIntents that paid the invoice, when its payments came expanded."""
    payments = (invoice.get("payments") or {}).get("data") or []
    return [
        str(id_of(p["payment"]["payment_intent"])) for p in payments if (p.get("payment") or {}).get("payment_intent")
    ]
