"""Disputes (chargebacks) of token package payments: the disputed share of credits is held back when one
opens, then given back when it is won or clawed back when it is lost."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core import audit_trail
from core.ledger.services import Ledger
from plugins.token_packages.clawbacks import Returned
from plugins.token_packages.config import PLUGIN, config_of
from plugins.token_packages.models import Order, Payment
from plugins.token_packages.orders import OrderService
from plugins.token_packages.payments import GRANT_SOURCE
from plugins.token_packages.repository import PaymentRepository, RefundRepository
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.token_packages")

DISPUTE_SOURCE = "token_packages.dispute"
CLOSED_DISPUTES = frozenset({"won", "lost"})


class DisputeService:
    """One tenant's disputes, inside the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.orders = OrderService(session, tenant)
        self.payments = PaymentRepository(session=session, tenant_id=tenant.slug)
        self.refunds = RefundRepository(session=session, tenant_id=tenant.slug)

    async def dispute_created(self, dispute: Mapping[str, Any]) -> None:
        found = await self._disputed(dispute)
        if found is not None:
            await self._hold_back(*found, dispute)

    async def dispute_closed(self, dispute: Mapping[str, Any]) -> None:
        """Won: the held credits come back (expiring when the order's would have). Lost: the rest is clawed
        back too when the tenant allows negative balances; otherwise the shortfall is written off."""
        found = await self._disputed(dispute)
        if found is None:
            return
        order, payment = found
        await self._hold_back(order, payment, dispute)
        status = str(dispute.get("status"))
        if payment.dispute_status in CLOSED_DISPUTES or status not in CLOSED_DISPUTES:
            return
        before = {"status": payment.dispute_status, "credits_held": payment.dispute_credits_held}
        ledger = Ledger(self.session, self.tenant)
        if status == "won" and payment.dispute_credits_held > 0:
            await ledger.grant(
                order.customer,
                payment.dispute_credits_held,
                source=DISPUTE_SOURCE,
                source_ref=str(dispute["id"]),
                expires_at=payment.credits_expire_at,
                priority=self.config.priority,
                reason=f"dispute won on order {order.id}",
                metadata={"order": str(order.id), "dispute": str(dispute["id"])},
            )
            payment.dispute_credits_restored = payment.dispute_credits_held
        rest = payment.dispute_credits - payment.dispute_credits_held
        if status == "lost" and rest > 0 and self.config.refund_policy == "allow_negative":
            clawed = await ledger.clawback(
                source=GRANT_SOURCE,
                source_ref=payment.grant_ref,
                amount=rest,
                policy="allow_negative",
                reason=f"dispute lost on order {order.id}",
                idempotency_key=f"{PLUGIN}:dispute:{dispute['id']}:lost",
            )
            payment.dispute_credits_clawed_back = clawed.clawed_back
        payment.dispute_status = status
        await self.session.flush()
        await self.orders.refresh_status(order)
        after = {
            "status": status,
            "credits_restored": payment.dispute_credits_restored,
            "credits_clawed_back": payment.dispute_credits_clawed_back,
        }
        await self._audit(order, payment, "close", before=before, after=after)

    async def _disputed(self, dispute: Mapping[str, Any]) -> tuple[Order, Payment] | None:
        payment = await self.payments.by_intent(str(dispute.get("payment_intent") or ""))
        if payment is None:
            return None
        order = await self.orders.order(str(payment.order_id), for_update=True)
        await self.session.refresh(payment)
        if payment.dispute_id not in (None, dispute["id"]):
            logger.error("payment %s has dispute %s; ignoring %s", payment.id, payment.dispute_id, dispute["id"])
            return None
        return order, payment

    async def _hold_back(self, order: Order, payment: Payment, dispute: Mapping[str, Any]) -> None:
        """Take back what the disputed amount bought (down to zero, never into debt: the dispute may be won)."""
        if payment.dispute_id is not None:
            return
        returned = Returned.of(await self.refunds.for_payment(payment.id))
        owed = returned.owed_for(payment, int(dispute.get("amount") or 0))
        payment.dispute_id = str(dispute["id"])
        payment.dispute_status = "needs_response"
        payment.dispute_amount = int(dispute.get("amount") or 0)
        payment.dispute_credits = owed
        if owed > 0:
            clawed = await Ledger(self.session, self.tenant).clawback(
                source=GRANT_SOURCE,
                source_ref=payment.grant_ref,
                amount=owed,
                policy="down_to_zero",
                reason=f"dispute opened on order {order.id}",
                idempotency_key=f"{PLUGIN}:dispute:{dispute['id']}",
            )
            payment.dispute_credits_held = clawed.clawed_back
        await self.session.flush()
        after = {"amount": payment.dispute_amount, "credits": owed, "credits_held": payment.dispute_credits_held}
        await self._audit(order, payment, "open", after=after)

    async def _audit(
        self,
        order: Order,
        payment: Payment,
        outcome: str,
        *,
        before: Mapping[str, object] | None = None,
        after: Mapping[str, object],
    ) -> None:
        """One audit record per outcome of a dispute (opened, closed), written by the inbox's task.

        A replayed or repeated event finds the outcome applied and records nothing.
        """
        ids = {"dispute": payment.dispute_id, "payment": str(payment.id), "currency": payment.currency}
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            f"token_packages.dispute.{outcome}",
            f"order:{order.id}",
            before=dict(before) if before is not None else None,
            after={**ids, **after},
        )
