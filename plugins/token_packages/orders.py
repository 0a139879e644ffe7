"""Orders: a pack ordered with its Checkout Session, and an order as the API shows it (payments, refunds)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.cursors import uuid_position
from core.customers.models import Customer
from core.customers.services import CustomerService
from core.errors import BadRequest, NotFound
from core.idempotency.keys import stripe_key
from core.lists import Page, PageRequest
from core.payment_methods.services import SavedCards
from plugins.token_packages import schemas
from plugins.token_packages.catalog import PackageCatalog
from plugins.token_packages.config import PLUGIN, PackageConfig, config_of
from plugins.token_packages.models import (
    PAID_STATUSES,
    PARTIALLY_REFUNDED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    Order,
    Payment,
    Refund,
)
from plugins.token_packages.repository import OrderRepository, PaymentRepository, RefundRepository, parse_id
from tenants.registry import Tenant
from tenants.stripe import create_checkout_session, idempotency_key, promotion_code_id

if TYPE_CHECKING:
    from core.kernel import Kernel


def stripe_metadata(tenant: Tenant, order: Order) -> dict[str, str]:
    """What every Stripe object made for an order carries, so its events find the order."""
    return {
        "tollgate_tenant": tenant.slug,
        "tollgate_plugin": PLUGIN,
        "tollgate_order": str(order.id),
        "tollgate_customer": order.customer,
        "package": order.package,
    }


def is_ours(obj: Mapping[str, Any]) -> bool:
    return (obj.get("metadata") or {}).get("tollgate_plugin") == PLUGIN


def stripe_time(timestamp: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(timestamp), dt.UTC) if timestamp else None


class OrderService:
    """One tenant's orders, inside the caller's transaction.

    An order is created `pending` with a Checkout Session (payment mode; subscription mode for a
    recurring pack) whose idempotency key derives from the order's id (from the client's
    Idempotency-Key when it sent one). Stripe's events move it
    forward (`payments.py`); refunds and lost disputes make a paid one (partially) refunded.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.catalog = PackageCatalog(tenant)
        self.orders = OrderRepository(session=session, tenant_id=tenant.slug)
        self.payments = PaymentRepository(session=session, tenant_id=tenant.slug)
        self.refunds = RefundRepository(session=session, tenant_id=tenant.slug)

    async def create(self, customer: str, data: schemas.OrderCreate, key: str | None, runtime: Kernel) -> schemas.Order:
        """Store a `pending` order and create its Checkout Session.

        The session's idempotency key derives from the order's id, and under a client's
        Idempotency-Key the order's id derives from that key (`Answers.once` keeps the answer): a
        retry whose first attempt reached Stripe but never committed asks with the same key and the
        same parameters, and gets Stripe's first session back.
        """
        customers = CustomerService(self.session, self.tenant)
        owner = await customers.payer(customer)
        package = self.catalog.package(data.package)
        currency = self.catalog.currency_for(package, data.currency)
        expiry = self.config.expiry_of(package)
        if data.payment_method is not None:
            _check_saved_card_order(package, data)
        elif data.success_url is None:
            raise BadRequest(
                "Checkout needs a `success_url` to send the customer back to; or pay with a saved `payment_method`.",
                code="success_url_required",
            )
        client = await runtime.stripe.for_tenant(self.tenant)
        promotion = await promotion_code_id(client, data.promotion_code) if data.promotion_code else None
        order = Order(
            tenant_id=self.tenant.slug,
            customer_id=owner.id,
            customer=customer,
            package=data.package,
            package_name=package.name,
            currency=currency,
            amount=package.prices[currency],
            credits=package.total_credits,
            bonus_credits=package.bonus_credits,
            interval=package.interval,
            expiry_months=expiry.months,
            expiry_days=expiry.days,
            status=PENDING,
            promotion_code=data.promotion_code,
            created_at=clock.now(),
        )
        if key is not None:
            order.id = uuid.uuid5(uuid.NAMESPACE_URL, stripe_key("order", self.tenant.slug, customer, key))
        await self.orders.add(order)
        stripe_customer = await customers.ensure_stripe_customer(owner, runtime.stripe)
        if data.payment_method is not None:
            return await self._charge_saved_card(order, owner, data.payment_method, runtime)
        price_id = (await runtime.secrets.get(self.tenant)).prices.get(f"{data.package}/{currency}")
        params = self._checkout_params(order, package, data, stripe_customer, price_id)
        if promotion:
            params["discounts"] = [{"promotion_code": promotion}]
        elif self.config.allow_promotion_codes:
            params["allow_promotion_codes"] = True
        session = await create_checkout_session(client, params, idempotency_key("order", order.id))
        order.checkout_session_id = session.id
        order.payment_url = session.url
        order.checkout_expires_at = stripe_time(session.expires_at)
        await self.session.flush()
        return (await self.read([order]))[0]

    async def _charge_saved_card(
        self, order: Order, payer: Customer, payment_method: str, runtime: Kernel
    ) -> schemas.Order:
        """Charge a one-time pack to a saved card off-session; a refused card is a 402 and the order is not kept."""
        # Payments build on orders (payments.py imports this module), so the step that records one is fetched here.
        from plugins.token_packages.payments import PaymentService

        intent = await SavedCards(self.session, self.tenant, runtime.stripe).charge(
            payer,
            payment_method,
            amount=order.amount,
            currency=order.currency,
            description=order.package_name,
            metadata=stripe_metadata(self.tenant, order),
            key=idempotency_key("order", order.id),
        )
        await self.session.flush()
        if intent.status == "succeeded":
            # What `payment_intent.succeeded` does, done now: that event can be handled before this request
            # commits, and would not find the order. The payment is unique on the order, so whichever of the
            # two comes second records and grants nothing.
            client = await runtime.stripe.for_tenant(self.tenant)
            await PaymentService(self.session, self.tenant).intent_paid(order, intent.to_dict(), intent.created, client)
        return (await self.read([order]))[0]

    def _checkout_params(
        self,
        order: Order,
        package: PackageConfig,
        data: schemas.OrderCreate,
        stripe_customer: str,
        price_id: str | None,
    ) -> dict[str, Any]:
        metadata = stripe_metadata(self.tenant, order)
        line: dict[str, Any] = {"quantity": 1}
        if price_id:
            line["price"] = price_id
        else:
            product: dict[str, Any] = {"name": package.name}
            if package.description:
                product["description"] = package.description
            price: dict[str, Any] = {"currency": order.currency, "unit_amount": order.amount, "product_data": product}
            if package.interval:
                price["recurring"] = {"interval": package.interval}
            line["price_data"] = price
        params: dict[str, Any] = {
            "mode": "subscription" if package.interval else "payment",
            "customer": stripe_customer,
            "client_reference_id": str(order.id),
            "metadata": metadata,
            "line_items": [line],
            "success_url": data.success_url,
        }
        if data.cancel_url:
            params["cancel_url"] = data.cancel_url
        # Stripe copies these onto the subscription (its invoices) or the PaymentIntent (its charge).
        params["subscription_data" if package.interval else "payment_intent_data"] = {"metadata": metadata}
        return params

    async def list_orders(self, customer: str, page: PageRequest, *, status: str | None) -> Page[schemas.Order]:
        await CustomerService(self.session, self.tenant).get(customer)
        rows = list(await self.orders.page(customer, page.position("orders", uuid_position), page.fetch, status))
        return page.page(rows, "orders", lambda row: row.id, await self.read(rows[: page.limit]))

    async def get(self, customer: str, order_id: str) -> schemas.Order:
        return (await self.read([await self.order(order_id, customer=customer)]))[0]

    async def order(self, order_id: str, *, customer: str | None = None, for_update: bool = False) -> Order:
        key = parse_id(order_id)
        row = await self.orders.find(key, customer=customer, for_update=for_update) if key else None
        if row is None:
            raise NotFound("No such order.", code="order_not_found")
        return row

    async def read(self, orders: Sequence[Order]) -> list[schemas.Order]:
        """The orders as the API shows them, with their payments and refunds (two queries for any number)."""
        ids = [o.id for o in orders]
        payments: dict[UUID, list[Payment]] = {i: [] for i in ids}
        refunds: dict[UUID, list[Refund]] = {i: [] for i in ids}
        for payment in await self.payments.for_orders(ids):
            payments[payment.order_id].append(payment)
        for refund in await self.refunds.for_orders(ids):
            refunds[refund.order_id].append(refund)
        return [order_schema(o, payments[o.id], refunds[o.id]) for o in orders]

    async def refresh_status(self, order: Order) -> None:
        """A paid order's status from its money: everything returned (refunds, lost disputes) → refunded."""
        if order.status not in PAID_STATUSES:
            return
        payments = await self.payments.for_orders([order.id])
        refunds = await self.refunds.for_orders([order.id])
        paid = sum(p.amount for p in payments)
        returned = sum(r.amount for r in refunds if r.status == SUCCEEDED)
        returned += sum(p.dispute_amount for p in payments if p.dispute_status == "lost")
        if paid > 0 and returned >= paid:
            order.status = REFUNDED
        elif returned > 0:
            order.status = PARTIALLY_REFUNDED
        else:
            order.status = SUCCEEDED
        await self.session.flush()


def _check_saved_card_order(package: PackageConfig, data: schemas.OrderCreate) -> None:
    """A saved card pays one-time packs at their price: a recurring pack or a promotion code needs Checkout."""
    if package.interval:
        raise BadRequest(
            "A recurring pack is bought through Checkout; send no `payment_method`.", code="saved_card_not_supported"
        )
    if data.promotion_code:
        raise BadRequest(
            "Promotion codes apply in Checkout; send no `payment_method` with one.",
            code="promotion_code_not_applicable",
        )


def refund_schema(row: Refund) -> schemas.Refund:
    return schemas.Refund(
        id=str(row.id),
        order_id=str(row.order_id),
        payment_id=str(row.payment_id),
        status=row.status,  # type: ignore[arg-type]
        source=row.source,  # type: ignore[arg-type]
        amount=row.amount,
        requested_amount=row.requested_amount,
        currency=row.currency,
        policy=row.policy,
        credits=row.credits,
        credits_clawed_back=row.credits_clawed_back,
        credits_from_grant=row.credits_from_grant,
        credits_from_balance=row.credits_from_balance,
        credits_as_debt=row.credits_as_debt,
        reason=row.reason,
        stripe_refund_id=row.stripe_refund_id,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
        created_at=row.created_at,
        succeeded_at=row.succeeded_at,
    )


def payment_schema(row: Payment, refunds: Sequence[Refund]) -> schemas.Payment:
    done = [r for r in refunds if r.payment_id == row.id and r.status == SUCCEEDED]
    dispute = None
    if row.dispute_id:
        dispute = schemas.Dispute(
            id=row.dispute_id,
            status=row.dispute_status or "",
            amount=row.dispute_amount,
            currency=row.currency,
            credits=row.dispute_credits,
            credits_held=row.dispute_credits_held,
            credits_restored=row.dispute_credits_restored,
            credits_clawed_back=row.dispute_credits_clawed_back,
        )
    return schemas.Payment(
        id=str(row.id),
        invoice_id=row.invoice_id,
        payment_intent_id=row.payment_intent_id,
        amount=row.amount,
        currency=row.currency,
        credits=row.credits,
        credits_expire_at=row.credits_expire_at,
        paid_at=row.paid_at,
        period_start=row.period_start,
        period_end=row.period_end,
        amount_refunded=sum(r.amount for r in done),
        credits_clawed_back=sum(r.credits_clawed_back for r in done),
        dispute=dispute,
    )


def order_schema(row: Order, payments: Sequence[Payment], refunds: Sequence[Refund]) -> schemas.Order:
    shown = [payment_schema(p, refunds) for p in payments]
    return schemas.Order(
        id=str(row.id),
        customer=row.customer,
        package=row.package,
        package_name=row.package_name,
        status=row.status,  # type: ignore[arg-type]
        currency=row.currency,
        amount=row.amount,
        amount_discount=row.amount_discount,
        amount_paid=sum(p.amount for p in shown),
        amount_refunded=sum(p.amount_refunded for p in shown),
        credits=row.credits,
        bonus_credits=row.bonus_credits,
        credits_granted=sum(p.credits for p in shown),
        credits_clawed_back=sum(p.credits_clawed_back for p in shown)
        + sum(p.dispute_credits_held - p.dispute_credits_restored + p.dispute_credits_clawed_back for p in payments),
        interval=row.interval,
        promotion_code=row.promotion_code,
        payment_url=row.payment_url,
        checkout_session_id=row.checkout_session_id,
        subscription_id=row.subscription_id,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
        created_at=row.created_at,
        paid_at=row.paid_at,
        payments=shown,
        refunds=[refund_schema(r) for r in refunds],
    )
