"""Wire shapes of the catalog, also the types the service API hands to the other plugins."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec

from core import catalog
from core.lists import Page
from plugins.product_sync.metadata import CreditType, MetadataProblem


class CatalogPrice(catalog.CatalogPrice, frozen=True):
    """A synced price as the kernel's catalog contract has it, with the problems its metadata has."""

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


class CatalogListing(Page[CatalogProduct]):
    """`GET /catalog`: the tenant's synced products with their prices, answered whole, and the latest sync run."""

    last_sync: SyncRun | None
