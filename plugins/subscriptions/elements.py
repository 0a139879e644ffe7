"""Subscriptions paid in the app's own payment form (Stripe Elements) instead of Stripe's Checkout page.

Stripe creates the subscription `incomplete` (`payment_behavior=default_incomplete`) with its first
invoice open; the app's form confirms that invoice's payment with the client secret we answer (or, for
a trial with nothing due, the SetupIntent that saves the card). The card is saved as the subscription's
default (`save_default_payment_method=on_subscription`). From there the webhook path is Checkout's:
`invoice.paid` activates it and grants the period's credits once; an invoice never paid leaves it
`incomplete_expired` after 23 hours, and the customer on the free tier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import stripe

from core import clock
from plugins.subscriptions import schemas
from plugins.subscriptions.periods import from_timestamp
from plugins.subscriptions.services import Started, SubscriptionService, stripe_failed
from tenants.stripe import create_subscription
from tenants.stripe import idempotency_key as stripe_idempotency_key

# Stripe expires a subscription whose first invoice is still unpaid this long after it began.
INCOMPLETE_FOR = dt.timedelta(hours=23)
# The in-app checkout's status while the bank asks the customer for 3-D Secure.
ACTION_REQUIRED = "action_required"


class InAppSubscriptions:
    """One tenant's subscriptions started in its app, through the subscription service's rules."""

    def __init__(self, service: SubscriptionService) -> None:
        self.service = service

    async def create(
        self, customer: str, data: schemas.SubscriptionCreate, *, idempotency_key: str | None = None
    ) -> schemas.SubscriptionStart:
        """Create the Stripe subscription to `data.tier` awaiting its first payment, and answer what the form confirms.

        The same checks as Checkout (`SubscriptionService.start`): 409 `subscription_exists` while the
        customer holds a plan. An earlier attempt still unpaid is canceled first. Applied at once, so the
        subscription view shows the pending payment.
        """
        started = await self.service.start(
            customer, data, kind="create", trial=data.trial, idempotency_key=idempotency_key
        )
        checkout = started.checkout
        await self._supersede(customer, started)
        params: dict[str, Any] = {
            "customer": started.stripe_customer,
            "items": [{"price": started.price.id, "quantity": 1}],
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "metadata": self.service.metadata(checkout),
            "expand": ["latest_invoice.confirmation_secret", "pending_setup_intent"],
        }
        if checkout.trial_days:
            params["trial_period_days"] = checkout.trial_days
        if started.promotion:
            params["discounts"] = [{"promotion_code": started.promotion}]
        created = await create_subscription(
            started.client, params, stripe_idempotency_key("subscription_create", checkout.id)
        )
        subscription: dict[str, Any] = created.to_dict()
        checkout.stripe_subscription_id = str(subscription["id"])
        await self.service.lifecycle.apply(subscription, observed=clock.now())
        return self._answer(subscription, started, data.interval)

    async def _supersede(self, customer: str, started: Started) -> None:
        """Cancel the customer's earlier subscriptions still waiting for a first payment: one attempt at a
        time, so a form left open in another tab can never pay for a second plan."""
        while (found := await self.service.checkouts.awaiting_payment(customer)) is not None:
            earlier, row = found
            # Locked before Stripe is asked: the cancellation's webhook, applied by a worker meanwhile,
            # waits for this transaction. Taking this row first, it would wait for the customer's row
            # this request holds while this request waited for it (PostgreSQL's deadlock: a 500).
            await self.service.subscriptions.by_stripe_id(row.stripe_subscription_id, for_update=True)
            try:
                canceled = await started.client.v1.subscriptions.cancel_async(
                    row.stripe_subscription_id,
                    options={
                        "idempotency_key": stripe_idempotency_key("subscription_create", earlier.id, "superseded")
                    },
                )
            except stripe.StripeError as exc:
                raise stripe_failed(exc, "cancellation of the earlier attempt") from exc
            earlier.status = "expired"
            await self.service.lifecycle.apply(canceled.to_dict(), observed=clock.now())

    def _answer(self, subscription: Mapping[str, Any], started: Started, interval: str) -> schemas.SubscriptionStart:
        invoice = subscription.get("latest_invoice")
        invoice = invoice if isinstance(invoice, Mapping) else {}
        setup = subscription.get("pending_setup_intent")
        secret = invoice.get("confirmation_secret") if invoice.get("status") == "open" else None
        client_secret, secret_type = None, None
        if isinstance(secret, Mapping) and secret.get("client_secret"):
            client_secret, secret_type = str(secret["client_secret"]), "payment"
        elif isinstance(setup, Mapping) and setup.get("client_secret"):
            client_secret, secret_type = str(setup["client_secret"]), "setup"
        started_at = from_timestamp(subscription.get("start_date") or subscription.get("created"))
        due = subscription["status"] == "incomplete"
        return schemas.SubscriptionStart(
            subscription_id=str(subscription["id"]),
            status=str(subscription["status"]),
            client_secret=client_secret,
            secret_type=secret_type,
            tier=started.tier.id,
            interval=interval,
            price_id=started.price.id,
            currency=str(subscription.get("currency") or started.price.currency or ""),
            amount_due=int(invoice.get("amount_due") or 0),
            trial_days=started.checkout.trial_days,
            trial_end=from_timestamp(subscription.get("trial_end")),
            expires_at=started_at + INCOMPLETE_FOR if due and started_at is not None else None,
        )

    async def pending(self, customer: str) -> schemas.PendingPayment | None:
        """The customer's subscription started in the app whose first payment is still due, if any."""
        found = await self.service.checkouts.awaiting_payment(customer)
        if found is None:
            return None
        checkout, row = found
        return schemas.PendingPayment(
            subscription_id=row.stripe_subscription_id,
            tier=row.tier,
            interval=row.interval,
            status=row.status,
            payment_status="requires_action" if checkout.status == ACTION_REQUIRED else "requires_payment_method",
            expires_at=row.current_period_start + INCOMPLETE_FOR,
        )
