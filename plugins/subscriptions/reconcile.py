"""Reconcile: compare every local subscription Stripe may still change with Stripe, and repair the drift.

The seeds' `check_subscription_status`, for every tenant: a lost or late webhook leaves a status,
tier or period behind, or a paid invoice without its allowance. Each subscription is checked in its
own short transaction (a dry run rolls back); one that fails is reported and the rest go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import commit, rollback
from plugins.subscriptions import schemas
from plugins.subscriptions.config import PLUGIN
from plugins.subscriptions.lifecycle import Lifecycle
from plugins.subscriptions.repository import SubscriptionRepository
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.subscriptions")

RECONCILE_TASK = "subscriptions.reconcile"
# (checked so far, how many there are)
ProgressListener = Callable[[int, int], None]


async def reconcile_tenant(
    runtime: Kernel, tenant: Tenant, *, dry_run: bool = False, on_progress: ProgressListener | None = None
) -> list[schemas.Drift]:
    """Check (and unless `dry_run`, repair) each of the tenant's subscriptions; returns those that drifted."""
    async with runtime.sessions() as session:
        ids = await SubscriptionRepository(session=session, tenant_id=tenant.slug).not_final()
    drifts: list[schemas.Drift] = []
    for done, subscription_id in enumerate(ids, 1):
        async with runtime.sessions() as session:
            try:
                drift = await Lifecycle(session, tenant, runtime).reconcile(subscription_id, dry_run=dry_run)
                await (rollback(session) if dry_run else commit(session))
            except Exception as exc:  # one subscription Stripe cannot answer for must not stop the others
                await rollback(session)
                logger.exception("reconcile of %s/%s failed", tenant.slug, subscription_id)
                drift = schemas.Drift(subscription_id, "", {}, error=f"{type(exc).__name__}: {exc}")
        if drift is not None and (drift.changes or drift.error):
            drifts.append(drift)
        if on_progress is not None:
            on_progress(done, len(ids))
    return drifts


async def backfill_history(runtime: Kernel, tenant: Tenant) -> int:
    """Seed the history of every subscription stored before it (docs/metrics.md, "Backfill"), each in its
    own transaction; returns how many were seeded."""
    async with runtime.sessions() as session:
        ids = await SubscriptionRepository(session=session, tenant_id=tenant.slug).without_history()
    seeded = 0
    for subscription_id in ids:
        async with runtime.sessions() as session:
            seeded += await Lifecycle(session, tenant, runtime).backfill_history(subscription_id)
            await commit(session)
    return seeded


async def reconcile_all(runtime: Kernel, slugs: list[str] | None = None, *, dry_run: bool = False) -> int:
    """Reconcile the named tenants (default: every tenant that enables the plugin); returns the drift count."""
    tenants = [runtime.tenants.get(slug) for slug in slugs] if slugs else list(runtime.tenants)
    found = 0
    for tenant in tenants:
        if not tenant.enabled(PLUGIN):
            continue
        for drift in await reconcile_tenant(runtime, tenant, dry_run=dry_run):
            found += 1
            logger.warning(
                "subscription %s of %s drifted from Stripe: %s %s",
                drift.subscription,
                tenant.slug,
                drift.changes,
                drift.error or "",
            )
    return found


async def request_reconcile(session: AsyncSession, tenant: Tenant, runtime: Kernel) -> schemas.ReconcileRequest:
    """Queue a reconcile of one tenant (sent once the request commits)."""
    runtime.jobs.enqueue(session, RECONCILE_TASK, tenant=tenant.slug)
    return schemas.ReconcileRequest(tenant=tenant.slug, queued=True)
