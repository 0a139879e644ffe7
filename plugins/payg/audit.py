"""Pay-as-you-go's part of the money audit: each succeeded PaymentIntent it made has its purchase and one
grant of that purchase's credits, at the purchase's price; its refunds and disputes took credits back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.inbox.dispatch import metadata_owner
from core.money_audit.findings import (
    AMOUNT_MISMATCH,
    CREDITS_MISMATCH,
    DISPUTE_NOT_HELD,
    PAID_NOT_GRANTED,
    REFUND_NOT_CLAWED_BACK,
    AuditAnswer,
    Finding,
    StripeObjects,
    grants_by_ref,
    money,
)
from plugins.payg.models import CreditPurchase
from plugins.payg.services import GRANT_SOURCE, PLUGIN, amount_for, config_of
from tenants.registry import Tenant


async def audit(tenant: Tenant, session: AsyncSession, objects: StripeObjects) -> AuditAnswer:
    answer = AuditAnswer(grant_sources={GRANT_SOURCE})
    ours = [i for i in objects.payment_intents if metadata_owner(i) == PLUGIN]
    taken = [*objects.refunds, *objects.disputes]
    intent_ids = {str(i["id"]) for i in ours} | {str(t.get("payment_intent") or "") for t in taken}
    statement = scoped(select(CreditPurchase), CreditPurchase, tenant.slug).where(
        CreditPurchase.payment_intent_id.in_(sorted(intent_ids))
    )
    purchases = {p.payment_intent_id: p for p in (await session.execute(statement)).scalars()}
    grants = await grants_by_ref(session, tenant, GRANT_SOURCE, intent_ids)
    for intent in ours:
        intent_id = str(intent["id"])
        answer.explain(intent_id)
        purchase = purchases.get(intent_id)
        grant = grants.get(intent_id)
        paid = money(intent.get("amount_received"), intent.get("currency"))
        if purchase is None:
            answer.findings.append(
                Finding(PAID_NOT_GRANTED, intent_id, "A succeeded PaymentIntent of payg with no purchase.", found=paid)
            )
            continue
        customer = purchase.customer
        if money(purchase.amount, purchase.currency) != paid:
            answer.findings.append(
                Finding(
                    AMOUNT_MISMATCH,
                    intent_id,
                    "Stripe received another amount than the purchase's.",
                    customer=customer,
                    expected=money(purchase.amount, purchase.currency),
                    found=paid,
                )
            )
            continue
        if grant is None:
            answer.findings.append(
                Finding(
                    PAID_NOT_GRANTED,
                    intent_id,
                    "A succeeded PaymentIntent with no grant of its purchase's credits.",
                    customer=customer,
                    expected=f"{purchase.credits} credits",
                    found="no grant",
                    repair_events=("payment_intent.succeeded",),
                    event_object=intent_id,
                )
            )
            continue
        answer.explained_grants.add((GRANT_SOURCE, intent_id))
        if grant.amount != purchase.credits:
            answer.findings.append(
                Finding(
                    CREDITS_MISMATCH,
                    intent_id,
                    "The grant holds another count of credits than the purchase.",
                    customer=customer,
                    expected=f"{purchase.credits} credits",
                    found=f"{grant.amount} credits",
                )
            )
        price = config_of(tenant).prices.get(purchase.currency)
        if purchase.price is None and price is not None and purchase.amount != amount_for(purchase.credits, price):
            answer.findings.append(
                Finding(
                    CREDITS_MISMATCH,
                    intent_id,
                    "The purchase's credits and amount disagree with the tenant's payg prices.",
                    customer=customer,
                    expected=money(amount_for(purchase.credits, price), purchase.currency),
                    found=money(purchase.amount, purchase.currency),
                )
            )
    # payg takes nothing back itself: a refund or dispute of its payment leaves the credits granted.
    for refund_or_dispute in taken:
        intent_id = str(refund_or_dispute.get("payment_intent") or "")
        purchase = purchases.get(intent_id)
        if purchase is None:
            continue
        answer.explain(refund_or_dispute["id"])
        grant = grants.get(intent_id)
        if grant is not None and grant.clawed_back > 0:
            continue
        is_refund = refund_or_dispute.get("object") == "refund"
        answer.findings.append(
            Finding(
                REFUND_NOT_CLAWED_BACK if is_refund else DISPUTE_NOT_HELD,
                str(refund_or_dispute["id"]),
                f"A {'refund' if is_refund else 'dispute'} of a payg purchase; its credits were not taken back.",
                customer=purchase.customer,
                expected=money(refund_or_dispute.get("amount"), refund_or_dispute.get("currency")),
                found="no clawback",
            )
        )
    return answer
