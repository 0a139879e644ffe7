"""Stripe events for token packages: Checkout outcomes, recurring periods, refunds made in Stripe, disputes.

Each handler finds its order (locked) from our metadata and is safe to run twice or out of order:
payments and grants are unique per order (and per invoice), refunds per Stripe refund id, disputes per
payment, and an unpaid order's status only moves forward.
"""

from __future__ import annotations

from core.hookspecs import EventHandler
from core.inbox.context import EventContext
from core.inbox.dispatch import claims_by_metadata
from plugins.token_packages.config import PLUGIN
from plugins.token_packages.disputes import DisputeService
from plugins.token_packages.payments import PaymentService
from plugins.token_packages.refunds import RefundService


async def checkout_session_completed(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).checkout_completed(ctx.object, ctx.created, await ctx.stripe())


async def checkout_session_async_payment_succeeded(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).async_payment_succeeded(ctx.object, ctx.created, await ctx.stripe())


async def checkout_session_async_payment_failed(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).async_payment_failed(ctx.object, ctx.created)


async def checkout_session_expired(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).checkout_expired(ctx.object)


async def invoice_paid(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).invoice_paid(ctx.object, ctx.created, await ctx.stripe())


async def invoice_payment_failed(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).invoice_payment_failed(ctx.object)


async def payment_intent_succeeded(ctx: EventContext) -> None:
    await PaymentService(ctx.session, ctx.tenant).payment_intent_succeeded(ctx.object, ctx.created, await ctx.stripe())


async def charge_refunded(ctx: EventContext) -> None:
    await RefundService(ctx.session, ctx.tenant).charge_refunded(ctx.object, await ctx.stripe())


async def charge_dispute_created(ctx: EventContext) -> None:
    await DisputeService(ctx.session, ctx.tenant).dispute_created(ctx.object)


async def charge_dispute_closed(ctx: EventContext) -> None:
    await DisputeService(ctx.session, ctx.tenant).dispute_closed(ctx.object)


# Checkout Sessions and invoices are also the other plugin's types: each claims the objects it made.
CLAIMS = claims_by_metadata(
    PLUGIN,
    (
        "checkout.session.completed",
        "checkout.session.expired",
        "invoice.paid",
        "invoice.payment_failed",
        "payment_intent.succeeded",
    ),
)

HANDLERS: dict[str, EventHandler] = {
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_async_payment_succeeded,
    "checkout.session.async_payment_failed": checkout_session_async_payment_failed,
    "checkout.session.expired": checkout_session_expired,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "payment_intent.succeeded": payment_intent_succeeded,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": charge_dispute_created,
    "charge.dispute.closed": charge_dispute_closed,
}
