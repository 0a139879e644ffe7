"""The credit purchases table: one row per PaymentIntent we create for credits."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class CreditPurchase(TenantOwned):
    __tablename__ = "payg_credit_purchases"
    __table_args__ = (UniqueConstraint("tenant_id", "payment_intent_id", name="uq_payg_purchases_tenant_intent"),)

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[str] = mapped_column(String(255))
    credits: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Bought as `quantity` units of a price (a settings pack or a synced Stripe price), or as credits.
    price: Mapped[str | None] = mapped_column(String(255), default=None)
    quantity: Mapped[int | None] = mapped_column(Integer, default=None)
    # pending | succeeded | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # The charge that took it and Stripe's receipt (None for purchases paid before they were kept).
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None)
    receipt_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    grant_id: Mapped[str | None] = mapped_column(String(64), default=None)
    failure_code: Mapped[str | None] = mapped_column(String(255), default=None)
    failure_message: Mapped[str | None] = mapped_column(String(1000), default=None)
    # `created` of the last Stripe event applied, so an older event never overwrites a newer one.
    last_event_at: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
