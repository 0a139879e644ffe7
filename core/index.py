"""`GET /t/{tenant}/v1/`: which tenant this is and which plugins it has enabled."""

from __future__ import annotations

import msgspec
from litestar import get

from core.access import ADMIN, SERVICE, access
from core.deps import CurrentPrincipal, CurrentTenant


class TenantIndex(msgspec.Struct):
    tenant: str
    name: str
    plugins: list[str]
    scopes: list[str]


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
