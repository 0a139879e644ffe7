"""What route handlers ask the kernel for, by name: `db_session: DbSession`, `tenant: CurrentTenant`, ..."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias

from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from core.plugins import Plugins
from tenants.auth import Principal
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel
    from core.runtime import Runtime

DbSession: TypeAlias = NamedDependency[AsyncSession]
CurrentTenant: TypeAlias = NamedDependency[Tenant]
CurrentPrincipal: TypeAlias = NamedDependency[Principal]
PluginsDep: TypeAlias = NamedDependency[Plugins]
RuntimeDep: TypeAlias = NamedDependency["Runtime"]
# A Protocol: Litestar's signature model cannot validate it, so the provided runtime is taken as is.
KernelDep: TypeAlias = NamedDependency[SkipValidation["Kernel"]]
CustomerPath: TypeAlias = FromPath[str]
IdempotencyKey: TypeAlias = Annotated[
    str | None,
    HeaderParameter(name="Idempotency-Key", description="A retry with the same key gets the first answer."),
]
