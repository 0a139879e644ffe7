"""The product_sync plugin's hook implementations: routes, event handlers, tasks, schedule, settings, tables, CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from taskiq import AsyncBroker

from core.error_codes import ErrorCode
from core.hookspecs import EventHandler, Schedule, hookimpl

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.catalog import CatalogPart, CatalogPrice, CatalogQuery
    from core.kernel import Kernel
    from tenants.registry import Tenant


@hookimpl
async def tollgate_catalog_prices(
    tenant: Tenant, session: AsyncSession, query: CatalogQuery, kernel: Kernel
) -> Sequence[CatalogPrice]:
    from plugins.product_sync.services import Catalog

    return await (await Catalog.of(kernel, session, tenant)).answer(query)


@hookimpl
def tollgate_catalog_read() -> CatalogPart:
    from plugins.product_sync.reads import catalog_read

    return catalog_read()


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from plugins.product_sync.controllers import CatalogController, CatalogSyncController

    return [CatalogController, CatalogSyncController]


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, EventHandler]:
    from plugins.product_sync.webhooks import EVENT_TYPES, catalog_changed

    return dict.fromkeys(EVENT_TYPES, catalog_changed)


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[Any]:
    from plugins.product_sync.services import SCHEDULE_TASK, SYNC_TASK
    from plugins.product_sync.tasks import sync_scheduled, sync_tenant

    return [
        broker.register_task(sync_tenant, task_name=SYNC_TASK),
        broker.register_task(sync_scheduled, task_name=SCHEDULE_TASK),
    ]


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from plugins.product_sync.services import SCHEDULE_TASK

    # Hourly, off the top of the hour when other jobs crowd in.
    return [Schedule(task_name=SCHEDULE_TASK, cron="17 * * * *")]


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    from core.settings import StructValidator
    from plugins.product_sync.config import ProductSyncConfig

    return [StructValidator(key, ProductSyncConfig, required=False)]


@hookimpl
def tollgate_models() -> Sequence[type]:
    from plugins.product_sync.models import SyncedPrice, SyncedProduct, SyncRun

    return [SyncedProduct, SyncedPrice, SyncRun]


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from plugins.product_sync.cli import catalog

    return [catalog]


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("plugins.product_sync")


@hookimpl
def tollgate_error_codes() -> Mapping[str, ErrorCode]:
    return {
        "sync_run_not_found": ErrorCode(404, "No catalog sync run with this id."),
    }
