"""The local mirror of each tenant's Stripe catalog (products, prices) and the record of every full sync.

Rows hold Stripe's state as last observed. `observed_at` is when Tollgate started the read that
produced the row (a list page or a re-read): a write carrying an older observation never replaces a
newer one, so a slow sync cannot undo what a later event applied. `deleted` marks objects that are
gone from Stripe (deleted, or missing from a complete sync); their rows stay as tombstones so a late,
stale read cannot bring them back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned

QUEUED = "queued"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"


class SyncedProduct(TenantOwned):
    __tablename__ = "product_sync_products"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_product_id", name="uq_product_sync_products_tenant_stripe"),
    )

    stripe_product_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    active: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JsonB, default=dict)
    default_price_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Stripe's own `created`/`updated` (unix seconds); `updated` only ever moves forward here.
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    stripe_updated: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class SyncedPrice(TenantOwned):
    __tablename__ = "product_sync_prices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_price_id", name="uq_product_sync_prices_tenant_stripe"),
        Index("ix_product_sync_prices_tenant_product", "tenant_id", "stripe_product_id"),
    )

    stripe_price_id: Mapped[str] = mapped_column(String(255))
    # Stripe's product id, not a foreign key: a price's event may arrive before its product's.
    stripe_product_id: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    currency: Mapped[str] = mapped_column(String(3))
    # Minor units; None for prices Stripe prices otherwise (tiered, customer-chosen amounts).
    unit_amount: Mapped[int | None] = mapped_column(BigInteger, default=None)
    type: Mapped[str] = mapped_column(String(16))
    recurring_interval: Mapped[str | None] = mapped_column(String(8), default=None)
    recurring_interval_count: Mapped[int | None] = mapped_column(Integer, default=None)
    lookup_key: Mapped[str | None] = mapped_column(String(255), default=None)
    nickname: Mapped[str | None] = mapped_column(Text, default=None)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JsonB, default=dict)
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class SyncRun(TenantOwned):
    """One full sync of one tenant's catalog: who asked, when it ran, what it saw and what was wrong."""

    __tablename__ = "product_sync_runs"
    __table_args__ = (Index("ix_product_sync_runs_tenant_created", "tenant_id", "created_at"),)

    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    products: Mapped[int] = mapped_column(Integer, default=0)
    prices: Mapped[int] = mapped_column(Integer, default=0)
    # Rows whose newer state (from an event) was kept over this run's older read.
    stale_skipped: Mapped[int] = mapped_column(Integer, default=0)
    deactivated_products: Mapped[int] = mapped_column(Integer, default=0)
    deactivated_prices: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
