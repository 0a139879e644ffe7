"""What a plan change would cost and grant, before it is made: Stripe's invoice preview of the change
(`invoices.create_preview` with `subscription_details`, prorated as PATCH .../subscription would ask
Stripe to), and the credits the plan's rules would grant. Reads only: nothing is written here or in Stripe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from core import clock
from core.errors import BadRequest, NotFound
from plugins.subscriptions import schemas
from plugins.subscriptions.allowances import SOURCE_CHANGE
from plugins.subscriptions.config import Interval
from plugins.subscriptions.models import Subscription
from plugins.subscriptions.periods import from_timestamp
from plugins.subscriptions.services import PlanChange, SubscriptionService, stripe_failed


def _is_proration(line: Mapping[str, Any]) -> bool:
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    return bool(details.get("proration"))


def _lines(invoice: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((invoice.get("lines") or {}).get("data") or [])


class ChangePreviews:
    """One tenant's plan change previews, through the subscription service's rules."""

    def __init__(self, service: SubscriptionService) -> None:
        self.service = service

    async def preview(self, customer: str, tier: str, interval: Interval | None) -> schemas.SubscriptionPreview:
        """What moving the customer's plan to `tier` (and `interval`; None: the current one) would do now.

        The same refusals as the change itself (unknown tier, no price, a plan in dunning); 404
        `subscription_not_found` without a plan, 400 `plan_unchanged` when it would change nothing.
        """
        service = self.service
        await service.customers.get(customer)
        row = await service.subscriptions.holding(customer)
        if row is None:
            raise NotFound(
                "The customer has no subscription to change; start one with POST .../subscription.",
                code="subscription_not_found",
            )
        change = await service.plan_change(row, tier, interval)
        if change is None:
            raise BadRequest(
                f"The customer is already on {row.tier} billed every {row.interval}.",
                code="plan_unchanged",
                detail={"tier": row.tier, "interval": row.interval},
            )
        # An upgrade is invoiced at once (`always_invoice`), and so is a new billing cycle (an interval
        # change): the preview is that invoice. Otherwise (and during a trial, which neither prorates nor
        # restarts the cycle) it is the next renewal, credit included.
        trialing = row.status == "trialing"
        new_cycle = change.interval != row.interval and not trialing
        invoiced_now = (change.upgrade and not trialing) or new_cycle
        first = await self._stripe_preview(row, change)
        # After an invoice made at once, the next one is the plain renewal at the new price.
        following = await self._stripe_preview(row, change, recurring=True) if invoiced_now else first
        prorations = [line for line in _lines(first) if _is_proration(line)]
        renewal = [line for line in _lines(following) if not _is_proration(line)]
        next_at = min((int(line["period"]["start"]) for line in renewal), default=None)
        credits_per_month = service.allowances.monthly_of(change.tier, change.interval, change.price.period_credits)
        return schemas.SubscriptionPreview(
            customer=customer,
            subscription_id=row.stripe_subscription_id,
            tier=change.tier.id,
            interval=change.interval,
            price_id=change.price.id,
            change="upgrade" if change.upgrade else "downgrade",
            currency=str(first.get("currency") or row.currency),
            amount_due_now=int(first.get("amount_due") or 0) if invoiced_now else 0,
            proration_amount=sum(int(line["amount"]) for line in prorations),
            proration_date=from_timestamp(prorations[0]["period"]["start"]) if prorations else None,
            next_invoice_at=from_timestamp(next_at or following.get("next_payment_attempt")),
            next_invoice_amount=int(following.get("amount_due") or 0),
            credits=await self._credits(row, change, credits_per_month, new_cycle=new_cycle),
            credits_per_month=credits_per_month,
            is_unlimited=change.tier.unlimited,
            lines=[
                schemas.PreviewLine(
                    description=line.get("description"),
                    amount=int(line["amount"]),
                    proration=_is_proration(line),
                    period_start=from_timestamp(line["period"]["start"]) or clock.now(),
                    period_end=from_timestamp(line["period"]["end"]) or clock.now(),
                )
                for line in _lines(first)
            ],
        )

    async def _stripe_preview(
        self, row: Subscription, change: PlanChange, *, recurring: bool = False
    ) -> Mapping[str, Any]:
        params: dict[str, Any] = {
            "customer": row.stripe_customer_id,
            "subscription": row.stripe_subscription_id,
            "subscription_details": {"items": change.items, "proration_behavior": change.proration_behavior},
        }
        if recurring:
            params["preview_mode"] = "recurring"
        client = await self.service.runtime.stripe.for_tenant(self.service.tenant)
        try:
            preview = await client.v1.invoices.create_preview_async(params=params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise stripe_failed(exc, "invoice preview") from exc
        result: Mapping[str, Any] = preview.to_dict()
        return result

    async def _credits(self, row: Subscription, change: PlanChange, new_monthly: int | None, *, new_cycle: bool) -> int:
        """Credits granted at once: a new billing cycle's first allowance (once its invoice is paid), else the
        plan change credits of `Allowances.change_credits`, unless already granted in this period."""
        allowances = self.service.allowances
        if new_cycle:
            return allowances.period_grant(change.tier, change.interval, change.price.period_credits) or 0
        current = self.service.config.tier(row.tier)
        if current is None:
            return 0
        old_monthly = allowances.monthly_credits(row, current)
        found = allowances.change_credits(row, change.tier, old_monthly, new_monthly, clock.now())
        if found is None or await allowances.repo.granted(SOURCE_CHANGE, found[2]):
            return 0
        return found[0]
