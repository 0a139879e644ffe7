"""What route handlers ask the kernel for, by name: `db_session: DbSession`, `tenant: CurrentTenant`, ..."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias

from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from core.idempotency import keys as idempotency
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
# The one declaration of the header: a route that takes it honours it, and the document shows it there.
IdempotencyKey: TypeAlias = Annotated[
    str | None,
    HeaderParameter(
        name=idempotency.HEADER,
        description=idempotency.DESCRIPTION,
        schema_extra={"pattern": idempotency.PATTERN, "minLength": 1, "maxLength": 255},
    ),
]
