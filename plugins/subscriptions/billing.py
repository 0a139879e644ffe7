"""The customer's billing history of subscriptions: every invoice of our subscriptions as its last event left it,
the payment that paid it (with the charge's receipt), and the refunds and disputes of that payment.

Stripe's events keep it current (invoice.created/finalized/paid/payment_failed/voided/marked_uncollectible,
charge.refunded, charge.dispute.*); the reconcile backfills what an event missed. A refund or a lost dispute is
money only: the subscriptions plugin has no clawback policy, so the period's credits stay granted
(docs/billing-history.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import stripe
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils import uuid7

from core import clock
from core.db import insert_for, scoped
from plugins.subscriptions.models import Subscription, SubscriptionInvoice, SubscriptionReversal
from plugins.subscriptions.periods import from_timestamp
from plugins.subscriptions.stripe_shapes import id_of, plan_line
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

# How far along an invoice is: an older event never moves it back (uncollectible may still be paid).
STATUS_RANK = {"draft": 0, "open": 1, "uncollectible": 2, "paid": 3, "void": 3}
CLOSED_DISPUTES = ("won", "lost")


def _invoice_fields(invoice: Mapping[str, Any], row: Subscription) -> dict[str, Any]:
    """The columns an invoice's current state sets (Stripe's `created` stands in for a draft's times)."""
    invoiced_at = from_timestamp(invoice.get("created")) or clock.now()
    transitions = invoice.get("status_transitions") or {}
    line = plan_line(invoice)
    return {
        "number": invoice.get("number"),
        "status": str(invoice.get("status") or "draft"),
        "amount_due": int(invoice.get("amount_due") or 0),
        "amount_paid": int(invoice.get("amount_paid") or 0),
        "amount_remaining": int(invoice.get("amount_remaining") or 0),
        "currency": str(invoice.get("currency") or row.currency),
        "period_start": line[1].start if line else from_timestamp(invoice.get("period_start")),
        "period_end": line[1].end if line else from_timestamp(invoice.get("period_end")),
        "hosted_invoice_url": invoice.get("hosted_invoice_url"),
        "invoice_pdf": invoice.get("invoice_pdf"),
        "invoiced_at": invoiced_at,
        "paid_at": (from_timestamp(transitions.get("paid_at")) or clock.now())
        if invoice.get("status") == "paid"
        else None,
    }


class Billing:
    """One tenant's subscription invoices, their payments, refunds and disputes, in the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant

    async def _invoice_row(self, stripe_invoice_id: str) -> SubscriptionInvoice | None:
        statement = scoped(
            select(SubscriptionInvoice).where(SubscriptionInvoice.stripe_invoice_id == stripe_invoice_id),
            SubscriptionInvoice,
            self.tenant.slug,
        ).with_for_update()
        return (await self.session.scalars(statement)).first()

    async def invoice(self, row: Subscription, invoice: Mapping[str, Any]) -> SubscriptionInvoice:
        """Store the invoice of `row`'s subscription as Stripe sent it, unless the row is further along already."""
        fields = _invoice_fields(invoice, row)
        now = clock.now()
        await self.session.execute(
            insert_for(self.session, SubscriptionInvoice)
            .values(
                id=UUID(str(uuid7())),
                tenant_id=self.tenant.slug,
                customer_id=row.customer_id,
                subscription=row.stripe_subscription_id,
                stripe_invoice_id=str(invoice["id"]),
                created_at=now,
                updated_at=now,
                **fields,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "stripe_invoice_id"])
        )
        stored = await self._invoice_row(str(invoice["id"]))
        assert stored is not None
        if STATUS_RANK.get(fields["status"], 0) >= STATUS_RANK.get(stored.status, 0):
            for name, value in fields.items():
                if value is not None or name != "paid_at":
                    setattr(stored, name, value)
        return stored

    async def payment(self, stripe_invoice_id: str, client: stripe.StripeClient) -> None:
        """Learn which payment paid the invoice, and its charge's receipt (once; asks Stripe)."""
        stored = await self._invoice_row(stripe_invoice_id)
        if stored is None or stored.status != "paid" or stored.charge_id is not None or stored.amount_paid == 0:
            return
        payments = await client.v1.invoice_payments.list_async(
            {"invoice": stored.stripe_invoice_id, "status": "paid", "limit": 10}
        )
        for found in payments.data:
            paid_by = found.to_dict().get("payment") or {}
            intent_id = id_of(paid_by.get("payment_intent"))
            charge_id = id_of(paid_by.get("charge"))
            if intent_id is not None:
                intent = await client.v1.payment_intents.retrieve_async(intent_id, {"expand": ["latest_charge"]})
                charge = intent.to_dict().get("latest_charge")
                stored.payment_intent_id = intent_id
            elif charge_id is not None:
                charge = (await client.v1.charges.retrieve_async(charge_id)).to_dict()
            else:
                continue
            if isinstance(charge, Mapping):
                stored.charge_id = str(charge["id"])
                stored.receipt_url = charge.get("receipt_url")
                stored.payment_intent_id = stored.payment_intent_id or id_of(charge.get("payment_intent"))
            return

    async def paid_by(self, intent_id: str | None, charge_id: str | None) -> SubscriptionInvoice | None:
        """The invoice a payment (its PaymentIntent, or its charge) paid, when it is one of ours."""
        if intent_id is None and charge_id is None:
            return None
        column, value = (
            (SubscriptionInvoice.payment_intent_id, intent_id)
            if intent_id
            else (SubscriptionInvoice.charge_id, charge_id)
        )
        statement = scoped(select(SubscriptionInvoice).where(column == value), SubscriptionInvoice, self.tenant.slug)
        return (await self.session.scalars(statement.with_for_update())).first()

    async def refunds(self, charge: Mapping[str, Any], client: stripe.StripeClient) -> None:
        """`charge.refunded`: record every refund of the charge that paid one of our invoices (asks Stripe)."""
        stored = await self.paid_by(id_of(charge.get("payment_intent")), str(charge["id"]))
        if stored is None:
            return
        stored.charge_id = stored.charge_id or str(charge["id"])
        stored.receipt_url = stored.receipt_url or charge.get("receipt_url")
        page = await client.v1.refunds.list_async({"charge": stored.charge_id, "limit": 100})
        for refund in page.data:
            await self.reversal(stored, "refund", refund.to_dict(), closed_at=None)

    async def dispute(self, dispute: Mapping[str, Any], observed: dt.datetime) -> None:
        """`charge.dispute.*`: record the dispute of a payment of one of our invoices, closed at `observed` once
        won or lost."""
        stored = await self.paid_by(id_of(dispute.get("payment_intent")), id_of(dispute.get("charge")))
        if stored is not None:
            closed = observed if dispute.get("status") in CLOSED_DISPUTES else None
            await self.reversal(stored, "dispute", dispute, closed_at=closed)

    async def reversal(
        self, stored: SubscriptionInvoice, kind: str, found: Mapping[str, Any], *, closed_at: dt.datetime | None
    ) -> None:
        """Store one refund or dispute as Stripe holds it (its first close time is kept)."""
        now = clock.now()
        fields = {"status": str(found.get("status") or ""), "amount": int(found.get("amount") or 0)}
        statement = insert_for(self.session, SubscriptionReversal).values(
            id=UUID(str(uuid7())),
            tenant_id=self.tenant.slug,
            customer_id=stored.customer_id,
            subscription=stored.subscription,
            stripe_invoice_id=stored.stripe_invoice_id,
            charge_id=id_of(found.get("charge")) or stored.charge_id or "",
            kind=kind,
            stripe_id=str(found["id"]),
            currency=str(found.get("currency") or stored.currency),
            occurred_at=from_timestamp(found.get("created")) or now,
            closed_at=closed_at,
            receipt_url=stored.receipt_url,
            created_at=now,
            updated_at=now,
            **fields,
        )
        closed = func.coalesce(SubscriptionReversal.closed_at, statement.excluded.closed_at)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["tenant_id", "stripe_id"], set_={**fields, "closed_at": closed, "updated_at": now}
            )
        )

    async def backfill(self, row: Subscription, runtime: Kernel) -> int:
        """The reconcile's pass: store every invoice of the subscription, its payment, refunds and disputes as
        Stripe holds them now (a customer whose events were missed). Returns how many invoices it read."""
        client = await runtime.stripe.for_tenant(self.tenant)
        page = await client.v1.invoices.list_async({"subscription": row.stripe_subscription_id, "limit": 100})
        for found in page.data:
            stored = await self.invoice(row, found.to_dict())
            await self.payment(stored.stripe_invoice_id, client)
            if stored.charge_id is None:
                continue
            refunds = await client.v1.refunds.list_async({"charge": stored.charge_id, "limit": 100})
            for refund in refunds.data:
                await self.reversal(stored, "refund", refund.to_dict(), closed_at=None)
            disputes = await client.v1.disputes.list_async({"charge": stored.charge_id, "limit": 100})
            for dispute in disputes.data:
                shape = dispute.to_dict()
                closed = clock.now() if shape.get("status") in CLOSED_DISPUTES else None
                await self.reversal(stored, "dispute", shape, closed_at=closed)
        await self.session.flush()
        return len(page.data)
