"""Token package rules: the packs on sale, orders and their Checkout Sessions, and payments that grant credits.

An order is created `pending` with a Checkout Session (payment mode; subscription mode for a recurring
pack) whose idempotency key derives from the order's id. Stripe's events then move it forward, never
back: `checkout.session.completed` (paid) or `async_payment_succeeded` → succeeded and one grant;
`async_payment_failed` → failed; `expired` → expired; `invoice.paid` → one grant per recurring period.
Refunds and disputes live in `refunds.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.cursors import decode_cursor, encode_cursor, uuid_position
from core.customers.services import CustomerService
from core.errors import BadRequest, Conflict, NotFound
from core.ledger.services import Ledger, check_idempotency_key, request_hash
from core.notifications import notify
from plugins.token_packages import pricing, schemas
from plugins.token_packages.config import PLUGIN, Expiry, PackageConfig, config_of
from plugins.token_packages.models import (
    EXPIRED,
    FAILED,
    PAID_STATUSES,
    PARTIALLY_REFUNDED,
    PENDING,
    PROCESSING,
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
    from core.runtime import Runtime

logger = logging.getLogger("tollgate.token_packages")

GRANT_SOURCE = "token_packages.order"
ORDER_PAGE_MAX = 100
# How far each status is from the start; an event moves an unpaid order only to a later rank.
_UNPAID_RANK = {PENDING: 0, PROCESSING: 1, FAILED: 2, EXPIRED: 2}


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


def _at(timestamp: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(timestamp), dt.UTC) if timestamp else None


class PackageCatalog:
    """The packs a tenant has on sale, from its settings (no database, no Stripe)."""

    def __init__(self, tenant: Tenant) -> None:
        self.config = config_of(tenant)

    def listing(self, currency: str | None) -> schemas.PackageList:
        """Active packs with their prices; with `currency`, only the packs sold in it (400 when none are)."""
        wanted = self._known_currency(currency) if currency else None
        listed = []
        for package_id, package in self.config.packages.items():
            if not package.active or (wanted and wanted not in package.prices):
                continue
            expiry = self.config.expiry_of(package)
            listed.append(
                schemas.Package(
                    id=package_id,
                    name=package.name,
                    description=package.description,
                    credits=package.credits,
                    bonus_credits=package.bonus_credits,
                    total_credits=package.total_credits,
                    interval=package.interval,
                    expires_after=None if expiry.never else expiry,
                    prices=[
                        schemas.PackagePrice(
                            currency=code,
                            amount=amount,
                            display_amount=pricing.display_amount(amount, code),
                            unit_price=pricing.unit_price(amount, package.total_credits, code),
                        )
                        for code, amount in sorted(package.prices.items())
                        if wanted is None or code == wanted
                    ],
                )
            )
        return schemas.PackageList(
            packages=listed, currencies=self.config.currencies(), default_currency=self.config.default_currency
        )

    def _known_currency(self, currency: str) -> str:
        code = currency.lower()
        if code not in self.config.currencies():
            raise BadRequest(
                f"No package is sold in {currency!r}.",
                code="unsupported_currency",
                detail={"currencies": self.config.currencies()},
            )
        return code

    def package(self, package_id: str) -> PackageConfig:
        package = self.config.packages.get(package_id)
        if package is None or not package.active:
            raise BadRequest(
                f"No package {package_id!r} is on sale.",
                code="unknown_package",
                detail={"packages": [k for k, p in self.config.packages.items() if p.active]},
            )
        return package

    def currency_for(self, package: PackageConfig, asked: str | None) -> str:
        """The asked currency if the pack is sold in it; else the default, or the pack's only one; else 400."""
        if asked is None:
            default = self.config.default_currency
            if default is not None and default in package.prices:
                return default
            if len(package.prices) == 1:
                return next(iter(package.prices))
            raise BadRequest(
                "Say which `currency` to pay in.",
                code="currency_required",
                detail={"currencies": sorted(package.prices)},
            )
        code = asked.lower()
        if code not in package.prices:
            raise BadRequest(
                f"This package is not sold in {asked!r}.",
                code="unsupported_currency",
                detail={"currencies": sorted(package.prices)},
            )
        return code


class OrderService:
    """One tenant's orders, inside the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.config = config_of(tenant)
        self.catalog = PackageCatalog(tenant)
        self.orders = OrderRepository(session=session, tenant_id=tenant.slug)
        self.payments = PaymentRepository(session=session, tenant_id=tenant.slug)
        self.refunds = RefundRepository(session=session, tenant_id=tenant.slug)

    # ------------------------------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------------------------------

    async def create(
        self, customer: str, data: schemas.OrderCreate, key: str | None, runtime: Runtime
    ) -> tuple[schemas.Order, bool]:
        """Store a `pending` order and create its Checkout Session; returns (order, created).

        The session's idempotency key derives from the order's id, so a retried Stripe call cannot
        make a second one. With an Idempotency-Key, a repeat returns the first order.
        """
        check_idempotency_key(key)
        fingerprint = request_hash(
            "token_order",
            data.package,
            data.currency.lower() if data.currency else None,
            data.success_url,
            data.cancel_url,
            data.promotion_code,
        )
        owner = await CustomerService(self.session, self.tenant).get(customer)
        if key is not None:
            existing = await self.orders.by_key(customer, key)
            if existing is not None:
                if existing.request_hash != fingerprint:
                    raise Conflict(
                        "This Idempotency-Key was already used with a different request.",
                        code="idempotency_key_reused",
                    )
                return (await self.read([existing]))[0], False
        package = self.catalog.package(data.package)
        currency = self.catalog.currency_for(package, data.currency)
        expiry = self.config.expiry_of(package)
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
            idempotency_key=key,
            request_hash=fingerprint,
            created_at=clock.now(),
        )
        await self.orders.add(order)
        stripe_customer = await CustomerService(self.session, self.tenant).ensure_stripe_customer(owner, runtime.stripe)
        price_id = (await runtime.secrets.get(self.tenant)).prices.get(f"{data.package}/{currency}")
        params = self._checkout_params(order, package, data, stripe_customer, price_id)
        if promotion:
            params["discounts"] = [{"promotion_code": promotion}]
        elif self.config.allow_promotion_codes:
            params["allow_promotion_codes"] = True
        session = await create_checkout_session(client, params, idempotency_key("order", order.id))
        order.checkout_session_id = session.id
        order.payment_url = session.url
        order.checkout_expires_at = _at(session.expires_at)
        await self.session.flush()
        return (await self.read([order]))[0], True

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

    async def list_orders(
        self, customer: str, *, cursor: str | None, limit: int, status: str | None
    ) -> schemas.OrderPage:
        await CustomerService(self.session, self.tenant).get(customer)
        before = decode_cursor("orders", cursor, uuid_position)
        if not 1 <= limit <= ORDER_PAGE_MAX:
            raise BadRequest(f"`limit` must be between 1 and {ORDER_PAGE_MAX}.", code="invalid_limit")
        rows = list(await self.orders.page(customer, before, limit + 1, status))
        more = len(rows) > limit
        rows = rows[:limit]
        return schemas.OrderPage(
            orders=await self.read(rows), next_cursor=encode_cursor("orders", rows[-1].id) if more and rows else None
        )

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

    # ------------------------------------------------------------------------------------------
    # Stripe's events
    # ------------------------------------------------------------------------------------------

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
            await self._session_paid(order, session, created)
        else:
            self._advance(order, PROCESSING)
            await self.session.flush()

    async def async_payment_succeeded(self, session: Mapping[str, Any], created: int) -> None:
        order = await self._order_for_session(session)
        if order is not None:
            await self._session_paid(order, session, created)

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

    async def _session_paid(self, order: Order, session: Mapping[str, Any], created: int) -> None:
        if session.get("currency") != order.currency:
            logger.error("order %s paid in %s, not %s; not granting", order.id, session.get("currency"), order.currency)
            return
        order.amount_discount = int((session.get("total_details") or {}).get("amount_discount") or 0)
        await self._paid(
            order,
            grant_ref=str(order.id),
            amount=int(session.get("amount_total") or 0),
            payment_intent=session.get("payment_intent"),
            paid_at=_at(created) or clock.now(),
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
        paid_at = _at((invoice.get("status_transitions") or {}).get("paid_at")) or _at(created) or clock.now()
        intent = await self._invoice_intent(client, str(invoice["id"])) if amount else None
        await self._paid(
            order,
            grant_ref=f"{order.id}:{invoice['id']}",
            amount=amount,
            payment_intent=intent,
            paid_at=paid_at,
            invoice_id=str(invoice["id"]),
            period=(_at(period.get("start")), _at(period.get("end"))),
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
        payment_intent: str | None,
        paid_at: dt.datetime,
        invoice_id: str | None = None,
        period: tuple[dt.datetime | None, dt.datetime | None] = (None, None),
    ) -> None:
        """Record one payment of the order and grant its credits; a repeat finds the payment and stops."""
        if await self.payments.by_grant_ref(grant_ref) is not None:
            return
        expires_at = Expiry(months=order.expiry_months, days=order.expiry_days).after(paid_at)
        payment = Payment(
            tenant_id=self.tenant.slug,
            order_id=order.id,
            customer=order.customer,
            grant_ref=grant_ref,
            invoice_id=invoice_id,
            payment_intent_id=payment_intent,
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
        await self.refresh_status(order)
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
