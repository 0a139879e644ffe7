"""`GET /customers/{customer_id}/entitlements`: what every enabled plugin grants one customer, merged.

Each plugin answers through the `tollgate_entitlements` hook with any of `tier`, `models`,
`features` (flag -> bool) and `limits` (name -> int, None meaning unlimited). Models and features
are unions across plugins; the kept answers stay visible per plugin under `sources`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import msgspec
from litestar import Request, get
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import ADMIN, END_USER, SERVICE, access
from core.customers.models import Customer
from core.customers.services import CustomerService
from core.db import session_scope
from core.deps import CustomerPath
from core.fields import Examples
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime


class Entitlements(msgspec.Struct):
    """What every enabled plugin grants the customer, merged: ask it before serving a request."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    tier: Annotated[str | None, msgspec.Meta(description="The customer's plan tier; null: no plugin has tiers.")]
    models: Annotated[
        list[str], msgspec.Meta(description=("The models the customer may use (every plugin's, together)."))
    ]
    features: Annotated[dict[str, bool], msgspec.Meta(description="Feature flags: on when any plugin turns them on.")]
    limits: Annotated[dict[str, int | None], msgspec.Meta(description="Named limits; null: unlimited.")]
    sources: Annotated[dict[str, dict[str, Any]], msgspec.Meta(description="Each plugin's own answer, by plugin.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "tier": "basic",
            "models": ["flux-schnell", "flux-dev"],
            "features": {"watermark": False, "priority_queue": True, "api_access": False},
            "limits": {"credits_per_month": 200},
            "sources": {
                "subscriptions": {
                    "tier": "basic",
                    "models": ["flux-schnell", "flux-dev"],
                    "features": {"watermark": False, "priority_queue": True, "api_access": False},
                    "limits": {"credits_per_month": 200},
                }
            },
        },
    )


async def collect(
    plugins: Plugins, tenant: Tenant, customer: Customer, session: AsyncSession, kernel: Kernel
) -> Entitlements:
    merged = Entitlements(customer=customer.external_id, tier=None, models=[], features={}, limits={}, sources={})
    for plugin, result in await plugins.answers_for(
        "tollgate_entitlements", tenant, customer=customer, session=session, kernel=kernel
    ):
        merged.sources[plugin] = dict(result)
        merged.tier = result.get("tier") or merged.tier
        merged.models.extend(m for m in result.get("models", []) if m not in merged.models)
        for flag, on in result.get("features", {}).items():
            merged.features[flag] = merged.features.get(flag, False) or bool(on)
        merged.limits.update(result.get("limits", {}))
    return merged


@get(
    "/customers/{customer_id:str}/entitlements",
    tags=["customers"],
    operation_id="get_entitlements",
    summary="What a customer is entitled to",
    **access(SERVICE, ADMIN, END_USER),
)
async def read_entitlements(request: Request[Any, Any, Any], customer_id: CustomerPath) -> Entitlements:
    # Asked before every request a tenant app serves: the tenant and the runtime come off the request
    # rather than as dependencies (Litestar resolves sibling dependencies in a task group, which costs
    # more than the customer's lookup), and the session is opened here.
    runtime: Runtime = request.app.state.runtime
    tenant: Tenant = request.state.tenant
    async with session_scope(runtime.sessions) as session:
        row = await CustomerService(session, tenant).get(customer_id)
        return await collect(runtime.plugins, tenant, row, session, runtime)
