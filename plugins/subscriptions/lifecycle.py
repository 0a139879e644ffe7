"""Applying Stripe's state of one subscription (the row, dunning, the unlimited flag, plan-change credits,
notices) and reconciling a row with Stripe."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.customers.models import Customer
from core.customers.repository import CustomerRepository
from core.ledger.services import Ledger
from core.notifications import notify
from plugins.subscriptions import schemas
from plugins.subscriptions.allowances import SOURCE_INVOICE, Allowances
from plugins.subscriptions.billing import Billing
from plugins.subscriptions.config import Interval, config_of
from plugins.subscriptions.history import History, Standing, annual_run_rate
from plugins.subscriptions.models import FINAL, IN_GOOD_STANDING, Subscription
from plugins.subscriptions.prices import PriceBook, TierPrice
from plugins.subscriptions.repository import AllowanceRepository, CheckoutRepository, SubscriptionRepository
from plugins.subscriptions.stripe_shapes import StripeSubscription, plan_line
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.subscriptions")

DUNNING = ("past_due", "unpaid")
# The fields a reconcile compares and a `subscription.updated` notice is sent for.
TRACKED = (
    "tier",
    "interval",
    "status",
    "price_id",
    "current_period_start",
    "current_period_end",
    "cancel_at_period_end",
)


def state_of(row: Subscription) -> dict[str, str]:
    """The tracked fields of a row, as text (for diffs and reports)."""
    return {field: _text(getattr(row, field)) for field in TRACKED}


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    return str(value).lower() if isinstance(value, bool) else str(value)


class Lifecycle:
    """One tenant's subscriptions as Stripe reports them, inside the caller's transaction.

    Every path that learns a subscription's state (its events, an invoice's events, a plan change
    made through our API, reconcile) ends in `apply(<the subscription as Stripe holds it now>)`, so
    late and duplicated events converge on Stripe's current state. A canceled subscription is never
    brought back.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant, runtime: Kernel) -> None:
        self.session = session
        self.tenant = tenant
        self.runtime = runtime
        self.config = config_of(tenant)
        self.subscriptions = SubscriptionRepository(session=session, tenant_id=tenant.slug)
        self.checkouts = CheckoutRepository(session=session, tenant_id=tenant.slug)
        self.prices = PriceBook(session, tenant, runtime)
        self.allowances = Allowances(session, tenant)
        self.history = History(session, tenant)
        self.billing = Billing(session, tenant)

    # ------------------------------------------------------------------------------------------
    # Reading Stripe
    # ------------------------------------------------------------------------------------------

    async def fetch(self, subscription_id: str, *, expand: Sequence[str] = ()) -> dict[str, Any] | None:
        """The subscription as the tenant's Stripe account holds it now, or None when Stripe has no such one."""
        client = await self.runtime.stripe.for_tenant(self.tenant)
        try:
            found = await client.v1.subscriptions.retrieve_async(
                subscription_id, params={"expand": list(expand)} if expand else None
            )
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return None
            raise
        result: dict[str, Any] = found.to_dict()
        return result

    async def target(self, sub: StripeSubscription) -> TierPrice | None:
        """What a subscription sells: its price's tier, else the tier our checkout wrote on it; None: not ours."""
        priced = await self.prices.tier_of(sub.price_id)
        if priced is not None and self.config.tier(priced.tier) is not None:
            return priced
        ordered = sub.metadata.get("tollgate_tier")
        if sub.metadata.get("tollgate_tenant") == self.tenant.slug and ordered and self.config.tier(ordered):
            logger.warning("subscription %s of %s: price %s sells no tier", sub.id, self.tenant.slug, sub.price_id)
            interval: Interval = "year" if sub.interval == "year" else "month"
            return TierPrice(sub.price_id, ordered, interval, sub.currency, None, "metadata")
        return None

    # ------------------------------------------------------------------------------------------
    # Applying a subscription's state
    # ------------------------------------------------------------------------------------------

    async def apply(
        self, obj: Mapping[str, Any], *, observed: dt.datetime, event_id: str | None = None
    ) -> Subscription | None:
        """Store Stripe's state of one subscription and act on what changed; None when it is not ours."""
        sub = StripeSubscription.from_stripe(obj)
        target = await self.target(sub)
        row = await self.subscriptions.by_stripe_id(sub.id, for_update=True)
        created = False
        if row is None and target is not None:
            row, created = await self._insert(sub, target)
        if row is None:
            return None
        if row.status in FINAL and sub.status not in FINAL:
            return row
        before = None if created else state_of(row)
        previous_status, previous_start = row.status, row.current_period_start
        previous = None if created else self._standing(row, sub)
        old_tier = self.config.tier(row.tier)
        old_monthly = self.allowances.monthly_credits(row, old_tier) if old_tier else None
        row.stripe_customer_id = sub.customer
        row.item_id, row.currency, row.status = sub.item_id, sub.currency, sub.status
        if target is not None:
            row.price_id, row.tier, row.interval = sub.price_id, target.tier, target.interval
            row.period_credits = target.period_credits
        row.current_period_start, row.current_period_end = sub.period.start, sub.period.end
        row.cancel_at_period_end, row.trial_end = sub.cancel_at_period_end, sub.trial_end
        await self._dunning(row, None if created else previous_status, observed)
        plan_changed = before is not None and before["price_id"] != row.price_id
        if plan_changed and old_tier is not None and previous_start == row.current_period_start:
            await self._plan_changed(row, old_monthly, observed)
        await self.settle_unlimited(row)
        if row.status in FINAL and (created or previous_status not in FINAL):
            await self._ended(row, sub, observed)
        running = annual_run_rate(sub, "active", paid_tier=row.tier != self.config.default_tier)
        await self.history.applied(row, previous, self._standing(row, sub), observed, event_id, running_arr=running)
        await self.session.flush()
        if before != state_of(row):
            await self._notify_updated(row, before, event_id)
        return row

    def _standing(self, row: Subscription, sub: StripeSubscription) -> Standing:
        """The row's standing, valued at the plan Stripe holds now (the free tier brings nothing)."""
        arr = annual_run_rate(sub, row.status, paid_tier=row.tier != self.config.default_tier)
        return Standing(arr, row.status, row.tier, row.cancel_at_period_end)

    async def backfill_history(self, subscription_id: str) -> bool:
        """Seed the history of a subscription stored before it began, ended ones too (`History.backfill`),
        priced as Stripe holds it now; False when it has a history or Stripe has no such subscription."""
        row = await self.subscriptions.by_stripe_id(subscription_id, for_update=True)
        if row is None or await self.history.last(subscription_id) is not None:
            return False
        found = await self.fetch(subscription_id)
        if found is None:
            return False
        sub = StripeSubscription.from_stripe(found)
        running = annual_run_rate(sub, "active", paid_tier=row.tier != self.config.default_tier)
        await self.history.backfill(row, self._standing(row, sub), running_arr=running)
        return True

    async def _insert(self, sub: StripeSubscription, target: TierPrice) -> tuple[Subscription | None, bool]:
        """A new row for the subscription; (row, True), or (the row another transaction stored, False)."""
        customer = await self._customer_of(sub)
        if customer is None:
            logger.warning("subscription %s of %s: no customer for %s", sub.id, self.tenant.slug, sub.customer)
            return None, False
        now = clock.now()
        row = Subscription(
            tenant_id=self.tenant.slug,
            customer_id=customer.id,
            customer=customer.external_id,
            stripe_subscription_id=sub.id,
            stripe_customer_id=sub.customer,
            item_id=sub.item_id,
            price_id=sub.price_id,
            tier=target.tier,
            interval=target.interval,
            currency=sub.currency,
            period_credits=target.period_credits,
            status=sub.status,
            current_period_start=sub.period.start,
            current_period_end=sub.period.end,
            created_at=now,
            updated_at=now,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            # Another transaction stored it first (a plan change racing its own event): use that row.
            return await self.subscriptions.by_stripe_id(sub.id, for_update=True), False
        return row, True

    async def _customer_of(self, sub: StripeSubscription) -> Customer | None:
        customers = CustomerRepository(session=self.session, tenant_id=self.tenant.slug)
        found = await customers.by_stripe_id(sub.customer) if sub.customer else None
        if found is None and sub.metadata.get("tollgate_tenant") == self.tenant.slug:
            external = sub.metadata.get("tollgate_customer")
            found = await customers.by_external_id(external) if external else None
        return found

    async def _dunning(self, row: Subscription, previous_status: str | None, observed: dt.datetime) -> None:
        """Start the grace period on the first failed renewal (and tell the app); end it on recovery."""
        if row.status in IN_GOOD_STANDING:
            row.past_due_since = None
            return
        if row.status not in DUNNING or row.past_due_since is not None:
            return
        row.past_due_since = observed
        if previous_status not in DUNNING:
            await notify(
                self.session,
                self.tenant,
                "subscription.past_due",
                {
                    **self.describe(row),
                    "past_due_since": observed,
                    "grace_ends_at": observed + dt.timedelta(days=self.config.grace_period_days),
                },
                dedupe_key=f"subscription.past_due:{row.stripe_subscription_id}:{int(observed.timestamp())}",
            )

    async def _plan_changed(self, row: Subscription, old_monthly: int | None, at: dt.datetime) -> None:
        """The price changed within the period: credits for the change (see `Allowances.for_change`)."""
        new = self.config.tier(row.tier)
        if new is not None and row.status in IN_GOOD_STANDING:
            await self.allowances.for_change(row, new, old_monthly, self.allowances.monthly_credits(row, new), at)

    async def settle_unlimited(self, row: Subscription) -> None:
        """Tell the ledger whether the customer is unlimited, and until when; only when that changes.

        In good standing: until the period ends (a missed renewal event cannot leave it on for ever).
        In dunning: until the grace period ends. Otherwise (a limited tier, or ended): off.
        """
        tier = self.config.tier(row.tier)
        until: dt.datetime | None = None
        if tier is not None and tier.unlimited:
            if row.status in IN_GOOD_STANDING:
                until = row.current_period_end
            elif row.status == "past_due" and row.past_due_since is not None:
                grace = row.past_due_since + dt.timedelta(days=self.config.grace_period_days)
                until = min(row.current_period_end, grace)
        if until != row.unlimited_until:
            await Ledger(self.session, self.tenant).set_unlimited(
                row.customer, unlimited=until is not None, until=until
            )
            row.unlimited_until = until

    async def _ended(self, row: Subscription, sub: StripeSubscription, observed: dt.datetime) -> None:
        """The subscription is over: the customer falls back to the default tier and gets its allowance."""
        row.ended_at = sub.ended_at or observed
        row.next_allowance_at = None
        await self.session.flush()
        if await self.subscriptions.holding(row.customer) is None:
            await self.allowances.free(row.customer, clock.now())

    def describe(self, row: Subscription) -> dict[str, Any]:
        return {
            "customer": row.customer,
            "subscription": row.stripe_subscription_id,
            "tier": row.tier,
            "interval": row.interval,
            "status": row.status,
            "current_period_end": row.current_period_end,
            "cancel_at_period_end": row.cancel_at_period_end,
        }

    async def _notify_updated(self, row: Subscription, before: dict[str, str] | None, event_id: str | None) -> None:
        changed = {k: v for k, v in (before or {}).items() if state_of(row)[k] != v}
        await notify(
            self.session,
            self.tenant,
            "subscription.updated",
            {**self.describe(row), "previous": changed},
            dedupe_key=f"subscription.updated:{row.stripe_subscription_id}:{event_id}" if event_id else None,
        )

    # ------------------------------------------------------------------------------------------
    # Invoices
    # ------------------------------------------------------------------------------------------

    async def grant_invoice(self, row: Subscription, invoice: Mapping[str, Any]) -> None:
        """A paid invoice grants the allowance of the period it pays for, once (keyed by the invoice id)."""
        if invoice.get("status") != "paid":
            return
        await self.billing.invoice(row, invoice)
        line = plan_line(invoice)
        if line is None:
            return
        price_id, period = line
        priced = await self.prices.tier_of(price_id) if price_id else None
        tier = self.config.tier(priced.tier if priced else row.tier)
        if tier is None or tier.id == self.config.default_tier:
            return
        interval = priced.interval if priced else row.interval
        await self.allowances.for_invoice(
            row,
            tier,
            str(invoice["id"]),
            period,
            interval=interval,
            period_credits=priced.period_credits if priced else row.period_credits,
        )
        await self.session.flush()

    # ------------------------------------------------------------------------------------------
    # Reconcile
    # ------------------------------------------------------------------------------------------

    async def reconcile(self, subscription_id: str, *, dry_run: bool) -> schemas.Drift | None:
        """Compare one local subscription with Stripe; repair it unless `dry_run`. Returns what differs."""
        row = await self.subscriptions.by_stripe_id(subscription_id, for_update=not dry_run)
        if row is None:
            return None
        found = await self.fetch(subscription_id, expand=["latest_invoice"])
        if found is None:
            return schemas.Drift(subscription_id, row.customer, {"stripe": ("present", "missing")})
        before = state_of(row)
        sub = StripeSubscription.from_stripe(found)
        invoice = found.get("latest_invoice")
        missing_grant = await self._missing_grant(row, invoice)
        if dry_run:
            target = await self.target(sub)
            tier, interval = (target.tier, target.interval) if target else (row.tier, row.interval)
            after = dict(before)
            if not (row.status in FINAL and sub.status not in FINAL):
                after.update(
                    tier=tier,
                    interval=interval,
                    status=sub.status,
                    price_id=sub.price_id,
                    current_period_start=_text(sub.period.start),
                    current_period_end=_text(sub.period.end),
                    cancel_at_period_end=_text(sub.cancel_at_period_end),
                )
        else:
            await self.apply(found, observed=clock.now())
            if isinstance(invoice, Mapping):
                await self.grant_invoice(row, invoice)
            await self.billing.backfill(row, self.runtime)
            after = state_of(row)
        drift = {field: (before[field], after[field]) for field in TRACKED if before[field] != after[field]}
        if missing_grant:
            drift["allowance"] = ("missing", missing_grant)
        return schemas.Drift(subscription_id, row.customer, drift)

    async def _missing_grant(self, row: Subscription, invoice: Any) -> str | None:
        """The latest invoice's id when it is paid but its monthly allowance was never granted."""
        if not isinstance(invoice, Mapping) or invoice.get("status") != "paid" or plan_line(invoice) is None:
            return None
        tier = self.config.tier(row.tier)
        if tier is None or tier.unlimited or not tier.credits_per_month or row.interval == "year":
            return None
        repo = AllowanceRepository(session=self.session, tenant_id=self.tenant.slug)
        return None if await repo.granted(SOURCE_INVOICE, str(invoice["id"])) else str(invoice["id"])
