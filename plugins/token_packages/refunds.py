"""Refunds of token package payments: an API refund checked against the refund policy, refunds made in
Stripe's dashboard, each settled (its credits clawed back) once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit_trail, clock
from core.errors import BadRequest, Conflict, NotFound
from core.ledger.services import Ledger, check_idempotency_key, request_hash
from core.notifications import notify
from plugins.token_packages import schemas
from plugins.token_packages.clawbacks import Returned
from plugins.token_packages.config import PLUGIN, config_of
from plugins.token_packages.disputes import DISPUTE_SOURCE
from plugins.token_packages.models import FAILED, PAID_STATUSES, PENDING, SUCCEEDED, Order, Payment, Refund
from plugins.token_packages.orders import OrderService, refund_schema
from plugins.token_packages.payments import GRANT_SOURCE
from plugins.token_packages.repository import PaymentRepository, RefundRepository, parse_id
from tenants.registry import Tenant


@dataclass(frozen=True)
class RefundRequest:
    """What Stripe is asked for a pending refund row (read in one transaction, sent outside any)."""

    id: str
    order_id: str
    payment_intent: str
    amount: int
    reason: str | None


@dataclass(frozen=True)
class Opened:
    refund: schemas.Refund
    # Set when Stripe must still be asked (a new row, or a pending one resumed).
    send: RefundRequest | None
    created: bool


class RefundService:
    """One tenant's refunds, inside the caller's transaction.

    The credits a refund owes (`clawbacks.py`) come from the payment's own grant first; credits of it
    already spent follow the refund policy (`refuse`, `allow_negative`, `unspent_only`).
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.orders = OrderService(session, tenant)
        self.payments = PaymentRepository(session=session, tenant_id=tenant.slug)
        self.refunds = RefundRepository(session=session, tenant_id=tenant.slug)

    # ------------------------------------------------------------------------------------------
    # Refunds asked through the API
    # ------------------------------------------------------------------------------------------

    async def open(self, order_id: str, data: schemas.RefundCreate, key: str | None) -> Opened:
        """Check the refund against the order and the policy and store it `pending`, or find the one it repeats.

        Nothing is written when the refund is refused: 400 more than is left, 409 nothing paid or
        left, a dispute open, a refund in flight, or spent credits under `refuse`.
        """
        check_idempotency_key(key)
        order = await self.orders.order(order_id, for_update=True)
        fingerprint = request_hash("token_refund", data.amount, data.payment, data.policy, data.reason)
        if key is not None:
            existing = await self.refunds.by_key(order.id, key)
            if existing is not None:
                if existing.request_hash != fingerprint:
                    raise Conflict(
                        "This Idempotency-Key was already used with a different request.",
                        code="idempotency_key_reused",
                    )
                return await self._repeat(existing)
        payment = await self._payment_to_refund(order, data.payment)
        refunds = await self.refunds.for_payment(payment.id)
        in_flight = [r for r in refunds if r.status == PENDING and r.source == "api"]
        if in_flight:
            if key is None and in_flight[0].requested_amount == data.amount:
                return await self._repeat(in_flight[0])
            raise Conflict(
                "Another refund of this payment is still being made; retry it, or wait.",
                code="refund_in_progress",
                detail={"refund": str(in_flight[0].id)},
            )
        if key is None:
            repeated = self._recent_twin(refunds, data.amount)
            if repeated is not None:
                return await self._repeat(repeated)
        returned = Returned.of(refunds)
        refundable = payment.amount - returned.money
        if refundable <= 0:
            raise Conflict("Everything paid for this order was already refunded.", code="nothing_to_refund")
        amount = refundable if data.amount is None else data.amount
        if amount > refundable:
            raise BadRequest(
                f"At most {refundable} can still be refunded.",
                code="amount_exceeds_refundable",
                detail={"refundable": refundable, "requested": amount},
            )
        policy = data.policy or self.config.refund_policy
        owed = returned.owed_for(payment, amount)
        if policy != "allow_negative" and owed:
            unspent, open_credits = await self._unspent(payment)
            if min(owed, open_credits) > unspent:
                within = returned.worth(payment, unspent) if unspent else 0
                if policy == "refuse" or within <= 0:
                    raise Conflict(
                        "Credits of this order were already spent; the refund policy refuses it.",
                        code="credits_already_spent",
                        detail={
                            "policy": policy,
                            "credits_owed": owed,
                            "credits_unspent": unspent,
                            "max_amount_unspent": within,
                        },
                    )
                amount, owed = within, unspent
        row = await self._add_refund(
            order,
            payment,
            source="api",
            amount=amount,
            requested_amount=data.amount,
            policy=policy,
            credits=owed,
            reason=data.reason,
            idempotency_key=key,
            request_hash=fingerprint,
        )
        return Opened(refund_schema(row), self._request(row, payment), created=True)

    async def _repeat(self, row: Refund) -> Opened:
        """The answer to a repeated request: the first refund, resumed when it is still pending."""
        if row.status == FAILED:
            raise Conflict(
                f"Stripe refused this refund: {row.failure_message}",
                code="refund_rejected",
                detail={"refund": str(row.id), "stripe_code": row.failure_code},
            )
        send = None
        if row.status == PENDING:
            payment = await self.payments.get(row.payment_id)
            send = self._request(row, payment)
        return Opened(refund_schema(row), send, created=False)

    def _recent_twin(self, refunds: Sequence[Refund], amount: int | None) -> Refund | None:
        """A succeeded API refund of the same amount asked within the repeat window (a double submit)."""
        since = clock.now() - dt.timedelta(seconds=self.config.refund_repeat_window_seconds)
        for row in reversed(refunds):
            if row.source == "api" and row.status == SUCCEEDED and row.requested_amount == amount:
                return row if row.created_at >= since else None
        return None

    async def _payment_to_refund(self, order: Order, payment_id: str | None) -> Payment:
        if order.status not in PAID_STATUSES:
            raise Conflict(
                f"The order is {order.status}; only paid orders can be refunded.",
                code="order_not_paid",
                detail={"status": order.status},
            )
        payments = await self.payments.for_orders([order.id])
        if payment_id is not None:
            chosen = next((p for p in payments if str(p.id) == payment_id), None)
            if chosen is None:
                raise NotFound("No such payment on this order.", code="payment_not_found")
        else:
            # A recurring pack's latest period, unless the request names another.
            chosen = payments[-1]
        if chosen.payment_intent_id is None:
            raise Conflict("Nothing was charged for this payment.", code="nothing_to_refund")
        if chosen.dispute_id is not None and chosen.dispute_status != "won":
            raise Conflict(
                "The payment is disputed; the card network decides what is returned.",
                code="payment_disputed",
                detail={"dispute": chosen.dispute_id, "status": chosen.dispute_status},
            )
        return chosen

    async def _unspent(self, payment: Payment) -> tuple[int, int]:
        """(credits of the payment still unspent, credits it gave that have neither expired nor come back).

        The payment's credits are its grant's, plus the grant that gave them back after a won dispute.
        """
        ledger = Ledger(self.session, self.tenant)
        grants = [await ledger.grant_of(GRANT_SOURCE, payment.grant_ref)]
        if payment.dispute_id and payment.dispute_credits_restored:
            grants.append(await ledger.grant_of(DISPUTE_SOURCE, payment.dispute_id))
        now = clock.now()
        unspent = open_credits = 0
        for grant in filter(None, grants):
            if grant.expires_at is None or grant.expires_at > now:
                unspent += max(0, grant.remaining - grant.reserved)
            open_credits += max(0, grant.credits - grant.expired - grant.clawed_back)
        return unspent, open_credits

    @staticmethod
    def _request(row: Refund, payment: Payment) -> RefundRequest:
        assert payment.payment_intent_id is not None
        return RefundRequest(str(row.id), str(row.order_id), payment.payment_intent_id, row.amount, row.reason)

    async def pending_request(self, refund_id: str) -> RefundRequest | None:
        """What to send Stripe for a refund still pending (the resume task); None once it is settled."""
        key = parse_id(refund_id)
        row = await self.refunds.find(key) if key else None
        if row is None or row.status != PENDING:
            return None
        return self._request(row, await self.payments.get(row.payment_id))

    async def stale(self, older_than: dt.timedelta, limit: int) -> Sequence[str]:
        return [str(i) for i in await self.refunds.stale_pending(clock.now() - older_than, limit)]

    async def complete(self, refund_id: str, stripe_refund: Mapping[str, Any]) -> schemas.Refund:
        """Stripe made the refund: take the credits back and mark it succeeded (a second call changes nothing)."""
        order, row = await self._locked_refund(refund_id)
        if row.status != SUCCEEDED:
            await self._settle(order, await self.payments.get(row.payment_id), row, str(stripe_refund["id"]))
        return refund_schema(row)

    async def fail(self, refund_id: str, code: str, message: str) -> None:
        """Stripe refused the refund: nothing moved; the row says why."""
        _, row = await self._locked_refund(refund_id)
        if row.status == PENDING:
            row.status = FAILED
            row.failure_code = code[:255]
            row.failure_message = message[:1000]
            await self.session.flush()

    async def _locked_refund(self, refund_id: str) -> tuple[Order, Refund]:
        key = parse_id(refund_id)
        row = await self.refunds.find(key) if key else None
        if row is None:
            raise NotFound("No such refund.", code="refund_not_found")
        # The order's lock first, as every writer takes it, then the row as it is now.
        order = await self.orders.order(str(row.order_id), for_update=True)
        await self.session.refresh(row)
        return order, row

    async def _settle(self, order: Order, payment: Payment, row: Refund, stripe_refund_id: str) -> None:
        """Claw back the credits the refund owes and mark it succeeded; the tenant app hears `order.refunded`."""
        row.stripe_refund_id = stripe_refund_id
        if row.credits > 0:
            # Spent credits were checked against the policy before the money moved; whatever was spent
            # meanwhile comes from the customer's other credits down to zero, or becomes debt.
            clawed = await Ledger(self.session, self.tenant).clawback(
                source=GRANT_SOURCE,
                source_ref=payment.grant_ref,
                amount=row.credits,
                policy="allow_negative" if row.policy == "allow_negative" else "down_to_zero",
                reason=f"refund of order {order.id}",
                idempotency_key=f"{PLUGIN}:refund:{row.id}",
            )
            row.credits_clawed_back = clawed.clawed_back
            row.credits_from_grant = clawed.from_grant
            row.credits_from_balance = clawed.from_balance
            row.credits_as_debt = clawed.clawed_back - clawed.from_grant - clawed.from_balance
        row.status = SUCCEEDED
        row.succeeded_at = clock.now()
        row.failure_code = row.failure_message = None
        await self.session.flush()
        await self.orders.refresh_status(order)
        await notify(
            self.session,
            self.tenant,
            "order.refunded",
            {
                "customer": order.customer,
                "order": str(order.id),
                "refund": str(row.id),
                "status": order.status,
                "amount": row.amount,
                "currency": row.currency,
                "credits_clawed_back": row.credits_clawed_back,
                "source": row.source,
            },
            dedupe_key=f"order.refunded:{row.id}",
        )

    # ------------------------------------------------------------------------------------------
    # Refunds learnt from Stripe (`charge.refunded`)
    # ------------------------------------------------------------------------------------------

    async def charge_refunded(self, charge: Mapping[str, Any], client: stripe.StripeClient) -> None:
        """Count every refund of the charge once: ours are finished, others (the dashboard) recorded and clawed back.

        Refunds are matched on Stripe's refund id, or on our row id in their metadata when ours is
        still pending, so an API refund is never counted again as a dashboard one.
        """
        payment = await self.payments.by_intent(str(charge.get("payment_intent") or ""))
        if payment is None:
            return
        # A payment recorded before receipts were kept learns its charge here.
        payment.charge_id = payment.charge_id or str(charge["id"])
        payment.receipt_url = payment.receipt_url or charge.get("receipt_url")
        order = await self.orders.order(str(payment.order_id), for_update=True)
        page = await client.v1.refunds.list_async({"charge": str(charge["id"]), "limit": 100})
        for refund in reversed(page.data):
            if refund.status not in ("succeeded", "pending"):
                continue
            row = await self.refunds.by_stripe_id(refund.id)
            if row is None:
                mine = parse_id((refund.to_dict().get("metadata") or {}).get("tollgate_refund"))
                row = await self.refunds.find(mine) if mine else None
                if row is not None and row.payment_id != payment.id:
                    row = None
            if row is None:
                row = await self._outside_refund(order, payment, refund.id, int(refund.amount))
            if row.status != SUCCEEDED:
                await self._settle(order, payment, row, refund.id)
                if row.source == "stripe":
                    await self._audit_outside_refund(row)

    async def _outside_refund(self, order: Order, payment: Payment, stripe_refund_id: str, amount: int) -> Refund:
        """A refund made outside Tollgate: the money is already back, so it owes its credits whatever the policy."""
        returned = Returned.of(await self.refunds.for_payment(payment.id))
        return await self._add_refund(
            order,
            payment,
            source="stripe",
            amount=amount,
            requested_amount=amount,
            policy=self.config.refund_policy,
            credits=returned.owed_for(payment, amount),
            reason="refunded in Stripe",
            stripe_refund_id=stripe_refund_id,
        )

    async def _audit_outside_refund(self, row: Refund) -> None:
        """One audit record for a refund made in Stripe, once its credits are back (by the inbox's task).

        A refund asked through the API was audited when it was asked; a replayed event finds the row
        settled and records nothing.
        """
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            "token_packages.refund",
            f"order:{row.order_id}",
            after={
                "refund": str(row.id),
                "stripe_refund": row.stripe_refund_id,
                "amount": row.amount,
                "currency": row.currency,
                "credits_clawed_back": row.credits_clawed_back,
                "source": row.source,
            },
        )

    async def _add_refund(self, order: Order, payment: Payment, **fields: Any) -> Refund:
        """A new `pending` refund row of the payment."""
        row = Refund(
            tenant_id=self.tenant.slug,
            order_id=order.id,
            payment_id=payment.id,
            customer=order.customer,
            currency=payment.currency,
            status=PENDING,
            created_at=clock.now(),
            **fields,
        )
        await self.refunds.add(row)
        return row
