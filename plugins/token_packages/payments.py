"""Payments as Stripe reports them: Checkout outcomes and recurring invoices move an order forward and
grant its credits, once per payment."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.ledger.services import Ledger
from core.notifications import notify
from core.payments.receipts import receipt_of
from plugins.token_packages.config import Expiry, config_of
from plugins.token_packages.models import EXPIRED, FAILED, PAID_STATUSES, PENDING, PROCESSING, SUCCEEDED, Order, Payment
from plugins.token_packages.orders import OrderService, is_ours, stripe_time
from plugins.token_packages.repository import OrderRepository, PaymentRepository, parse_id
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.token_packages")

GRANT_SOURCE = "token_packages.order"
# How far each status is from the start; an event moves an unpaid order only to a later rank.
_UNPAID_RANK = {PENDING: 0, PROCESSING: 1, FAILED: 2, EXPIRED: 2}


class PaymentService:
    """One tenant's order payments as Stripe's events report them, inside the caller's transaction.

    Events move an order forward, never back: `checkout.session.completed` (paid) or
    `async_payment_succeeded` → succeeded and one grant; `async_payment_failed` → failed; `expired` →
    expired; `invoice.paid` → one grant per recurring period.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.orders = OrderRepository(session=session, tenant_id=tenant.slug)
        self.payments = PaymentRepository(session=session, tenant_id=tenant.slug)

    async def checkout_completed(self, session: Mapping[str, Any], created: int, client: stripe.StripeClient) -> None:
        """The customer finished Checkout: paid → grant; an async method still settling → processing."""
        order = await self._order_for_session(session)
        if order is None:
            return
        paid = session.get("payment_status") in ("paid", "no_payment_required")
        if session.get("mode") == "subscription":
            order.subscription_id = order.subscription_id or session.get("subscription")
            await self.session.flush()
            if paid and session.get("invoice"):
                invoice = await client.v1.invoices.retrieve_async(str(session["invoice"]))
                await self._invoice_paid(order, invoice.to_dict(), created, client)
            return
        if paid:
            await self._session_paid(order, session, created, client)
        else:
            self._advance(order, PROCESSING)
            await self.session.flush()

    async def async_payment_succeeded(
        self, session: Mapping[str, Any], created: int, client: stripe.StripeClient
    ) -> None:
        order = await self._order_for_session(session)
        if order is not None:
            await self._session_paid(order, session, created, client)

    async def async_payment_failed(self, session: Mapping[str, Any], created: int) -> None:
        """A bank debit or other delayed method failed: the order failed, the tenant app hears `payment.failed`."""
        order = await self._order_for_session(session)
        if order is None or not self._advance(order, FAILED):
            return
        order.failure_code = "async_payment_failed"
        order.failure_message = "The payment method was declined after checkout."
        await self.session.flush()
        await self._payment_failed(order, str(order.id), amount=order.amount, currency=order.currency)

    async def checkout_expired(self, session: Mapping[str, Any]) -> None:
        order = await self._order_for_session(session)
        if order is not None and self._advance(order, EXPIRED):
            order.payment_url = None
            await self.session.flush()

    async def invoice_paid(self, invoice: Mapping[str, Any], created: int, client: stripe.StripeClient) -> None:
        """A recurring pack's invoice was paid (the first one or a renewal): that period's credits, once."""
        order = await self._order_for_invoice(invoice)
        if order is not None:
            await self._invoice_paid(order, invoice, created, client)

    async def invoice_payment_failed(self, invoice: Mapping[str, Any]) -> None:
        """A renewal of a recurring pack failed: the tenant app hears `payment.failed` (once per attempt)."""
        order = await self._order_for_invoice(invoice)
        if order is None:
            return
        await self._payment_failed(
            order,
            f"{invoice.get('id')}:{invoice.get('attempt_count')}",
            reason="invoice_payment_failed",
            invoice=invoice.get("id"),
            subscription=order.subscription_id,
            amount=invoice.get("amount_due"),
            currency=invoice.get("currency"),
        )

    async def _payment_failed(self, order: Order, attempt: str, *, reason: str | None = None, **details: Any) -> None:
        """`payment.failed` to the tenant app, once per failed attempt."""
        await notify(
            self.session,
            self.tenant,
            "payment.failed",
            {
                "customer": order.customer,
                "order": str(order.id),
                "package": order.package,
                "reason": reason or order.failure_code,
                **details,
            },
            dedupe_key=f"payment.failed:{attempt}",
        )

    async def payment_intent_succeeded(
        self, intent: Mapping[str, Any], created: int, client: stripe.StripeClient
    ) -> None:
        """An order paid with a saved card (no Checkout) was charged: its credits, once."""
        if not is_ours(intent):
            return
        key = parse_id(intent["metadata"].get("tollgate_order"))
        order = await self.orders.find(key, for_update=True) if key else None
        if order is None or order.checkout_session_id is not None:
            # Checkout's own PaymentIntents are settled by the session's events; a refused charge kept no order.
            return
        await self.intent_paid(order, intent, created, client)

    async def intent_paid(
        self, order: Order, intent: Mapping[str, Any], created: int, client: stripe.StripeClient
    ) -> None:
        """Record the PaymentIntent that paid the order off-session and grant its credits, once."""
        if intent.get("currency") != order.currency or int(intent.get("amount_received") or 0) != order.amount:
            logger.error("PaymentIntent %s does not pay order %s in full; not granting", intent.get("id"), order.id)
            return
        await self._paid(
            order,
            grant_ref=str(order.id),
            amount=order.amount,
            payment_intent=intent,
            paid_at=stripe_time(created) or clock.now(),
            client=client,
        )

    async def _session_paid(
        self, order: Order, session: Mapping[str, Any], created: int, client: stripe.StripeClient
    ) -> None:
        if session.get("currency") != order.currency:
            logger.error("order %s paid in %s, not %s; not granting", order.id, session.get("currency"), order.currency)
            return
        order.amount_discount = int((session.get("total_details") or {}).get("amount_discount") or 0)
        await self._paid(
            order,
            grant_ref=str(order.id),
            amount=int(session.get("amount_total") or 0),
            payment_intent=session.get("payment_intent"),
            paid_at=stripe_time(created) or clock.now(),
            client=client,
        )

    async def _invoice_paid(
        self, order: Order, invoice: Mapping[str, Any], created: int, client: stripe.StripeClient
    ) -> None:
        if invoice.get("currency") != order.currency:
            logger.error("invoice %s of order %s is in %s; not granting", invoice.get("id"), order.id, order.currency)
            return
        amount = int(invoice.get("amount_paid") or 0)
        lines = (invoice.get("lines") or {}).get("data") or [{}]
        period = lines[0].get("period") or {}
        paid_at = (
            stripe_time((invoice.get("status_transitions") or {}).get("paid_at")) or stripe_time(created) or clock.now()
        )
        intent = await self._invoice_intent(client, str(invoice["id"])) if amount else None
        await self._paid(
            order,
            grant_ref=f"{order.id}:{invoice['id']}",
            amount=amount,
            payment_intent=intent,
            paid_at=paid_at,
            client=client,
            invoice_id=str(invoice["id"]),
            period=(stripe_time(period.get("start")), stripe_time(period.get("end"))),
        )

    @staticmethod
    async def _invoice_intent(client: stripe.StripeClient, invoice_id: str) -> str | None:
        """The PaymentIntent that paid an invoice (today's invoices name it only through their payments)."""
        page = await client.v1.invoice_payments.list_async({"invoice": invoice_id, "status": "paid", "limit": 10})
        for payment in page.data:
            if payment.payment.type == "payment_intent" and payment.payment.payment_intent:
                intent = payment.payment.payment_intent
                return intent if isinstance(intent, str) else intent.id
        return None

    async def _paid(
        self,
        order: Order,
        *,
        grant_ref: str,
        amount: int,
        payment_intent: str | Mapping[str, Any] | None,
        paid_at: dt.datetime,
        client: stripe.StripeClient,
        invoice_id: str | None = None,
        period: tuple[dt.datetime | None, dt.datetime | None] = (None, None),
    ) -> None:
        """Record one payment of the order (its PaymentIntent's id or object; its charge's receipt, asking
        Stripe once) and grant its credits; a repeat finds the payment and stops."""
        if await self.payments.by_grant_ref(grant_ref) is not None:
            return
        receipt = await receipt_of(client, payment_intent)
        expires_at = Expiry(months=order.expiry_months, days=order.expiry_days).after(paid_at)
        payment = Payment(
            tenant_id=self.tenant.slug,
            order_id=order.id,
            customer=order.customer,
            grant_ref=grant_ref,
            invoice_id=invoice_id,
            payment_intent_id=str(payment_intent["id"]) if isinstance(payment_intent, Mapping) else payment_intent,
            charge_id=receipt.charge_id if receipt else None,
            receipt_url=receipt.receipt_url if receipt else None,
            amount=amount,
            currency=order.currency,
            credits=order.credits,
            credits_expire_at=expires_at,
            paid_at=paid_at,
            period_start=period[0],
            period_end=period[1],
        )
        await self.payments.add(payment)
        await Ledger(self.session, self.tenant).grant(
            order.customer,
            order.credits,
            source=GRANT_SOURCE,
            source_ref=grant_ref,
            expires_at=expires_at,
            priority=self.config.priority,
            reason=f"token package {order.package}",
            metadata={"order": str(order.id), "package": order.package},
        )
        if order.status not in PAID_STATUSES:
            order.status = SUCCEEDED
        order.paid_at = order.paid_at or paid_at
        order.payment_url = None
        order.failure_code = order.failure_message = None
        await OrderService(self.session, self.tenant).refresh_status(order)
        await notify(
            self.session,
            self.tenant,
            "order.paid",
            {
                "customer": order.customer,
                "order": str(order.id),
                "package": order.package,
                "payment": str(payment.id),
                "invoice": invoice_id,
                "amount": amount,
                "currency": order.currency,
                "credits": order.credits,
                "credits_expire_at": expires_at,
            },
            dedupe_key=f"order.paid:{grant_ref}",
        )

    def _advance(self, order: Order, status: str) -> bool:
        """Move an unpaid order to a later status; a paid order or an earlier status is left alone."""
        current = _UNPAID_RANK.get(order.status)
        if current is None or current >= _UNPAID_RANK[status]:
            return False
        order.status = status
        return True

    async def _order_for_session(self, session: Mapping[str, Any]) -> Order | None:
        """Our order for a Checkout Session, locked; None when another plugin or app made the session."""
        if not is_ours(session):
            return None
        key = parse_id(session["metadata"].get("tollgate_order") or session.get("client_reference_id"))
        order = await self.orders.find(key, for_update=True) if key else None
        if order is None or order.checkout_session_id not in (None, session.get("id")):
            logger.warning("no token package order for Checkout Session %s of %s", session.get("id"), self.tenant.slug)
            return None
        return order

    async def _order_for_invoice(self, invoice: Mapping[str, Any]) -> Order | None:
        """Our recurring order for an invoice (its subscription's metadata names it), locked."""
        parent = invoice.get("parent") or {}
        details = parent.get("subscription_details") or {}
        if not is_ours(details):
            return None
        key = parse_id(details["metadata"].get("tollgate_order"))
        order = await self.orders.find(key, for_update=True) if key else None
        if order is None and details.get("subscription"):
            order = await self.orders.by_subscription(str(details["subscription"]), for_update=True)
        if order is None:
            logger.warning("no token package order for invoice %s of %s", invoice.get("id"), self.tenant.slug)
            return None
        order.subscription_id = order.subscription_id or details.get("subscription")
        return order
