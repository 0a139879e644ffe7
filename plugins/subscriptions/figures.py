"""Subscriptions' part of `GET /admin/figures`: subscriptions by tier and status, started and ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.figures import window
from plugins.subscriptions.models import Subscription
from tenants.registry import Tenant

LIVE = ("active", "trialing", "past_due")


async def subscription_figures(
    session: AsyncSession, tenant: Tenant, since: dt.datetime | None, until: dt.datetime | None
) -> dict[str, Any]:
    def count(*conditions: Any) -> Any:
        return scoped(select(func.count()).select_from(Subscription).where(*conditions), Subscription, tenant.slug)

    live = scoped(
        select(Subscription.tier, Subscription.status, func.count())
        .where(Subscription.status.in_(LIVE))
        .group_by(Subscription.tier, Subscription.status),
        Subscription,
        tenant.slug,
    )
    by_tier: dict[str, dict[str, int]] = {}
    for tier, status, n in await session.execute(live):
        by_tier.setdefault(tier, {})[status] = int(n)
    return {
        "live_by_tier": by_tier,
        "started": int(await session.scalar(count(*window(Subscription.created_at, since, until))) or 0),
        "ended": int(
            await session.scalar(
                count(Subscription.ended_at.is_not(None), *window(Subscription.ended_at, since, until))
            )
            or 0
        ),
    }
