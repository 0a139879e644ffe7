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


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from sqlalchemy import or_

    from core.audit_trail import customer_target
    from core.audit_trail.models import AuditRecord
    from core.customers.tables import CustomerTable

    # Records name a customer by its row id, which an erasure leaves (so records and their hashes stay as
    # written); the app's id is matched too for records written before they did.
    def about(customer: Any) -> Any:
        target, app_target = customer_target(customer.id), f"customer:{customer.external_id}"
        end_user = (f"jwt:{customer.id}", f"jwt:{customer.external_id}")
        return or_(AuditRecord.target.in_((target, app_target)), AuditRecord.principal.in_(end_user))

    return [CustomerTable(AuditRecord, about, erase="keep")]
