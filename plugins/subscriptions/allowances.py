"""Granting a plan's credits: once per paid period, month by month on yearly plans, monthly on the free tier,
and on a plan change within a period (see docs/subscriptions.md for the rules).

Every allowance is a ledger grant that expires when its period ends, unique on (source, source_ref):
an invoice's id, `<subscription>:<yyyy-mm>` for a yearly plan's month, `<customer>:<yyyy-mm>` for the
free tier, `<subscription>:<window start>:<tier>` for a change. A replay never grants twice.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import uuid7

from core import clock
from core.ledger.services import Ledger
from plugins.subscriptions import schemas
from plugins.subscriptions.config import Tier, config_of
from plugins.subscriptions.models import FINAL, Subscription
from plugins.subscriptions.periods import Window, calendar_month, month_slice
from plugins.subscriptions.plans import Plan, monthly_of
from plugins.subscriptions.repository import AllowanceRepository
from tenants.registry import Tenant

SOURCE_INVOICE = "stripe.invoice"
SOURCE_MONTH = "subscriptions.month"
SOURCE_FREE = "subscriptions.free"
SOURCE_CHANGE = "subscriptions.change"


def free_ref(customer: str, at: dt.datetime) -> str:
    """The grant ref of the customer's free allowance for the UTC calendar month of `at` (`calendar_month`'s)."""
    return f"{customer}:{at.astimezone(dt.UTC):%Y-%m}"


class Allowances:
    """One tenant's plan credits, granted through the ledger inside the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.ledger = Ledger(session, tenant)
        self.repo = AllowanceRepository(session=session, tenant_id=tenant.slug)

    # ------------------------------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------------------------------

    def monthly_credits(self, row: Subscription | None, tier: Tier) -> int | None:
        """Credits a month of `tier` gives (None: unlimited); a synced price's `credit_amount` wins."""
        if row is None:
            return tier.monthly_limit
        return self.monthly_of(tier, row.interval, row.period_credits)

    monthly_of = staticmethod(monthly_of)

    def period_grant(self, tier: Tier, interval: str, period_credits: int | None) -> int | None:
        """Credits the first grant of a paid period gives: the period's allowance, or its first month's on a
        yearly plan granted month by month (None: unlimited)."""
        if tier.unlimited:
            return None
        if interval == "year" and self.config.yearly_allowance == "monthly":
            return self.monthly_of(tier, interval, period_credits)
        months = 12 if interval == "year" else 1
        return period_credits if period_credits is not None else tier.credits_per_month * months

    def months_per_grant(self, row: Subscription) -> int:
        """How many months one allowance covers: twelve on a yearly plan granted up front, else one."""
        return 12 if row.interval == "year" and self.config.yearly_allowance == "upfront" else 1

    def window_of(self, row: Subscription, at: dt.datetime) -> Window:
        """The allowance period of `row` holding `at`: its billing period, or that period's month (yearly plans)."""
        period = Window(row.current_period_start, row.current_period_end)
        if row.interval == "year" and self.config.yearly_allowance == "monthly":
            return month_slice(period, at) or period
        return period

    # ------------------------------------------------------------------------------------------
    # Grants
    # ------------------------------------------------------------------------------------------

    async def for_invoice(
        self,
        row: Subscription,
        tier: Tier,
        invoice_id: str,
        period: Window,
        *,
        interval: str,
        period_credits: int | None,
    ) -> None:
        """A paid invoice for `period` of `tier`: the period's allowance (a yearly plan: its current month's).

        `period_credits`: the paid price's `credit_amount` metadata, which replaces the tier's credits.
        """
        if row.paid_period_end is None or period.end >= row.paid_period_end:
            row.paid_period_start, row.paid_period_end = period.start, period.end
        if interval == "year" and self.config.yearly_allowance == "monthly":
            await self.yearly_month(row, clock.now())
            return
        amount = self.period_grant(tier, interval, period_credits)
        if amount is None:
            return
        await self._grant(
            row.customer, tier, amount, kind="period", source=SOURCE_INVOICE, ref=invoice_id, window=period, row=row
        )

    async def yearly_month(self, row: Subscription, now: dt.datetime) -> None:
        """Grant the month of the paid yearly period that holds `now` (or its first), and schedule the next."""
        tier = self.config.tier(row.tier)
        if row.status in FINAL or tier is None or row.paid_period_start is None or row.paid_period_end is None:
            row.next_allowance_at = None
            return
        paid = Window(row.paid_period_start, row.paid_period_end)
        month = month_slice(paid, max(now, paid.start))
        if month is None:
            row.next_allowance_at = None
            return
        ref = f"{row.stripe_subscription_id}:{month.start:%Y-%m}"
        amount = self.monthly_credits(row, tier) or 0
        await self._grant(
            row.customer, tier, amount, kind="period", source=SOURCE_MONTH, ref=ref, window=month, row=row
        )
        row.next_allowance_at = month.end if month.end < paid.end else None
        await self.session.flush()

    async def free(self, customer: str, now: dt.datetime) -> None:
        """The default tier's allowance for the calendar month of `now` (the caller checked no plan is held)."""
        tier = self.config.default
        amount = self.monthly_credits(None, tier) or 0
        ref = free_ref(customer, now)
        await self._grant(customer, tier, amount, kind="free", source=SOURCE_FREE, ref=ref, window=calendar_month(now))

    async def for_change(
        self, row: Subscription, new: Tier, old_monthly: int | None, new_monthly: int | None, at: dt.datetime
    ) -> None:
        """Credits for a plan change at `at` within the current allowance period (see `change_credits`)."""
        found = self.change_credits(row, new, old_monthly, new_monthly, at)
        if found is not None:
            amount, window, ref = found
            await self._grant(
                row.customer, new, amount, kind="change", source=SOURCE_CHANGE, ref=ref, window=window, row=row
            )

    def change_credits(
        self, row: Subscription, new: Tier, old_monthly: int | None, new_monthly: int | None, at: dt.datetime
    ) -> tuple[int, Window, str] | None:
        """(credits, allowance period, grant ref) a plan change at `at` earns (monthly credits; None: unlimited).

        Up to a bigger allowance: the difference, prorated over what is left of the period. Down from
        an unlimited tier: the new tier's allowance, prorated the same way. Any other change earns
        nothing (what was granted stays until it expires; the next period grants the new amount).
        Reads only (the plan change preview asks it too); `_grant` skips a ref already granted.
        """
        if new_monthly is None or new.id == self.config.default_tier:
            return None
        if old_monthly is not None and new_monthly <= old_monthly:
            return None
        gap = (new_monthly - (old_monthly or 0)) * self.months_per_grant(row)
        window = self.window_of(row, at)
        ref = f"{row.stripe_subscription_id}:{int(window.start.timestamp())}:{new.id}"
        return window.remaining_share(at, gap), window, ref

    async def _grant(
        self,
        customer: str,
        tier: Tier,
        amount: int,
        *,
        kind: str,
        source: str,
        ref: str,
        window: Window,
        row: Subscription | None = None,
    ) -> None:
        if amount <= 0 or await self.repo.granted(source, ref):
            return
        subscription = row.stripe_subscription_id if row is not None else None
        grant = await self.ledger.grant(
            customer,
            amount,
            source=source,
            source_ref=ref,
            expires_at=window.end,
            reason=f"{tier.name} plan ({kind})",
            metadata={"tier": tier.id, "kind": kind, **({"subscription": subscription} if subscription else {})},
        )
        now = clock.now()
        await self.repo.record(
            {
                "id": UUID(str(uuid7())),
                "customer": customer,
                "subscription": subscription,
                "kind": kind,
                "tier": tier.id,
                "credits": amount,
                "source": source,
                "source_ref": ref,
                "period_start": window.start,
                "period_end": window.end,
                "grant_id": grant.id,
                "created_at": now,
                "updated_at": now,
            }
        )

    # ------------------------------------------------------------------------------------------
    # Usage
    # ------------------------------------------------------------------------------------------

    async def usage(self, plan: Plan, now: dt.datetime) -> schemas.Usage:
        row = plan.subscription
        window = self.window_of(row, now) if row is not None else calendar_month(now)
        if plan.effective.unlimited:
            used = await self.repo.usage_since(plan.customer, window.start)
            return schemas.Usage(
                plan.customer, plan.effective.id, True, window.start, window.end, None, used, None, None
            )
        allowance = used = remaining = 0
        for granted in await self.repo.live(plan.customer, now, row.stripe_subscription_id if row else None):
            grant = await self.ledger.grant_of(granted.source, granted.source_ref)
            allowance += granted.credits
            if grant is not None:
                used += grant.consumed
                remaining += max(0, grant.remaining - grant.reserved)
        percentage = used * 100 // allowance if allowance else None
        return schemas.Usage(
            plan.customer, plan.effective.id, False, window.start, window.end, allowance, used, remaining, percentage
        )
