"""The audit trail's hook implementations: its tables, the admin list route and the `audit verify` command."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.audit_trail.models import AuditChainHead, AuditRecord

    return [AuditRecord, AuditChainHead]


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.audit_trail.controllers import AuditTrailController

    return [AuditTrailController]
