"""Stripe events for subscriptions: each re-reads the subscription from Stripe and applies it (see events.py)."""

from __future__ import annotations

from core.hookspecs import EventHandler
from core.inbox.context import EventContext
from core.inbox.dispatch import claims_by_metadata
from plugins.subscriptions.config import PLUGIN
from plugins.subscriptions.events import SubscriptionEvents


def _events(ctx: EventContext) -> SubscriptionEvents:
    return SubscriptionEvents(ctx.session, ctx.tenant, ctx.runtime)


async def subscription_changed(ctx: EventContext) -> None:
    await _events(ctx).subscription_event(ctx)


async def trial_will_end(ctx: EventContext) -> None:
    await _events(ctx).trial_will_end(ctx)


async def invoice_paid(ctx: EventContext) -> None:
    await _events(ctx).invoice_paid(ctx)


async def invoice_payment_failed(ctx: EventContext) -> None:
    await _events(ctx).invoice_failed(ctx, action_required=False)


async def invoice_payment_action_required(ctx: EventContext) -> None:
    await _events(ctx).invoice_failed(ctx, action_required=True)


async def invoice_changed(ctx: EventContext) -> None:
    await _events(ctx).invoice_changed(ctx)


async def charge_refunded(ctx: EventContext) -> None:
    await _events(ctx).charge_refunded(ctx)


async def charge_disputed(ctx: EventContext) -> None:
    await _events(ctx).charge_disputed(ctx)


async def checkout_completed(ctx: EventContext) -> None:
    await _events(ctx).checkout_completed(ctx)


async def checkout_expired(ctx: EventContext) -> None:
    await _events(ctx).checkout_expired(ctx)


# Checkout Sessions and invoices are also the other plugin's types: each claims the objects it made.
CLAIMS = claims_by_metadata(
    PLUGIN, ("checkout.session.completed", "checkout.session.expired", "invoice.paid", "invoice.payment_failed")
)

HANDLERS: dict[str, EventHandler] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.expired": checkout_expired,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "customer.subscription.trial_will_end": trial_will_end,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "invoice.payment_action_required": invoice_payment_action_required,
    # The billing history (billing.py): every invoice's state, and its payment's refunds and disputes.
    "invoice.created": invoice_changed,
    "invoice.finalized": invoice_changed,
    "invoice.voided": invoice_changed,
    "invoice.marked_uncollectible": invoice_changed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": charge_disputed,
    "charge.dispute.updated": charge_disputed,
    "charge.dispute.closed": charge_disputed,
}
