"""`GET /customers/{customer}/entitlements`: what every enabled plugin grants one customer, merged.

Each plugin answers through the `tollgate_entitlements` hook with any of `tier`, `models`,
`features` (flag -> bool) and `limits` (name -> int, None meaning unlimited). Models and features
are unions across plugins; the kept answers stay visible per plugin under `sources`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from core.customers.models import Customer
from core.customers.services import CustomerService
from core.deps import CurrentTenant, CustomerPath, DbSession, PluginsDep
from core.plugins import Plugins, is_kernel, resolve
from tenants.registry import Tenant


class Entitlements(msgspec.Struct):
    customer: str
    tier: str | None
    models: list[str]
    features: dict[str, bool]
    limits: dict[str, int | None]
    sources: dict[str, dict[str, Any]]


async def collect(plugins: Plugins, tenant: Tenant, customer: Customer, session: AsyncSession) -> Entitlements:
    merged = Entitlements(customer=customer.external_id, tier=None, models=[], features={}, limits={}, sources={})
    for plugin, answer in plugins.results_by_plugin(
        "tollgate_entitlements", tenant=tenant, customer=customer, session=session
    ):
        if not is_kernel(plugin) and not tenant.enabled(plugin):
            if hasattr(answer, "close"):
                answer.close()  # an un-awaited coroutine of a disabled plugin
            continue
        result: Mapping[str, Any] | None = await resolve(answer)
        if not result:
            continue
        merged.sources[plugin] = dict(result)
        merged.tier = result.get("tier") or merged.tier
        merged.models.extend(m for m in result.get("models", []) if m not in merged.models)
        for flag, on in result.get("features", {}).items():
            merged.features[flag] = merged.features.get(flag, False) or bool(on)
        merged.limits.update(result.get("limits", {}))
    return merged


@get("/customers/{customer:str}/entitlements", tags=["customers"], summary="What a customer is entitled to")
async def read_entitlements(
    tenant: CurrentTenant, db_session: DbSession, plugins: PluginsDep, customer: CustomerPath
) -> Entitlements:
    row = await CustomerService(db_session, tenant).get(customer)
    return await collect(plugins, tenant, row, db_session)
