"""Stripe events for pay-as-you-go: a PaymentIntent of ours succeeded (grant once) or failed (mark it)."""

from __future__ import annotations

from core.inbox.context import EventContext
from plugins.payg.services import PurchaseService


async def payment_intent_succeeded(ctx: EventContext) -> None:
    await PurchaseService(ctx.session, ctx.tenant, ctx.runtime).payment_succeeded(ctx.object, ctx.created)


async def payment_intent_payment_failed(ctx: EventContext) -> None:
    await PurchaseService(ctx.session, ctx.tenant, ctx.runtime).payment_failed(ctx.object, ctx.created)


HANDLERS = {
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
}
