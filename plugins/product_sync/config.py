"""The tenant's `product_sync` settings block, and the plan tiers its metadata is checked against."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from tenants.registry import Tenant

PLUGIN = "product_sync"


class ProductSyncConfig(msgspec.Struct, forbid_unknown_fields=True):
    """`tenants.<slug>.product_sync`: every key is optional."""

    # The hourly full sync; events keep the catalog current between runs either way.
    schedule: bool = True
    # Objects per Stripe list request (Stripe allows 1-100).
    page_size: Annotated[int, msgspec.Meta(ge=1, le=100)] = 100


def config_of(tenant: Tenant) -> ProductSyncConfig:
    return tenant.plugin_config(PLUGIN, ProductSyncConfig)


def known_tiers(tenant: Tenant) -> frozenset[str] | None:
    """The tier ids of the tenant's subscriptions block, or None when it declares none (any tier goes).

    The subscriptions plugin owns that block's shape; tiers may be a table keyed by tier id or a
    list of tables with an `id`.
    """
    block: Any = tenant.plugin_blocks.get("subscriptions") or {}
    tiers = block.get("tiers") if isinstance(block, Mapping) else None
    if isinstance(tiers, Mapping):
        return frozenset(str(key) for key in tiers) or None
    if isinstance(tiers, list):
        ids = {str(t["id"]) for t in tiers if isinstance(t, Mapping) and t.get("id")}
        return frozenset(ids) or None
    return None
