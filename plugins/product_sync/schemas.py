"""Wire shapes of the catalog, also the types the service API hands to the other plugins."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from plugins.product_sync.metadata import CreditType, MetadataProblem


class CatalogPrice(msgspec.Struct, frozen=True):
    """A synced price with its product's state and the credit terms its metadata gives it.

    `active` is what a purchase may use: the price and its product both active and not gone from
    Stripe. Credit terms are the price's own metadata over its product's.
    """

    id: str
    product: str
    product_name: str | None
    currency: str
    unit_amount: int | None
    type: str
    interval: str | None
    interval_count: int | None
    lookup_key: str | None
    nickname: str | None
    active: bool
    price_active: bool
    product_active: bool
    is_default: bool
    credit_amount: int | None
    credit_type: CreditType | None
    plan_tier: str | None
    feature_flags: list[str]
    metadata: dict[str, str]
    problems: list[MetadataProblem]


class CatalogProduct(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str | None
    active: bool
    deleted: bool
    default_price: str | None
    credit_amount: int | None
    credit_type: CreditType | None
    plan_tier: str | None
    feature_flags: list[str]
    metadata: dict[str, str]
    problems: list[MetadataProblem]
    updated: int
    prices: list[CatalogPrice]


class SyncRun(msgspec.Struct, frozen=True):
    id: uuid.UUID
    status: str
    trigger: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    products: int
    prices: int
    stale_skipped: int
    deactivated_products: int
    deactivated_prices: int
    problems: list[MetadataProblem]
    error: str | None


class CatalogListing(msgspec.Struct, frozen=True):
    """`GET /catalog`: the tenant's synced products with their prices, and the latest sync run."""

    products: list[CatalogProduct]
    last_sync: SyncRun | None
