"""The customers table: one row per (tenant, the app's own customer id); and the erasures made of them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class Customer(TenantOwned):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id", name="uq_customers_tenant_external"),
        UniqueConstraint("tenant_id", "stripe_customer_id", name="uq_customers_tenant_stripe"),
    )

    external_id: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonB, default=dict)


class CustomerErasure(TenantOwned):
    """One erasure (`DELETE /customers/{id}`): what it answered, and keyed digests of what it erased.

    The digests (HMAC-SHA256 under the tenant's `PrivacySalt`) let a repeated DELETE of the same app id
    answer the same result, and let the inbox recognise a later Stripe event about the erased Stripe
    customer and store it scrubbed, without keeping the erased values themselves.
    """

    __tablename__ = "customer_erasures"
    __table_args__ = (
        Index("ix_customer_erasures_customer", "tenant_id", "customer_digest"),
        Index("ix_customer_erasures_stripe", "tenant_id", "stripe_digest"),
    )

    # The customers row, which stays (pseudonymous) for the financial rows that refer to it.
    customer_row_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    customer_digest: Mapped[str] = mapped_column(String(64))
    email_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    stripe_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    pseudonym: Mapped[str] = mapped_column(String(255))
    # False while the Stripe customer still has to be deleted (a repeated DELETE tries again).
    stripe_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    # The erasure's answer, as every repeat of it is answered.
    result: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class PrivacySalt(TenantOwned):
    """The tenant's random key for the erasure digests, created on its first erasure."""

    __tablename__ = "privacy_salts"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_privacy_salts_tenant"),)

    salt: Mapped[str] = mapped_column(String(64))
