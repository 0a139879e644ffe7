"""Token packages' part of the money audit: every paid Checkout Session, recurring invoice and saved-card
PaymentIntent of an order has its payment and one grant of the order's credits (the package's, as configured);
every refund of a payment was settled and clawed back; every dispute held its credits back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.inbox.dispatch import metadata_owner
from core.money_audit.findings import (
    AMOUNT_MISMATCH,
    CREDITS_MISMATCH,
    DISPUTE_NOT_HELD,
    PAID_NOT_GRANTED,
    REFUND_NOT_CLAWED_BACK,
    AuditAnswer,
    Finding,
    StripeObjects,
    grants_by_ref,
    id_of,
    money,
)
from plugins.token_packages.config import PLUGIN
from plugins.token_packages.disputes import DISPUTE_SOURCE
from plugins.token_packages.models import SUCCEEDED, Order, Payment, Refund
from plugins.token_packages.payments import GRANT_SOURCE
from plugins.token_packages.repository import parse_id
from tenants.registry import Tenant

SESSION_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


class _Audit:
    def __init__(self, tenant: Tenant, session: AsyncSession) -> None:
        self.tenant = tenant
        self.session = session
        self.answer = AuditAnswer(grant_sources={GRANT_SOURCE, DISPUTE_SOURCE})

    async def _rows(self, model: Any, *conditions: Any) -> list[Any]:
        statement = scoped(select(model), model, self.tenant.slug).where(*conditions)
        return list((await self.session.execute(statement)).scalars())

    async def run(self, objects: StripeObjects) -> AuditAnswer:
        sessions = [s for s in objects.checkout_sessions if metadata_owner(s) == PLUGIN]
        invoices = [i for i in objects.invoices if metadata_owner(i) == PLUGIN]
        intents = [i for i in objects.payment_intents if metadata_owner(i) == PLUGIN]
        order_ids = {parse_id((s.get("metadata") or {}).get("tollgate_order")) for s in [*sessions, *intents]}
        order_ids |= {parse_id(_details(i).get("metadata", {}).get("tollgate_order")) for i in invoices}
        orders = {o.id: o for o in await self._rows(Order, Order.id.in_([i for i in order_ids if i]))}
        taken = [*objects.refunds, *objects.disputes]
        refunded = sorted({str(t.get("payment_intent") or "") for t in taken})
        payments = await self._rows(Payment, Payment.order_id.in_(list(orders)))
        payments += await self._rows(Payment, Payment.payment_intent_id.in_(refunded))
        self.by_ref = {p.grant_ref: p for p in payments}
        self.by_intent = {p.payment_intent_id: p for p in payments if p.payment_intent_id}
        self.grants = await grants_by_ref(self.session, self.tenant, GRANT_SOURCE, self.by_ref)
        for checkout in sessions:
            self.answer.explain(checkout["id"], id_of(checkout.get("payment_intent")))
            order = orders.get(parse_id((checkout.get("metadata") or {}).get("tollgate_order")))  # type: ignore[arg-type]
            if checkout.get("mode") == "payment":
                self._payment(order, str(checkout["id"]), str(order.id) if order else None, checkout, SESSION_EVENTS)
        for invoice in invoices:
            self.answer.explain(invoice["id"])
            order = orders.get(parse_id(_details(invoice).get("metadata", {}).get("tollgate_order")))  # type: ignore[arg-type]
            ref = f"{order.id}:{invoice['id']}" if order else None
            self._payment(order, str(invoice["id"]), ref, invoice, ("invoice.paid",))
        for intent in intents:
            # A Checkout pack's PaymentIntent carries the order's metadata too: its session is checked above.
            # A pack paid with a saved card had no session: its PaymentIntent is the payment.
            self.answer.explain(intent["id"])
            order = orders.get(parse_id((intent.get("metadata") or {}).get("tollgate_order")))  # type: ignore[arg-type]
            if order is not None and order.checkout_session_id is None:
                self._payment(order, str(intent["id"]), str(order.id), intent, ("payment_intent.succeeded",))
        await self._refunds(objects.refunds)
        self._disputes(objects.disputes)
        return self.answer

    def _payment(
        self, order: Order | None, object_id: str, ref: str | None, paid: Mapping[str, Any], events: tuple[str, ...]
    ) -> None:
        """One paid session or invoice: its payment at Stripe's amount, and the grant of the order's credits."""
        # A session's `amount_total`, an invoice's `amount_paid`, a PaymentIntent's `amount_received`.
        amount = next((paid[k] for k in ("amount_total", "amount_paid", "amount_received") if k in paid), None)
        received = money(amount, paid.get("currency"))
        if order is None or ref is None:
            self.answer.findings.append(
                Finding(
                    PAID_NOT_GRANTED,
                    object_id,
                    "Paid in Stripe, but no token package order is on record.",
                    found=received,
                )
            )
            return
        payment, grant = self.by_ref.get(ref), self.grants.get(ref)
        if payment is None or grant is None:
            self.answer.findings.append(
                Finding(
                    PAID_NOT_GRANTED,
                    object_id,
                    f"Paid in Stripe, but order {order.id} has no {'payment' if payment is None else 'grant'} for it.",
                    customer=order.customer,
                    expected=f"{order.credits} credits",
                    found="no grant",
                    repair_events=events,
                    event_object=object_id,
                )
            )
            return
        self.answer.explained_grants.add((GRANT_SOURCE, ref))
        if money(payment.amount, payment.currency) != received:
            self.answer.findings.append(
                Finding(
                    AMOUNT_MISMATCH,
                    object_id,
                    "Stripe received another amount than the payment recorded.",
                    customer=order.customer,
                    expected=received,
                    found=money(payment.amount, payment.currency),
                )
            )
        # The order keeps the terms it was sold under (credits, bonus included; price less promotion):
        # the tenant's configuration at the time, whatever the package says today.
        sold_for = money(order.amount - order.amount_discount, order.currency)
        if order.interval is None and sold_for != received:
            self.answer.findings.append(
                Finding(
                    AMOUNT_MISMATCH,
                    object_id,
                    f"Stripe received another amount than order {order.id} was sold for.",
                    customer=order.customer,
                    expected=sold_for,
                    found=received,
                )
            )
        if grant.amount != payment.credits or payment.credits != order.credits:
            self.answer.findings.append(
                Finding(
                    CREDITS_MISMATCH,
                    object_id,
                    f"The grant, the payment and order {order.id}'s terms (package {order.package}) disagree on its "
                    "credits.",
                    customer=order.customer,
                    expected=f"{order.credits} credits",
                    found=f"{grant.amount} granted, {payment.credits} recorded",
                )
            )

    async def _refunds(self, refunds: list[Any] | Any) -> None:
        """Each refund of one of our payments is a succeeded refund row (its credits clawed back)."""
        ids = [str(r["id"]) for r in refunds if str(r.get("payment_intent") or "") in self.by_intent]
        rows = {r.stripe_refund_id: r for r in await self._rows(Refund, Refund.stripe_refund_id.in_(ids))}
        for refund in refunds:
            payment = self.by_intent.get(str(refund.get("payment_intent") or ""))
            if payment is None:
                continue
            self.answer.explain(refund["id"])
            row = rows.get(str(refund["id"]))
            if row is None or row.status != SUCCEEDED:
                self.answer.findings.append(
                    Finding(
                        REFUND_NOT_CLAWED_BACK,
                        str(refund["id"]),
                        "Refunded in Stripe, but the refund was never settled: its credits were not clawed back.",
                        customer=payment.customer,
                        expected=money(refund.get("amount"), refund.get("currency")),
                        found="no clawback" if row is None else f"refund {row.status}",
                        repair_events=("charge.refunded",),
                        event_object=id_of(refund.get("charge")),
                    )
                )

    def _disputes(self, disputes: list[Any] | Any) -> None:
        """Each dispute of one of our payments held its credits back."""
        for dispute in disputes:
            payment = self.by_intent.get(str(dispute.get("payment_intent") or ""))
            if payment is None:
                continue
            self.answer.explain(dispute["id"])
            if payment.dispute_id == str(dispute["id"]):
                if payment.dispute_credits_restored:
                    self.answer.explained_grants.add((DISPUTE_SOURCE, str(dispute["id"])))
                continue
            self.answer.findings.append(
                Finding(
                    DISPUTE_NOT_HELD,
                    str(dispute["id"]),
                    "Disputed in Stripe, but the payment's credits were not held back.",
                    customer=payment.customer,
                    expected=money(dispute.get("amount"), dispute.get("currency")),
                    found="no hold",
                    repair_events=("charge.dispute.created",),
                    event_object=str(dispute["id"]),
                )
            )


def _details(invoice: Mapping[str, Any]) -> Mapping[str, Any]:
    return (invoice.get("parent") or {}).get("subscription_details") or {}


async def audit(tenant: Tenant, session: AsyncSession, objects: StripeObjects) -> AuditAnswer:
    return await _Audit(tenant, session).run(objects)
