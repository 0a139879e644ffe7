"""HTTP routes: `GET /catalog` for the tenant's apps, `/admin/catalog/...` to run and inspect full syncs."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, QueryParameter

from core import audit_trail
from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, DbSession, KernelDep, RuntimeDep
from core.lists import Page, PageQuery
from plugins.product_sync import schemas
from plugins.product_sync.services import Catalog, SyncRuns, run_schema


class CatalogController(Controller):
    path = "/catalog"
    tags = ["catalog"]

    @get(
        "/",
        operation_id="get_catalog",
        summary="The synced catalog (answered whole)",
        description="Products and prices as synced from the tenant's Stripe account, with their credit terms "
        "and metadata problems. End-user tokens may read it (pricing pages).",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def read(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        include_inactive: Annotated[bool, QueryParameter(description="Also archived and deleted objects.")] = False,
    ) -> schemas.CatalogListing:
        catalog = await Catalog.of(kernel, db_session, tenant)
        return await catalog.listing(include_inactive=include_inactive)


class CatalogSyncController(Controller):
    path = "/admin/catalog"
    tags = ["catalog"]

    @post(
        "/sync",
        operation_id="sync_catalog",
        summary="Queue a full sync of the catalog",
        status_code=202,
        **access(ADMIN),
    )
    async def sync(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep
    ) -> Response[schemas.SyncRun]:
        run = await SyncRuns(db_session, tenant).request("admin", runtime.jobs)
        await audit_trail.record(
            db_session, tenant.slug, "catalog.sync", f"sync_run:{run.id}", after={"status": run.status}
        )
        return Response(run_schema(run), status_code=202)

    @get("/sync-runs", operation_id="list_sync_runs", summary="Full syncs, newest first", **access(ADMIN))
    async def runs(self, tenant: CurrentTenant, db_session: DbSession, page: PageQuery) -> Page[schemas.SyncRun]:
        return await SyncRuns(db_session, tenant).page(page)

    @get(
        "/sync-runs/{run_id:uuid}",
        operation_id="get_sync_run",
        summary="One full sync",
        **access(ADMIN, errors=("sync_run_not_found",)),
    )
    async def run(self, tenant: CurrentTenant, db_session: DbSession, run_id: FromPath[uuid.UUID]) -> schemas.SyncRun:
        return run_schema(await SyncRuns(db_session, tenant).get(run_id))
