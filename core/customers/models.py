"""The customers table: one row per (tenant, the app's own customer id)."""

from __future__ import annotations

from typing import Any

from advanced_alchemy.types import JsonB
from sqlalchemy import String, UniqueConstraint
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
