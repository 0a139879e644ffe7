"""The subscriptions API's rules: tiers, a customer's plan and usage, checkout, portal, plan changes, cancellation.

Stripe is asked to change a subscription; its answer is applied at once through `Lifecycle.apply`,
so the response already shows the new plan, and the webhook that follows finds nothing left to do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import uuid
from typing import TYPE_CHECKING, Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import uuid7

from core import clock
from core.customers.models import Customer
from core.customers.services import CustomerService
from core.errors import BadRequest, Conflict, NotFound, PaymentRequired, TooManyRequests, UpstreamError
from core.idempotency.keys import stripe_key
from core.ledger.services import Ledger
from plugins.subscriptions import schemas
from plugins.subscriptions.config import PLUGIN, Interval, Tier
from plugins.subscriptions.lifecycle import Lifecycle
from plugins.subscriptions.models import IN_GOOD_STANDING, Subscription, SubscriptionCheckout
from plugins.subscriptions.periods import calendar_month
from plugins.subscriptions.plans import Plan, plan_of, priced
from plugins.subscriptions.prices import TierPrice
from tenants.registry import Tenant
from tenants.stripe import create_checkout_session, promotion_code_id
from tenants.stripe import idempotency_key as stripe_idempotency_key

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.subscriptions")


def stripe_failed(exc: stripe.StripeError, what: str) -> UpstreamError:
    logger.warning("%s failed at Stripe: %s", what, exc)
    return UpstreamError(f"Stripe did not accept the {what}; try again.", code="stripe_error")


@dataclasses.dataclass(frozen=True)
class Started:
    """A new subscription's row and what it was checked against, before Stripe is asked."""

    payer: Customer
    tier: Tier
    price: TierPrice
    promotion: str | None
    checkout: SubscriptionCheckout
    client: stripe.StripeClient
    stripe_customer: str


@dataclasses.dataclass(frozen=True)
class PlanChange:
    """A move of a subscription to another tier and/or interval, and how Stripe is to prorate it."""

    tier: Tier
    interval: Interval
    price: TierPrice
    upgrade: bool
    items: list[dict[str, Any]]

    @property
    def proration_behavior(self) -> str:
        return "always_invoice" if self.upgrade else "create_prorations"


class SubscriptionService:
    """One tenant's subscriptions, as its customers and their app see them."""

    def __init__(self, session: AsyncSession, tenant: Tenant, runtime: Kernel) -> None:
        self.session = session
        self.tenant = tenant
        self.runtime = runtime
        # Stripe's answers to our changes are applied through the same lifecycle as its events.
        self.lifecycle = lifecycle = Lifecycle(session, tenant, runtime)
        self.config, self.subscriptions, self.checkouts = lifecycle.config, lifecycle.subscriptions, lifecycle.checkouts
        self.prices, self.allowances = lifecycle.prices, lifecycle.allowances
        self.customers = CustomerService(session, tenant)

    # ------------------------------------------------------------------------------------------
    # Reads
    # ------------------------------------------------------------------------------------------

    async def tiers(self) -> schemas.TierList:
        tiers = []
        for tier in self.config.tiers:
            prices = [] if tier.id == self.config.default_tier else await self.prices.options(tier.id)
            tiers.append(
                schemas.TierInfo(
                    id=tier.id,
                    name=tier.name,
                    credits_per_month=tier.monthly_limit,
                    is_unlimited=tier.unlimited,
                    is_default=tier.id == self.config.default_tier,
                    models=list(tier.models),
                    features=dict(tier.features),
                    highlights=list(tier.highlights),
                    trial_days=tier.trial_days,
                    prices=[
                        schemas.TierPriceInfo(p.interval, p.currency, p.unit_amount, p.id, p.period_credits)
                        for p in prices
                    ],
                )
            )
        return schemas.TierList(data=tiers, has_more=False, next_cursor=None, default_tier=self.config.default_tier)

    async def plan(self, customer: str, *, known: bool = False) -> Plan:
        """The customer's plan now; a customer on the default tier gets this month's allowance if still due.

        `known`: the caller has read the customer's row already (else an unknown customer is a 404 here).
        """
        if not known:
            await self.customers.get(customer)
        now = clock.now()
        row = await self.subscriptions.holding(customer)
        if row is None:
            await self.allowances.free(customer, now)
        plan = plan_of(self.config, customer, row, now)
        if row is None or plan.restricted:
            return plan
        # A synced price's `feature_flags` metadata adds to the tier's features.
        price = await self.prices.tier_of(row.price_id)
        return priced(plan, row, price.feature_flags if price else ())

    async def read(self, customer: str) -> schemas.Subscription:
        # The in-app flow builds on this service; its pending payment shows in the plan's view.
        from plugins.subscriptions.elements import InAppSubscriptions

        plan = await self.plan(customer)
        balance = await Ledger(self.session, self.tenant).balance(customer)
        row = plan.subscription
        period = calendar_month(clock.now())
        return schemas.Subscription(
            customer=customer,
            tier=plan.tier.id,
            tier_name=plan.tier.name,
            status=plan.status,
            subscription_id=row.stripe_subscription_id if row else None,
            interval=row.interval if row else None,
            credits_remaining=balance.balance,
            credits_per_month=plan.credits_per_month,
            is_unlimited=balance.unlimited,
            current_period_start=row.current_period_start if row else period.start,
            current_period_end=row.current_period_end if row else period.end,
            cancel_at_period_end=row.cancel_at_period_end if row else False,
            trial_end=row.trial_end if row else None,
            restricted=plan.restricted,
            grace_ends_at=plan.grace_ends_at,
            models=list(plan.effective.models),
            features=dict(plan.features),
            pending_payment=await InAppSubscriptions(self).pending(customer),
        )

    async def usage(self, customer: str) -> schemas.Usage:
        return await self.allowances.usage(await self.plan(customer), clock.now())

    async def model_access(self, customer: str, model: str) -> schemas.ModelAccess:
        """Whether the customer's plan offers `model` now, and if not, which tier does."""
        plan = await self.plan(customer)
        tier = plan.effective
        if model in tier.models:
            return schemas.ModelAccess(customer, model, True, tier.id, None, None, f"{tier.name} includes {model}.")
        holder = self.config.lowest_with_model(model)
        if holder is None:
            message = f"No plan of this app offers {model!r}."
            return schemas.ModelAccess(customer, model, False, tier.id, "unknown_model", None, message)
        if plan.restricted and model in plan.tier.models:
            message = f"{model} comes with {plan.tier.name}, which is restricted until its payment goes through."
        else:
            message = f"{model} is not in the {tier.name} plan; it comes with {holder.name}."
        return schemas.ModelAccess(customer, model, False, tier.id, "model_not_in_tier", holder.id, message)

    async def entitlements(self, customer: Customer) -> dict[str, Any]:
        return (await self.plan(customer.external_id, known=True)).entitlements()

    # ------------------------------------------------------------------------------------------
    # Checkout and portal
    # ------------------------------------------------------------------------------------------

    async def start(
        self,
        customer: str,
        data: schemas.CheckoutCreate | schemas.SubscriptionCreate,
        *,
        kind: str,
        trial: bool | None = None,
        idempotency_key: str | None = None,
    ) -> Started:
        """The checks and the row every new subscription starts with (Checkout or the app's own form).

        The tier is for sale, the customer holds no plan, is within the checkout rate limit, and the
        price exists. `trial`: None gives the tier's trial to a first subscription (as Checkout
        does), False none, True insists on it (409 `trial_not_available` when the customer cannot
        have it). With the client's Idempotency-Key the row's id derives from it, and so does
        Stripe's key: a retry whose first attempt reached Stripe but was never committed here gets
        Stripe's first object.
        """
        tier = self._purchasable(data.tier)
        # The customer's row lock serialises its checkouts, so the rate limit holds across API processes.
        row = await self.customers.in_turn(customer)
        await self._no_plan_held(customer)
        await self._rate_limit(customer)
        price = await self.prices.for_tier(tier.id, data.interval, data.currency)
        if price is None:
            raise BadRequest(
                f"No {data.interval}ly price is configured for {tier.name}"
                + (f" in {data.currency}." if data.currency else "."),
                code="price_not_configured",
                detail={"tier": tier.id, "interval": data.interval, "currency": data.currency},
            )
        client = await self.runtime.stripe.for_tenant(self.tenant)
        promotion = await promotion_code_id(client, data.promotion_code) if data.promotion_code else None
        trial_days = await self._trial_days(tier, customer, trial)
        now = clock.now()
        checkout = SubscriptionCheckout(
            tenant_id=self.tenant.slug,
            customer_id=row.id,
            customer=customer,
            tier=tier.id,
            interval=data.interval,
            price_id=price.id,
            promotion_code=data.promotion_code,
            trial_days=trial_days,
            created_at=now,
            updated_at=now,
        )
        keyed = self._stripe_key(kind, customer, idempotency_key)
        if keyed is not None:
            checkout.id = uuid.uuid5(uuid.NAMESPACE_URL, keyed)
        self.session.add(checkout)
        await self.session.flush()
        return Started(row, tier, price, promotion, checkout, client, await self._stripe_customer(row))

    async def _trial_days(self, tier: Tier, customer: str, wanted: bool | None) -> int:
        eligible = bool(tier.trial_days) and not await self.subscriptions.has_any(customer)
        if wanted and not eligible:
            raise Conflict(
                f"{tier.name} has no trial for this customer"
                + (" (only a first subscription has one)." if tier.trial_days else "."),
                code="trial_not_available",
                detail={"tier": tier.id, "trial_days": tier.trial_days},
            )
        return tier.trial_days if eligible and wanted is not False else 0

    async def checkout(
        self, customer: str, data: schemas.CheckoutCreate, *, idempotency_key: str | None = None
    ) -> schemas.Checkout:
        """A Stripe Checkout Session for a new subscription to `data.tier`, billed every `data.interval`."""
        started = await self.start(customer, data, kind="checkout", idempotency_key=idempotency_key)
        checkout = started.checkout
        params = self._session_params(checkout, data, started.stripe_customer, started.promotion)
        session = await create_checkout_session(
            started.client, params, stripe_idempotency_key("subscription_checkout", checkout.id)
        )
        checkout.stripe_session_id = session.id
        await self.session.flush()
        return schemas.Checkout(
            checkout_url=str(session.url),
            session_id=session.id,
            tier=started.tier.id,
            interval=data.interval,
            price_id=started.price.id,
            trial_days=checkout.trial_days,
        )

    def metadata(self, checkout: SubscriptionCheckout) -> dict[str, str]:
        """What a subscription we start carries, so its events find our tenant, customer and row again."""
        return {
            "tollgate_tenant": self.tenant.slug,
            "tollgate_customer": checkout.customer,
            "tollgate_plugin": PLUGIN,
            "tollgate_tier": checkout.tier,
            "tollgate_checkout": str(checkout.id),
        }

    def _session_params(
        self, checkout: SubscriptionCheckout, data: schemas.CheckoutCreate, stripe_customer: str, promotion: str | None
    ) -> dict[str, Any]:
        """The Checkout Session's parameters; the metadata lets the subscription's events find us again."""
        metadata = self.metadata(checkout)
        subscription_data: dict[str, Any] = {"metadata": metadata}
        if checkout.trial_days:
            subscription_data["trial_period_days"] = checkout.trial_days
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": stripe_customer,
            "client_reference_id": checkout.customer,
            "line_items": [{"price": checkout.price_id, "quantity": 1}],
            "success_url": data.success_url,
            "metadata": metadata,
            "subscription_data": subscription_data,
        }
        if data.cancel_url:
            params["cancel_url"] = data.cancel_url
        if promotion:
            params["discounts"] = [{"promotion_code": promotion}]
        elif self.config.allow_promotion_codes:
            params["allow_promotion_codes"] = True
        return params

    async def portal(self, customer: str, data: schemas.PortalCreate) -> schemas.Portal:
        """A Stripe Billing Portal session where the customer manages payment methods, invoices and the plan."""
        row = await self.customers.payer(customer)
        stripe_customer = await self._stripe_customer(row)
        client = await self.runtime.stripe.for_tenant(self.tenant)
        try:
            session = await client.v1.billing_portal.sessions.create_async(
                params={"customer": stripe_customer, "return_url": data.return_url},
                # A portal session is single-use: each request is its own operation, retried under one key.
                options={"idempotency_key": stripe_idempotency_key("billing_portal", row.id, str(uuid7()))},
            )
        except stripe.StripeError as exc:
            raise stripe_failed(exc, "billing portal session") from exc
        return schemas.Portal(portal_url=session.url)

    async def _stripe_customer(self, row: Customer) -> str:
        try:
            return await self.customers.ensure_stripe_customer(row, self.runtime.stripe)
        except stripe.StripeError as exc:
            raise stripe_failed(exc, "customer") from exc

    def _purchasable(self, tier_id: str) -> Tier:
        tier = self.config.tier(tier_id)
        if tier is None:
            raise BadRequest(
                f"No tier {tier_id!r}.", code="unknown_tier", detail={"tiers": [t.id for t in self.config.tiers]}
            )
        if tier.id == self.config.default_tier:
            raise BadRequest(f"{tier.name} is the free tier; it needs no subscription.", code="tier_not_for_sale")
        return tier

    async def _no_plan_held(self, customer: str) -> None:
        held = await self.subscriptions.holding(customer)
        if held is None:
            return
        base = f"/t/{self.tenant.slug}/v1/customers/{customer}"
        raise Conflict(
            f"The customer already subscribes to {held.tier} ({held.status}); change the plan instead.",
            code="subscription_exists",
            detail={
                "subscription": held.stripe_subscription_id,
                "tier": held.tier,
                "status": held.status,
                "hint": f"PATCH {base}/subscription to change tier or interval, or POST {base}/portal",
            },
        )

    async def _rate_limit(self, customer: str) -> None:
        limit = self.config.checkout_rate_limit
        now = clock.now()
        started = await self.checkouts.started_since(customer, now - dt.timedelta(seconds=limit.per_seconds))
        if len(started) < limit.count:
            return
        free_at = started[len(started) - limit.count] + dt.timedelta(seconds=limit.per_seconds)
        retry_after = max(1, math.ceil((free_at - now).total_seconds()))
        raise TooManyRequests(
            f"At most {limit.count} checkouts per {limit.per_seconds} s for one customer; retry in {retry_after} s.",
            code="rate_limited",
            detail={"limit": limit.count, "per_seconds": limit.per_seconds, "retry_after_seconds": retry_after},
            retry_after=retry_after,
        )

    # ------------------------------------------------------------------------------------------
    # Changes
    # ------------------------------------------------------------------------------------------

    async def change(
        self, customer: str, data: schemas.SubscriptionUpdate, *, idempotency_key: str | None = None
    ) -> schemas.Subscription:
        """Move to another tier and/or interval (Stripe prorates), or take back a cancellation at period end.

        An upgrade is invoiced at once and only takes effect once that invoice is paid (Stripe's
        pending update); a downgrade takes effect now and its unused time is credited on the next invoice.
        With the client's Idempotency-Key, Stripe is asked under a key derived from it.
        """
        row = await self._held(customer)
        plan_change = await self.plan_change(row, data.tier, data.interval)
        params: dict[str, Any] = {}
        if plan_change is not None:
            params.update(items=plan_change.items, proration_behavior=plan_change.proration_behavior)
            if plan_change.upgrade:
                params["payment_behavior"] = "pending_if_incomplete"
        wanted = data.cancel_at_period_end
        if wanted is not None and wanted != row.cancel_at_period_end:
            if params:
                raise BadRequest(
                    "Change the plan and cancel or resume the subscription in two requests.",
                    code="one_change_at_a_time",
                )
            params["cancel_at_period_end"] = wanted
        if not params:
            return await self.read(customer)
        updated = await self._update(row, params, self._stripe_key("change", customer, idempotency_key))
        if updated.get("pending_update"):
            raise PaymentRequired(
                "The plan change is waiting for its invoice to be paid; the customer can pay it in the portal.",
                code="payment_pending",
                detail={"latest_invoice": updated.get("latest_invoice")},
            )
        await self.lifecycle.apply(updated, observed=clock.now())
        return await self.read(customer)

    async def cancel(
        self, customer: str, *, at_period_end: bool, idempotency_key: str | None = None
    ) -> schemas.Subscription:
        """Cancel at the period's end (the plan runs until then) or now; then the customer is on the free tier.

        With the client's Idempotency-Key, Stripe is asked under a key derived from it.
        """
        row = await self._held(customer)
        keyed = self._stripe_key("cancel", customer, idempotency_key)
        if at_period_end:
            if not row.cancel_at_period_end:
                await self.lifecycle.apply(
                    await self._update(row, {"cancel_at_period_end": True}, keyed), observed=clock.now()
                )
            return await self.read(customer)
        client = await self.runtime.stripe.for_tenant(self.tenant)
        try:
            canceled = await client.v1.subscriptions.cancel_async(
                row.stripe_subscription_id, options={"idempotency_key": keyed} if keyed else {}
            )
        except stripe.StripeError as exc:
            raise stripe_failed(exc, "cancellation") from exc
        await self.lifecycle.apply(canceled.to_dict(), observed=clock.now())
        return await self.read(customer)

    async def end_for_erasure(self, customer: Customer, *, cancel: bool) -> dict[str, Any] | None:
        """Before `customer` is erased: refuse while a subscription still runs, or (`cancel`) cancel it now.

        Canceled at Stripe under a key derived from our row, then applied as the cancel path applies it.
        """
        canceled: list[str] = []
        while (row := await self.subscriptions.holding(customer.external_id, for_update=True)) is not None:
            if not cancel:
                raise Conflict(
                    f"The customer's subscription is {row.status}; cancel it first, or erase with ?cancel=true.",
                    code="subscription_active",
                )
            if row.stripe_subscription_id in canceled:
                raise UpstreamError("Stripe did not cancel the subscription; try again.", code="stripe_error")
            client = await self.runtime.stripe.for_tenant(self.tenant)
            try:
                answer = await client.v1.subscriptions.cancel_async(
                    row.stripe_subscription_id,
                    options={"idempotency_key": stripe_idempotency_key("subscription", row.id, "erasure")},
                )
            except stripe.StripeError as exc:
                raise stripe_failed(exc, "cancellation") from exc
            await self.lifecycle.apply(answer.to_dict(), observed=clock.now())
            canceled.append(row.stripe_subscription_id)
        return {"canceled": canceled} if canceled else None

    async def plan_change(self, row: Subscription, tier_id: str | None, interval: Interval | None) -> PlanChange | None:
        """What moving `row` to `tier_id` and/or `interval` (None: unchanged) would be; None when it changes nothing.

        An upgrade (more credits a month, or monthly to yearly) is invoiced at once; a downgrade's unused
        time is credited on the next invoice. A plan in dunning cannot change (409).
        """
        if row.status not in IN_GOOD_STANDING:
            raise Conflict(
                f"The subscription is {row.status}; settle its payment (POST .../portal) before changing the plan.",
                code="subscription_not_changeable",
                detail={"status": row.status},
            )
        tier = self._purchasable(tier_id) if tier_id else self.config.tier(row.tier)
        wanted: Interval = interval or ("year" if row.interval == "year" else "month")
        if tier is None or (tier.id, wanted) == (row.tier, row.interval):
            return None
        price = await self.prices.for_tier(tier.id, wanted, row.currency)
        if price is None:
            raise BadRequest(
                f"No {wanted}ly price in {row.currency} is configured for {tier.name}.",
                code="price_not_configured",
                detail={"tier": tier.id, "interval": wanted, "currency": row.currency},
            )
        current = self.config.tier(row.tier)
        upgrade = current is None or tier.outranks(current) or (wanted == "year" and row.interval == "month")
        return PlanChange(tier, wanted, price, upgrade, [{"id": row.item_id, "price": price.id}])

    async def _held(self, customer: str) -> Subscription:
        await self.customers.get(customer)
        row = await self.subscriptions.holding(customer, for_update=True)
        if row is None:
            raise NotFound(
                "The customer has no subscription; start one with POST .../checkout/subscription.",
                code="subscription_not_found",
            )
        return row

    def _stripe_key(self, kind: str, customer: str, idempotency_key: str | None) -> str | None:
        """Stripe's key for a request made under the client's Idempotency-Key (None without one)."""
        if idempotency_key is None:
            return None
        return stripe_key(f"subscription_{kind}", self.tenant.slug, customer, idempotency_key)

    async def _update(self, row: Subscription, params: dict[str, Any], keyed: str | None = None) -> dict[str, Any]:
        client = await self.runtime.stripe.for_tenant(self.tenant)
        try:
            updated = await client.v1.subscriptions.update_async(
                row.stripe_subscription_id,
                params=params,  # type: ignore[arg-type]
                # Each request is one change; Stripe updates converge on their target, so a repeat is harmless.
                options={
                    "idempotency_key": keyed or stripe_idempotency_key("subscription", row.id, f"update:{uuid7()}")
                },
            )
        except stripe.StripeError as exc:
            raise stripe_failed(exc, "plan change") from exc
        result: dict[str, Any] = updated.to_dict()
        return result
