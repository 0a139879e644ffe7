"""Admin routes of the money audit: the last runs, one run with its differences, and a run now."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath

from core import clock
from core.access import ADMIN, access
from core.deps import CurrentTenant, DbSession, RuntimeDep
from core.errors import BadRequest
from core.lists import Page, PageQuery
from core.money_audit import schemas
from core.money_audit.services import AuditRuns, MoneyAudit


class MoneyAuditController(Controller):
    path = "/admin/money-audits"
    tags = ["money audit"]

    @get(
        "/",
        operation_id="list_money_audits",
        summary="List this tenant's money audits against Stripe, newest first",
        **access(ADMIN),
    )
    async def list_runs(
        self, tenant: CurrentTenant, db_session: DbSession, page: PageQuery
    ) -> Page[schemas.MoneyAuditRun]:
        return await AuditRuns(db_session, tenant).page(page)

    @get(
        "/{run_id:str}",
        operation_id="get_money_audit",
        summary="Read one money audit with its differences",
        **access(ADMIN, errors=("money_audit_run_not_found",)),
    )
    async def read_run(
        self, tenant: CurrentTenant, db_session: DbSession, run_id: FromPath[str]
    ) -> schemas.MoneyAuditRunDetail:
        return await AuditRuns(db_session, tenant).get(run_id)

    @post(
        "/",
        status_code=201,
        operation_id="run_money_audit",
        summary="Audit a period of this tenant's money against Stripe now",
        description=(
            "Reads the period's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes from the "
            "tenant's Stripe account and matches them to grants and clawbacks. With `repair`, a difference that a "
            "missing Stripe event explains is repaired by storing that event through the inbox; nothing else is."
        ),
        **access(ADMIN, errors=("invalid_window", "stripe_error")),
    )
    async def run_now(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, data: schemas.MoneyAuditCreate
    ) -> schemas.MoneyAuditRunDetail:
        until = data.until or clock.now()
        if data.since >= until:
            raise BadRequest("`since` must be before `until`.", code="invalid_window")
        run_id = await MoneyAudit(runtime, tenant).run(data.since, until, trigger="api", repair=data.repair)
        return await AuditRuns(db_session, tenant).get(str(run_id))
