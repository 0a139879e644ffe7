"""The kernel's own hook implementations: it contributes routes and tables like any plugin."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.customers.controllers import CustomerController
    from core.entitlements import read_entitlements
    from core.figures import read_figures
    from core.index import tenant_index

    return [tenant_index, CustomerController, read_entitlements, read_figures]


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.customers.models import Customer
    from core.idempotency.models import IdempotencyRecord

    return [Customer, IdempotencyRecord]


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("core")
