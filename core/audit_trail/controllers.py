"""`GET /admin/audit`: the tenant's audit trail, newest first, filtered by action, principal, target and time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from core.access import ADMIN, access
from core.audit_trail import schemas
from core.audit_trail.services import AuditRecords
from core.deps import CurrentTenant, DbSession
from core.errors import BadRequest
from core.lists import Page, PageQuery


class AuditTrailController(Controller):
    path = "/admin/audit"
    tags = ["audit trail"]

    @get(
        "/",
        operation_id="list_audit_records",
        summary="List this tenant's audit records, newest first",
        description="Every state-changing call by an operator or the tenant's backend (spends excepted), with who "
        "made it, from where, and what changed. `since` is inclusive, `until` exclusive.",
        **access(ADMIN, errors=("invalid_window",)),
    )
    async def list_records(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        page: PageQuery,
        action: Annotated[
            str | None, QueryParameter(description="Only this action (`ledger.grant`, `customer.update`, ...).")
        ] = None,
        by: Annotated[
            str | None,
            QueryParameter(
                name="principal", description="Only this principal (an API key's name, `jwt:<customer>`, ...)."
            ),
        ] = None,
        target: Annotated[str | None, QueryParameter(description="Only this target (`customer:<id>`, ...).")] = None,
        since: Annotated[dt.datetime | None, QueryParameter(description="From this time (inclusive).")] = None,
        until: Annotated[dt.datetime | None, QueryParameter(description="Before this time (exclusive).")] = None,
    ) -> Page[schemas.AuditRecord]:
        if since is not None and until is not None and since >= until:
            raise BadRequest("`since` must be before `until`.", code="invalid_window")
        return await AuditRecords(db_session, tenant.slug).page(
            page, action=action, principal=by, target=target, since=since, until=until
        )
