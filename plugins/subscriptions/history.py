"""The history the metrics read: one `subscription_changes` row per change of what a subscription is worth
or of its standing, written in the transaction that applies it (the invoices are billing.py's). docs/metrics.md
defines every kind and how the run rate is computed.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import uuid7

from core import clock
from core.analytics.rollup import mark_changed
from core.db import insert_for, scoped
from plugins.subscriptions.metrics import HISTORY
from plugins.subscriptions.models import FINAL, Subscription, SubscriptionChange
from plugins.subscriptions.stripe_shapes import StripeSubscription
from tenants.registry import Tenant

# Statuses in which a subscription brings revenue: `active` counts in MRR, `past_due` in past-due MRR.
COUNTED = ("active", "past_due")
# Billing intervals per year. A week is 52 and a day 365 (floored): Stripe bills those on the calendar,
# so a run rate for them is an estimate; months and years are exact.
PER_YEAR = {"day": 365, "week": 52, "month": 12, "year": 1}


class Standing(msgspec.Struct, frozen=True):
    """What one subscription is worth and its standing at one moment (one side of a change)."""

    arr: int
    status: str
    tier: str
    cancel_at_period_end: bool


def annual_run_rate(sub: StripeSubscription, status: str, *, paid_tier: bool) -> int:
    """The plan's annual run rate in minor units (MRR x 12), 0 when it brings nothing in `status`.

    Integer rule: unit amount x quantity x intervals per year / interval count, floored; exact for every
    monthly plan billed every 1, 2, 3, 4, 6 or 12 months and for yearly plans. Discounts are not
    subtracted (list price).
    """
    if not paid_tier or status not in COUNTED or not sub.unit_amount:
        return 0
    per_year = PER_YEAR.get(sub.interval or "", 0)
    return sub.unit_amount * sub.quantity * per_year // max(sub.interval_count, 1)


def kind_of(before: Standing | None, after: Standing, *, churned_before: bool) -> str | None:  # noqa: PLR0911 - a table
    """The kind of the change from `before` (None: the subscription is new to the history) to `after`.

    MRR movements (new, reactivation, expansion, contraction, churn) compare run rates; a change that
    keeps the run rate is recorded when the standing changes (past_due, recovered, cancel_scheduled,
    cancel_unscheduled, tier_changed); None: nothing the metrics read changed.
    """
    was = before.arr if before else 0
    if was == 0 and after.arr > 0:
        return "reactivation" if churned_before else "new"
    if was > 0 and after.arr == 0:
        return "churn"
    if after.arr > was:
        return "expansion"
    if after.arr < was:
        return "contraction"
    if before is None:
        return "trial_started" if after.status == "trialing" else None
    if was > 0 and after.status == "past_due" != before.status:
        return "past_due"
    if was > 0 and before.status == "past_due" != after.status:
        return "recovered"
    if after.tier != before.tier:
        return "tier_changed"
    if after.cancel_at_period_end != before.cancel_at_period_end:
        return "cancel_scheduled" if after.cancel_at_period_end else "cancel_unscheduled"
    return None


class History:
    """One tenant's subscription history, written inside the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant

    async def last(self, subscription: str) -> SubscriptionChange | None:
        statement = scoped(
            select(SubscriptionChange)
            .where(SubscriptionChange.subscription == subscription)
            .order_by(SubscriptionChange.occurred_at.desc(), SubscriptionChange.created_at.desc())
            .limit(1),
            SubscriptionChange,
            self.tenant.slug,
        )
        return (await self.session.scalars(statement)).first()

    async def _churned_before(self, customer_id: UUID, at: dt.datetime) -> bool:
        """Whether a subscription of the customer churned before `at` (their return is a reactivation)."""
        statement = select(
            exists(
                scoped(select(SubscriptionChange.id), SubscriptionChange, self.tenant.slug).where(
                    SubscriptionChange.customer_id == customer_id,
                    SubscriptionChange.kind == "churn",
                    SubscriptionChange.occurred_at <= at,
                )
            )
        )
        return bool(await self.session.scalar(statement))

    async def record(
        self,
        row: Subscription,
        before: Standing | None,
        after: Standing,
        at: dt.datetime,
        *,
        event_id: str | None = None,
        backfilled: bool = False,
    ) -> str | None:
        """Write the change from `before` to `after` at `at`, when it is one; returns its kind.

        A replay writes nothing: the state it brings equals the last row's, or the row it would write
        exists (unique on subscription, time and kind).
        """
        kind = kind_of(before, after, churned_before=await self._churned_before(row.customer_id, at))
        if kind is None:
            return None
        now = clock.now()
        statement = (
            insert_for(self.session, SubscriptionChange)
            .values(
                id=UUID(str(uuid7())),
                tenant_id=self.tenant.slug,
                customer_id=row.customer_id,
                subscription=row.stripe_subscription_id,
                occurred_at=at,
                kind=kind,
                currency=row.currency,
                tier=after.tier,
                previous_tier=before.tier if before else None,
                status=after.status,
                previous_status=before.status if before else None,
                arr_before=before.arr if before else 0,
                arr_after=after.arr,
                cancel_at_period_end=after.cancel_at_period_end,
                event_id=event_id,
                backfilled=backfilled,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "subscription", "occurred_at", "kind"])
        )
        await self.session.execute(statement)
        # A change of a day that is over (a late event, a backfill): the metrics read that day live until rebuilt.
        await mark_changed(self.session, self.tenant.slug, HISTORY, at)
        return kind

    async def applied(
        self,
        row: Subscription,
        previous: Standing | None,
        after: Standing,
        observed: dt.datetime,
        event_id: str | None,
        *,
        running_arr: int,
    ) -> None:
        """Record a subscription's newly applied state (`previous`: the row's state before, None when new).

        A subscription the history has not seen yet but that was stored before it began is first
        backfilled from `previous` at the row's creation (`backfill`), so its change is not taken for new.
        """
        last = await self.last(row.stripe_subscription_id)
        if last is None and previous is not None:
            await self.backfill(row, previous, running_arr=running_arr)
            last = await self.last(row.stripe_subscription_id)
        before = standing_of(last) if last is not None else None
        # Never before the last row: a reconcile may have recorded a state an older event now brings.
        at = max(observed, last.occurred_at) if last is not None else observed
        await self.record(row, before, after, at, event_id=event_id)

    async def backfill(self, row: Subscription, standing: Standing, *, running_arr: int) -> None:
        """Rows for a subscription stored before the history began: it started at the row's creation in
        `standing`, and, when it has ended, churned at its end, having brought `running_arr` (its run rate
        while `active`) until then. Priced at what Stripe holds when read."""
        ended = standing.status in FINAL
        started = Standing(
            running_arr if ended else standing.arr, "active" if ended else standing.status, standing.tier, False
        )
        await self.record(row, None, started, row.created_at, backfilled=True)
        if row.ended_at is not None and standing.status in FINAL:
            await self.record(row, started, standing, row.ended_at, backfilled=True)


def standing_of(change: SubscriptionChange) -> Standing:
    """The standing a change left its subscription in."""
    return Standing(change.arr_after, change.status, change.tier, change.cancel_at_period_end)
