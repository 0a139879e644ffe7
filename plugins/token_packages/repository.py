"""Queries on orders, payments and refunds, always within one tenant (`TenantRepository.select()`).

Writers lock the order row first (`for_update`), then its payments and refunds, then the ledger
account: one order of locks everywhere, so a refund request and a webhook about the same order queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import literal, select, tuple_

from core.db import TenantRepository, scoped
from plugins.token_packages.models import Order, Payment, Refund


def parse_id(value: str | None) -> UUID | None:
    """Our row id from a path or Stripe metadata; None when it is not one."""
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


class OrderRepository(TenantRepository[Order]):
    model_type = Order

    async def find(self, order_id: UUID, *, customer: str | None = None, for_update: bool = False) -> Order | None:
        statement = self.select().where(Order.id == order_id)
        if customer is not None:
            statement = statement.where(Order.customer == customer)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_subscription(self, subscription_id: str, *, for_update: bool = False) -> Order | None:
        statement = self.select().where(Order.subscription_id == subscription_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement.limit(1))).scalar_one_or_none()

    async def page(self, customer: str, before: UUID | None, limit: int, status: str | None) -> Sequence[Order]:
        """The customer's orders, newest first, after the order `before` (the cursor).

        By creation time, not id: an order made under an Idempotency-Key has an id derived from the
        key (the same on a retry, so Stripe sees the same request), not a time-ordered UUIDv7.
        """
        statement = self.select().where(Order.customer == customer)
        if before is not None:
            anchor = scoped(select(Order.created_at), Order, self.tenant_id).where(Order.id == before).scalar_subquery()
            position = tuple_(anchor, literal(before, Order.id.type))
            statement = statement.where(tuple_(Order.created_at, Order.id) < position)
        if status is not None:
            statement = statement.where(Order.status == status)
        newest_first = statement.order_by(Order.created_at.desc(), Order.id.desc())
        return (await self.session.execute(newest_first.limit(limit))).scalars().all()


class PaymentRepository(TenantRepository[Payment]):
    model_type = Payment

    async def for_orders(self, order_ids: Sequence[UUID]) -> Sequence[Payment]:
        if not order_ids:
            return []
        statement = self.select().where(Payment.order_id.in_(order_ids)).order_by(Payment.paid_at, Payment.id)
        return (await self.session.execute(statement)).scalars().all()

    async def by_grant_ref(self, grant_ref: str) -> Payment | None:
        statement = self.select().where(Payment.grant_ref == grant_ref)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_intent(self, payment_intent_id: str) -> Payment | None:
        statement = self.select().where(Payment.payment_intent_id == payment_intent_id)
        return (await self.session.execute(statement)).scalar_one_or_none()


class RefundRepository(TenantRepository[Refund]):
    model_type = Refund

    async def find(self, refund_id: UUID, *, for_update: bool = False) -> Refund | None:
        statement = self.select().where(Refund.id == refund_id)
        if for_update:
            statement = statement.with_for_update()
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def for_orders(self, order_ids: Sequence[UUID]) -> Sequence[Refund]:
        if not order_ids:
            return []
        statement = self.select().where(Refund.order_id.in_(order_ids)).order_by(Refund.id)
        return (await self.session.execute(statement)).scalars().all()

    async def for_payment(self, payment_id: UUID) -> Sequence[Refund]:
        statement = self.select().where(Refund.payment_id == payment_id).order_by(Refund.id)
        return (await self.session.execute(statement)).scalars().all()

    async def by_key(self, order_id: UUID, key: str) -> Refund | None:
        statement = self.select().where(Refund.order_id == order_id, Refund.idempotency_key == key)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_stripe_id(self, stripe_refund_id: str) -> Refund | None:
        statement = self.select().where(Refund.stripe_refund_id == stripe_refund_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def stale_pending(self, before: dt.datetime, limit: int) -> Sequence[UUID]:
        """API refunds still pending since before `before`: their request died between our row and Stripe's answer."""
        statement = (
            self.select()
            .where(Refund.status == "pending", Refund.source == "api", Refund.created_at < before)
            .order_by(Refund.created_at)
            .limit(limit)
        )
        return [row.id for row in (await self.session.execute(statement)).scalars().all()]
