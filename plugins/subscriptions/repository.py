"""Queries of the subscriptions plugin, each within one tenant (TenantRepository / `scoped`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, exists, func, not_, select

from core.customers.models import Customer
from core.db import TenantRepository, insert_for, scoped
from core.ledger.models import CreditAccount, LedgerEntry
from plugins.subscriptions.models import (
    FINAL,
    HOLDING,
    Allowance,
    Subscription,
    SubscriptionChange,
    SubscriptionCheckout,
)


class SubscriptionRepository(TenantRepository[Subscription]):
    model_type = Subscription

    async def by_stripe_id(self, stripe_id: str, *, for_update: bool = False) -> Subscription | None:
        statement = self.select().where(Subscription.stripe_subscription_id == stripe_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def holding(self, customer: str, *, for_update: bool = False) -> Subscription | None:
        """The customer's subscription that holds a plan (newest first when Stripe has several)."""
        statement = (
            self.select()
            .where(Subscription.customer == customer, Subscription.status.in_(HOLDING))
            .order_by(Subscription.created_at.desc())
            .limit(1)
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def has_any(self, customer: str) -> bool:
        statement = select(exists(self.select().where(Subscription.customer == customer)))
        return bool(await self.session.scalar(statement))

    async def not_final(self) -> list[str]:
        """Stripe ids of every subscription Stripe may still change, oldest first (reconcile's work list)."""
        statement = (
            scoped(select(Subscription.stripe_subscription_id), Subscription, self.tenant_id)
            .where(Subscription.status.not_in(FINAL))
            .order_by(Subscription.created_at)
        )
        return list((await self.session.scalars(statement)).all())

    async def without_history(self) -> list[str]:
        """Stripe ids of every subscription with no `subscription_changes` row yet, oldest first."""
        history = scoped(select(SubscriptionChange.id), SubscriptionChange, self.tenant_id).where(
            SubscriptionChange.subscription == Subscription.stripe_subscription_id
        )
        statement = (
            scoped(select(Subscription.stripe_subscription_id), Subscription, self.tenant_id)
            .where(not_(exists(history)))
            .order_by(Subscription.created_at)
        )
        return list((await self.session.scalars(statement)).all())

    async def allowance_due(self, now: dt.datetime, limit: int) -> list[str]:
        """Stripe ids of subscriptions whose next monthly allowance is due, locked (others' rows skipped)."""
        statement = (
            scoped(select(Subscription.stripe_subscription_id), Subscription, self.tenant_id)
            .where(Subscription.next_allowance_at <= now)
            .order_by(Subscription.next_allowance_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.scalars(statement)).all())


class CheckoutRepository(TenantRepository[SubscriptionCheckout]):
    model_type = SubscriptionCheckout

    async def by_session(self, session_id: str, *, for_update: bool = False) -> SubscriptionCheckout | None:
        statement = self.select().where(SubscriptionCheckout.stripe_session_id == session_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_subscription(self, subscription_id: str, *, for_update: bool = False) -> SubscriptionCheckout | None:
        """The checkout that started a subscription paid in the app (Checkout Sessions have a session id)."""
        statement = self.select().where(
            SubscriptionCheckout.stripe_subscription_id == subscription_id,
            SubscriptionCheckout.stripe_session_id.is_(None),
        )
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def awaiting_payment(self, customer: str) -> tuple[SubscriptionCheckout, Subscription] | None:
        """The customer's newest subscription started in the app whose first payment is still due."""
        statement = (
            self.select()
            .add_columns(Subscription)
            .join(
                Subscription,
                and_(
                    Subscription.tenant_id == SubscriptionCheckout.tenant_id,
                    Subscription.stripe_subscription_id == SubscriptionCheckout.stripe_subscription_id,
                ),
            )
            .where(
                SubscriptionCheckout.customer == customer,
                SubscriptionCheckout.stripe_session_id.is_(None),
                Subscription.status == "incomplete",
            )
            .order_by(SubscriptionCheckout.created_at.desc())
            .limit(1)
        )
        found = (await self.session.execute(statement)).first()
        return (found[0], found[1]) if found else None

    async def started_since(self, customer: str, since: dt.datetime) -> list[dt.datetime]:
        """When each of the customer's checkouts since `since` was started, oldest first."""
        statement = (
            scoped(select(SubscriptionCheckout.created_at), SubscriptionCheckout, self.tenant_id)
            .where(SubscriptionCheckout.customer == customer, SubscriptionCheckout.created_at > since)
            .order_by(SubscriptionCheckout.created_at)
        )
        return list((await self.session.scalars(statement)).all())


class AllowanceRepository(TenantRepository[Allowance]):
    model_type = Allowance

    async def record(self, values: dict[str, object]) -> None:
        """Insert one allowance; a replay of the same (source, source_ref) changes nothing."""
        statement = (
            insert_for(self.session, Allowance)
            .values(tenant_id=self.tenant_id, **values)
            .on_conflict_do_nothing(index_elements=["tenant_id", "source", "source_ref"])
        )
        await self.session.execute(statement)

    async def granted(self, source: str, source_ref: str) -> bool:
        statement = select(exists(self.select().where(Allowance.source == source, Allowance.source_ref == source_ref)))
        return bool(await self.session.scalar(statement))

    async def live(self, customer: str, at: dt.datetime, subscription: str | None) -> Sequence[Allowance]:
        """The customer's allowances covering `at`: of one subscription, or (None) the free tier's."""
        statement = self.select().where(
            Allowance.customer == customer,
            Allowance.period_start <= at,
            Allowance.period_end > at,
            Allowance.subscription == subscription if subscription else Allowance.kind == "free",
        )
        return (await self.session.scalars(statement.order_by(Allowance.period_start))).all()

    async def customers_without_free(self, month_start: dt.datetime, limit: int) -> list[str]:
        """Customers holding no plan and not yet given the free allowance of the month starting `month_start`."""
        granted = scoped(select(Allowance.id), Allowance, self.tenant_id).where(
            Allowance.customer == Customer.external_id,
            Allowance.kind == "free",
            Allowance.period_start == month_start,
        )
        holding = scoped(select(Subscription.id), Subscription, self.tenant_id).where(
            Subscription.customer == Customer.external_id, Subscription.status.in_(HOLDING)
        )
        statement = (
            scoped(select(Customer.external_id), Customer, self.tenant_id)
            .where(not_(exists(granted)), not_(exists(holding)))
            .order_by(Customer.created_at)
            .limit(limit)
        )
        return list((await self.session.scalars(statement)).all())

    async def usage_since(self, customer: str, since: dt.datetime) -> int:
        """Credits the customer used (spends and captured holds, as asked) since `since`; unlimited plans too."""
        statement = scoped(
            select(func.coalesce(func.sum(LedgerEntry.requested), 0)).join(
                CreditAccount,
                and_(CreditAccount.id == LedgerEntry.account_id, CreditAccount.tenant_id == LedgerEntry.tenant_id),
            ),
            LedgerEntry,
            self.tenant_id,
        ).where(
            CreditAccount.customer == customer,
            LedgerEntry.kind.in_(("spend", "capture")),
            LedgerEntry.created_at >= since,
        )
        return int(await self.session.scalar(statement) or 0)
