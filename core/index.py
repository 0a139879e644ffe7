"""`GET /t/{tenant}/v1/`: which tenant this is and which plugins it has enabled."""

from __future__ import annotations

from typing import Annotated, ClassVar

import msgspec
from litestar import get

from core.access import ADMIN, SERVICE, access
from core.deps import CurrentPrincipal, CurrentTenant
from core.fields import Examples


class TenantIndex(msgspec.Struct):
    """The tenant the key belongs to, its enabled plugins, and what the key may do."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    name: Annotated[str, msgspec.Meta(description="The tenant's display name.")]
    plugins: Annotated[list[str], msgspec.Meta(description="The plugins the tenant has enabled.")]
    scopes: Annotated[list[str], msgspec.Meta(description="The calling key's scopes: `service`, `admin`.")]

    schema_examples: ClassVar[Examples] = (
        {
            "tenant": "quickscale",
            "name": "QuickScale",
            "plugins": ["product_sync", "payg", "subscriptions"],
            "scopes": ["service"],
        },
    )


@get(
    "/",
    tags=["tenant"],
    operation_id="get_tenant",
    summary="The tenant and its enabled plugins",
    **access(SERVICE, ADMIN),
)
async def tenant_index(tenant: CurrentTenant, principal: CurrentPrincipal) -> TenantIndex:
    return TenantIndex(
        tenant=tenant.slug, name=tenant.name, plugins=list(tenant.plugins), scopes=sorted(principal.scopes)
    )
