"""The tenant's `product_sync` settings block, and the plan tiers its metadata is checked against."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.kernel import Kernel
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


async def plan_tiers(kernel: Kernel, tenant: Tenant) -> frozenset[str] | None:
    """The tier ids the tenant's plans sell (asked of the plugins that sell plans), or None when none
    says (any tier goes)."""
    answers = await kernel.ask("tollgate_plan_tiers", tenant)
    return frozenset(tier for _, tiers in answers for tier in tiers) or None
