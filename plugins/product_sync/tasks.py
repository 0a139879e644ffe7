"""Worker tasks: one tenant's full sync (by run id), and the hourly round that queues every scheduled tenant's."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from taskiq import TaskiqDepends

from core.db import session_scope
from core.kernel import Kernel
from plugins.product_sync.config import PLUGIN, config_of
from plugins.product_sync.services import SyncRuns
from plugins.product_sync.sync import FullSync

logger = logging.getLogger("tollgate.product_sync")


async def sync_tenant(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, run_id: str | None = None) -> None:
    """Run a queued sync run (a redelivered copy finds it taken and stops); without a run id, start one."""
    runtime = kernel
    found = runtime.tenants.get(tenant)
    if not found.enabled(PLUGIN):
        logger.warning("catalog sync for %s skipped: product_sync is not enabled", tenant)
        return
    if run_id is None:
        async with session_scope(runtime.sessions) as session:
            run_id = str((await SyncRuns(session, found).create("task")).id)
    await FullSync(runtime, found).run(uuid.UUID(run_id))


async def sync_scheduled(kernel: Annotated[Kernel, TaskiqDepends()]) -> None:
    """Queue a full sync for every tenant that enables the plugin and keeps its schedule on."""
    runtime = kernel
    for tenant in runtime.tenants:
        if tenant.enabled(PLUGIN) and config_of(tenant).schedule:
            async with session_scope(runtime.sessions) as session:
                await SyncRuns(session, tenant).request("schedule", runtime.jobs)
