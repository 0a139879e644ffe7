"""The catalog's part of a one-statement read (`tollgate_catalog_read`, PostgreSQL): one price by its id.

The price whose Stripe id a column of the statement holds, with its product, read beside the rest
(the entitlements read joins it on the subscription a customer holds), and turned into the
`CatalogPrice` the catalog answers in a session (`Catalog.price`, `catalog_price`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, select

from core.catalog import CatalogPart, CatalogPrice
from core.db import RowOf, scoped
from core.entitlement_parts import TENANT
from plugins.product_sync.models import SyncedPrice, SyncedProduct
from plugins.product_sync.repository import PRODUCT_OF_PRICE
from plugins.product_sync.services import catalog_price
from tenants.registry import Tenant

_PRICE, _PRODUCT = RowOf(SyncedPrice), RowOf(SyncedProduct)
_PRODUCT_AT = len(_PRICE.columns)


def _lateral(price_id: ColumnElement[Any]) -> FromClause:
    statement = (
        select(*_PRICE.columns, *_PRODUCT.columns)
        .select_from(SyncedPrice)
        .outerjoin(SyncedProduct, PRODUCT_OF_PRICE)
        .where(SyncedPrice.stripe_price_id == price_id)
    )
    return scoped(statement, SyncedPrice, TENANT).limit(1).lateral("catalog_price")


def _price(values: Sequence[Any], _: Tenant, tiers: frozenset[str] | None) -> CatalogPrice | None:
    if values[0] is None:
        return None
    key = tuple(_Frozen(value.items()) if isinstance(value, dict) else value for value in values)
    return _priced(key, tiers)


class _Frozen(tuple[tuple[str, Any], ...]):
    """A metadata dict as a cache key (the driver may hand JSON decoded), and back."""


# Many customers hold the same few prices: a price is read from its columns once per distinct row
# (every column is in the key, the row's `updated_at` and metadata with them, so a change is a new key).
@functools.lru_cache(maxsize=1024)
def _priced(key: tuple[Any, ...], tiers: frozenset[str] | None) -> CatalogPrice:
    values = [dict(value) if isinstance(value, _Frozen) else value for value in key]
    price = _PRICE(values[:_PRODUCT_AT])
    product_values = values[_PRODUCT_AT:]
    product = None if product_values[0] is None else _PRODUCT(product_values)
    return catalog_price(price, product, tiers)


def catalog_read() -> CatalogPart:
    return CatalogPart(lateral=_lateral, price=_price)
