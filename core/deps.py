"""What route handlers ask the kernel for, by name: `db_session: DbSession`, `tenant: CurrentTenant`, ..."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from core.plugins import Plugins
from tenants.auth import Principal
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime

DbSession: TypeAlias = NamedDependency[AsyncSession]
CurrentTenant: TypeAlias = NamedDependency[Tenant]
CurrentPrincipal: TypeAlias = NamedDependency[Principal]
PluginsDep: TypeAlias = NamedDependency[Plugins]
RuntimeDep: TypeAlias = NamedDependency["Runtime"]
CustomerPath: TypeAlias = FromPath[str]
