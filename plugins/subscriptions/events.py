"""Stripe's events about subscriptions, their invoices and Checkout Sessions: each finds the subscription
it concerns and applies it as Stripe holds it now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.notifications import notify
from plugins.subscriptions.elements import ACTION_REQUIRED
from plugins.subscriptions.lifecycle import Lifecycle
from plugins.subscriptions.models import Subscription
from plugins.subscriptions.periods import from_timestamp
from plugins.subscriptions.stripe_shapes import id_of, plan_line, subscription_of
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.inbox.context import EventContext
    from core.kernel import Kernel


class SubscriptionEvents:
    """One tenant's subscription events, inside the caller's transaction.

    Each first takes the subscription's watermark (`ctx.mark_applied`), which skips events older than
    one already applied and serialises workers on one subscription, then re-reads the subscription
    from Stripe rather than trusting the event's snapshot, so it never regresses Stripe's state.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant, runtime: Kernel) -> None:
        self.session = session
        self.tenant = tenant
        self.lifecycle = lifecycle = Lifecycle(session, tenant, runtime)
        self.subscriptions, self.checkouts, self.prices = lifecycle.subscriptions, lifecycle.checkouts, lifecycle.prices

    async def sync(self, ctx: EventContext, subscription_id: str) -> Subscription | None:
        """Apply Stripe's current state of the subscription for an event, unless a newer event already did."""
        if await ctx.mark_applied(subscription_id):
            found = await self.lifecycle.fetch(subscription_id)
            if found is not None:
                observed = from_timestamp(ctx.created)
                assert observed is not None
                return await self.lifecycle.apply(found, observed=observed, event_id=ctx.id)
        return await self.subscriptions.by_stripe_id(subscription_id, for_update=True)

    async def is_ours(
        self, subscription_id: str, price_id: str | None = None, metadata: Mapping[str, Any] | None = None
    ) -> bool:
        """Whether an event may concern one of our subscriptions, decided without asking Stripe.

        Other plugins' subscriptions (recurring token packages) and the app's own are left alone.
        """
        if (metadata or {}).get("tollgate_tenant") == self.tenant.slug and (metadata or {}).get("tollgate_tier"):
            return True
        if price_id and await self.prices.tier_of(price_id) is not None:
            return True
        return await self.subscriptions.by_stripe_id(subscription_id) is not None

    async def subscription_event(self, ctx: EventContext) -> Subscription | None:
        """`customer.subscription.*`: apply the subscription as Stripe holds it now."""
        items = (ctx.object.get("items") or {}).get("data") or [{}]
        price_id = id_of((items[0] or {}).get("price"))
        if not await self.is_ours(ctx.object_id, price_id, ctx.object.get("metadata")):
            return None
        return await self.sync(ctx, ctx.object_id)

    async def _invoice_subscription(self, ctx: EventContext) -> Subscription | None:
        """The subscription an invoice event bills, applied as Stripe holds it now; None when not ours."""
        invoice = ctx.object
        subscription_id = subscription_of(invoice)
        if subscription_id is None:
            return None
        line = plan_line(invoice)
        metadata = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("metadata")
        if not await self.is_ours(subscription_id, line[0] if line else None, metadata):
            return None
        return await self.sync(ctx, subscription_id)

    async def invoice_paid(self, ctx: EventContext) -> None:
        row = await self._invoice_subscription(ctx)
        if row is not None:
            await self._first_payment(row, ctx, "complete")
            await self.lifecycle.grant_invoice(row, ctx.object)
            await self.lifecycle.billing.payment(ctx.object_id, await ctx.stripe())

    async def invoice_changed(self, ctx: EventContext) -> None:
        """`invoice.created`, `.finalized`, `.voided`, `.marked_uncollectible`: the billing history's row."""
        row = await self._invoice_subscription(ctx)
        if row is not None:
            await self.lifecycle.billing.invoice(row, ctx.object)

    async def charge_refunded(self, ctx: EventContext) -> None:
        await self.lifecycle.billing.refunds(ctx.object, await ctx.stripe())

    async def charge_disputed(self, ctx: EventContext) -> None:
        observed = from_timestamp(ctx.created)
        assert observed is not None
        await self.lifecycle.billing.dispute(ctx.object, observed)

    async def invoice_failed(self, ctx: EventContext, *, action_required: bool) -> None:
        """A charge failed (or needs the customer to authenticate): tell the tenant app, with the plan's state."""
        invoice = ctx.object
        row = await self._invoice_subscription(ctx)
        if row is None:
            return
        await self._first_payment(row, ctx, ACTION_REQUIRED if action_required else "open")
        await self.lifecycle.billing.invoice(row, invoice)
        attempt = int(invoice.get("attempt_count") or 0)
        await notify(
            self.session,
            self.tenant,
            "payment.failed",
            {
                **self.lifecycle.describe(row),
                "invoice": invoice.get("id"),
                "amount_due": invoice.get("amount_due"),
                "currency": invoice.get("currency"),
                "attempt_count": attempt,
                "action_required": action_required,
                "hosted_invoice_url": invoice.get("hosted_invoice_url"),
                "next_payment_attempt": from_timestamp(invoice.get("next_payment_attempt")),
            },
            dedupe_key=f"payment.failed:{invoice.get('id')}:{attempt}:{'action' if action_required else 'declined'}",
        )

    async def _first_payment(self, row: Subscription, ctx: EventContext, status: str) -> None:
        """The first invoice of a subscription started in the app was paid, declined (`open`: the form may
        try again) or needs 3-D Secure: its checkout says so, for the subscription view. Never reopened."""
        if ctx.object.get("billing_reason") != "subscription_create":
            return
        checkout = await self.checkouts.by_subscription(row.stripe_subscription_id, for_update=True)
        if checkout is None or checkout.status == "complete":
            return
        checkout.status = status
        if status == "complete":
            checkout.completed_at = checkout.completed_at or from_timestamp(ctx.created)

    async def trial_will_end(self, ctx: EventContext) -> None:
        row = await self.subscription_event(ctx)
        if row is None or row.trial_end is None:
            return
        await notify(
            self.session,
            self.tenant,
            "subscription.trial_will_end",
            {**self.lifecycle.describe(row), "trial_end": row.trial_end},
            dedupe_key=f"subscription.trial_will_end:{row.stripe_subscription_id}:{int(row.trial_end.timestamp())}",
        )

    # ------------------------------------------------------------------------------------------
    # Checkout Sessions
    # ------------------------------------------------------------------------------------------

    async def checkout_completed(self, ctx: EventContext) -> None:
        session = ctx.object
        if session.get("mode") != "subscription":
            return
        subscription_id = id_of(session.get("subscription"))
        checkout = await self.checkouts.by_session(str(session["id"]), for_update=True)
        if checkout is not None:
            checkout.status = "complete"
            checkout.stripe_subscription_id = subscription_id
            checkout.completed_at = checkout.completed_at or from_timestamp(ctx.created)
        if subscription_id and (
            checkout is not None or await self.is_ours(subscription_id, None, session.get("metadata"))
        ):
            await self.sync(ctx, subscription_id)

    async def checkout_expired(self, ctx: EventContext) -> None:
        checkout = await self.checkouts.by_session(ctx.object_id, for_update=True)
        if checkout is not None and checkout.status == "open":
            checkout.status = "expired"
