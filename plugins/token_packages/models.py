"""Tables of token packages: payment orders, the payments that granted their credits, and refunds.

An order is one Checkout Session; a one-time pack has at most one payment, a recurring pack one per
paid invoice. Each payment owns one ledger grant (`grant_ref`), and refunds and disputes act on it.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned

# Order statuses before money moved, ranked: an event may only move an order forward.
PENDING, PROCESSING, FAILED, EXPIRED = "pending", "processing", "failed", "expired"
SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED = "succeeded", "partially_refunded", "refunded"
PAID_STATUSES = frozenset({SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED})


class Order(TenantOwned):
    __tablename__ = "token_package_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "checkout_session_id", name="uq_token_package_orders_session"),
        Index("ix_token_package_orders_customer", "tenant_id", "customer", "created_at", "id"),
        Index("ix_token_package_orders_subscription", "tenant_id", "subscription_id"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[str] = mapped_column(String(255))
    package: Mapped[str] = mapped_column(String(64))
    package_name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    # The pack's price; what was paid (after a promotion code) is on the payments.
    amount: Mapped[int] = mapped_column(BigInteger)
    amount_discount: Mapped[int] = mapped_column(BigInteger, default=0)
    # Credits each payment grants, bonus included.
    credits: Mapped[int] = mapped_column(BigInteger)
    bonus_credits: Mapped[int] = mapped_column(BigInteger, default=0)
    interval: Mapped[str | None] = mapped_column(String(8), default=None)
    # The expiry terms the customer bought under (both 0: the credits never expire).
    expiry_months: Mapped[int] = mapped_column(Integer, default=0)
    expiry_days: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), default=PENDING)
    promotion_code: Mapped[str | None] = mapped_column(String(255), default=None)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), default=None)
    payment_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    checkout_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    subscription_id: Mapped[str | None] = mapped_column(String(255), default=None)
    failure_code: Mapped[str | None] = mapped_column(String(255), default=None)
    failure_message: Mapped[str | None] = mapped_column(String(1000), default=None)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class Payment(TenantOwned):
    __tablename__ = "token_package_payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "grant_ref", name="uq_token_package_payments_grant"),
        UniqueConstraint("tenant_id", "payment_intent_id", name="uq_token_package_payments_intent"),
        Index("ix_token_package_payments_order", "tenant_id", "order_id"),
    )

    order_id: Mapped[UUID] = mapped_column(ForeignKey("token_package_orders.id"))
    customer: Mapped[str] = mapped_column(String(255))
    # The ledger grant's source_ref: the order id, or `<order id>:<invoice id>` for a recurring period.
    grant_ref: Mapped[str] = mapped_column(String(255))
    invoice_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # None when nothing was charged (a 100% promotion code).
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # The charge that took it and Stripe's receipt (None for payments recorded before they were kept).
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None)
    receipt_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    credits: Mapped[int] = mapped_column(BigInteger)
    credits_expire_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    paid_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    period_start: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    period_end: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # A chargeback of this payment: credits owed back, held when it opened, restored (won) or taken (lost).
    dispute_id: Mapped[str | None] = mapped_column(String(255), default=None)
    dispute_status: Mapped[str | None] = mapped_column(String(32), default=None)
    dispute_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    dispute_credits: Mapped[int] = mapped_column(BigInteger, default=0)
    dispute_credits_held: Mapped[int] = mapped_column(BigInteger, default=0)
    dispute_credits_restored: Mapped[int] = mapped_column(BigInteger, default=0)
    dispute_credits_clawed_back: Mapped[int] = mapped_column(BigInteger, default=0)


class Refund(TenantOwned):
    __tablename__ = "token_package_refunds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_refund_id", name="uq_token_package_refunds_stripe"),
        UniqueConstraint("tenant_id", "order_id", "idempotency_key", name="uq_token_package_refunds_key"),
        Index("ix_token_package_refunds_payment", "tenant_id", "payment_id"),
        Index("ix_token_package_refunds_status", "tenant_id", "status", "created_at"),
    )

    order_id: Mapped[UUID] = mapped_column(ForeignKey("token_package_orders.id"))
    payment_id: Mapped[UUID] = mapped_column(ForeignKey("token_package_payments.id"))
    customer: Mapped[str] = mapped_column(String(255))
    # api: asked through Tollgate; stripe: made elsewhere (the dashboard) and learnt from `charge.refunded`.
    source: Mapped[str] = mapped_column(String(16))
    # pending → succeeded | failed
    status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    # What the request asked for (None: everything refundable); `amount` may be less under unspent_only.
    requested_amount: Mapped[int | None] = mapped_column(BigInteger, default=None)
    currency: Mapped[str] = mapped_column(String(3))
    policy: Mapped[str] = mapped_column(String(16))
    # Credits this refund owes back; what the ledger actually took, and from where.
    credits: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_clawed_back: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_from_grant: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_from_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_as_debt: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str | None] = mapped_column(String(500), default=None)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    failure_code: Mapped[str | None] = mapped_column(String(255), default=None)
    failure_message: Mapped[str | None] = mapped_column(String(1000), default=None)
    succeeded_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
