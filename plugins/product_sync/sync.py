"""The full sync of one tenant's catalog: Stripe's lists page by page, one short transaction per page.

Products are listed whole (Stripe returns active and archived ones); prices twice, active then
inactive, since Stripe's price list leaves archived prices out unless asked for them. Each page is
stored with the moment its request started, so an event applied meanwhile from a later read is
kept. Once every page is in, what the run did not see is marked gone. It runs as the worker task,
from the CLI, or from the hourly schedule, and is safe to run concurrently with webhooks and with
another sync of the same tenant.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.db import retrying_conflicts, session_scope
from plugins.product_sync import schemas
from plugins.product_sync.config import config_of
from plugins.product_sync.services import Catalog, CatalogMirror, SyncRuns, run_schema
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.product_sync")

# Called with ("products" | "prices", objects in the page) after each page is read, before it is stored.
PageListener = Callable[[str, int], Awaitable[None]]
# How often a page's (or the final sweep's) transaction goes again after a deadlock with a webhook or another sync.
PAGE_CONFLICT_RETRIES = 5
ListCall = Callable[[Any], Awaitable[Any]]


class FullSync:
    """Runs one queued sync run of one tenant to its end, recording the outcome on the run."""

    def __init__(self, runtime: Kernel, tenant: Tenant, *, on_page: PageListener | None = None) -> None:
        self.runtime = runtime
        self.tenant = tenant
        self.on_page = on_page
        self.page_size = config_of(tenant).page_size

    async def run(self, run_id: uuid.UUID) -> schemas.SyncRun | None:
        """Claim the run and sync; None when another worker has it or it already ran (a redelivered task)."""
        async with session_scope(self.runtime.sessions) as session:
            started = await SyncRuns(session, self.tenant).claim(run_id)
        if started is None:
            return None
        try:
            client = await self.runtime.stripe.for_tenant(self.tenant)
            await self._mirror(run_id, "products", client.v1.products.list_async, {})
            for active in (True, False):
                await self._mirror(run_id, "prices", client.v1.prices.list_async, {"active": active})
        except Exception as exc:  # the run records every failure; the next run starts over
            if isinstance(exc, stripe.StripeError):
                logger.warning("catalog sync of %s failed: %s", self.tenant.slug, exc)
            else:
                logger.exception("catalog sync of %s failed", self.tenant.slug)
            async with session_scope(self.runtime.sessions) as session:
                failed = await SyncRuns(session, self.tenant).finish(run_id, error=f"{type(exc).__name__}: {exc}")
                return run_schema(failed)

        async def finish(session: AsyncSession) -> schemas.SyncRun:
            deactivated = await CatalogMirror(session, self.tenant).sweep(started)
            problems = await (await Catalog.of(self.runtime, session, self.tenant)).problems()
            done = await SyncRuns(session, self.tenant).finish(run_id, deactivated=deactivated, problems=problems)
            return run_schema(done)

        return await retrying_conflicts(self.runtime.sessions, finish, retries=PAGE_CONFLICT_RETRIES)

    async def _mirror(self, run_id: uuid.UUID, kind: str, list_call: ListCall, filters: Mapping[str, Any]) -> None:
        cursor: str | None = None
        while True:
            observed_at = clock.now()
            params = {**filters, "limit": self.page_size} | ({"starting_after": cursor} if cursor else {})
            page = await list_call(params)
            items: list[dict[str, Any]] = [item.to_dict() for item in page.data]
            if self.on_page is not None:
                await self.on_page(kind, len(items))
            await self._store(run_id, kind, items, observed_at)
            if not page.has_more or not items:
                return
            cursor = items[-1]["id"]

    async def _store(self, run_id: uuid.UUID, kind: str, items: list[dict[str, Any]], observed_at: dt.datetime) -> None:
        """One page in one transaction, rows locked in id order; again after a deadlock (with a
        webhook's or another sync's transaction locking the same rows in another order)."""
        ordered = sorted(items, key=lambda item: str(item["id"]))

        async def store(session: AsyncSession) -> None:
            mirror = CatalogMirror(session, self.tenant)
            observe = mirror.observe_product if kind == "products" else mirror.observe_price
            stale = [item["id"] for item in ordered if not await observe(item, observed_at)]
            counts = {"products": len(items)} if kind == "products" else {"prices": len(items)}
            await SyncRuns(session, self.tenant).count(run_id, stale=len(stale), **counts)

        await retrying_conflicts(self.runtime.sessions, store, retries=PAGE_CONFLICT_RETRIES)
