"""`GET /t/{tenant}/v1/admin/metrics`: the tenant's revenue analytics (admin), thin over `read_metrics`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from core import clock
from core.access import ADMIN, access
from core.analytics.schemas import Metrics
from core.analytics.series import MAX_BUCKETS, Interval, Series
from core.analytics.service import read_metrics
from core.deps import CurrentTenant, DbSession, KernelDep, PluginsDep
from core.money import Currency


@get(
    "/admin/metrics",
    tags=["admin"],
    operation_id="get_admin_metrics",
    summary="Revenue analytics of this tenant: MRR, revenue, credits, operations per bucket (admin)",
    description=(
        "Time series and window totals per currency, without conversion; every figure is defined in "
        f"docs/metrics.md. A window holds at most {MAX_BUCKETS} buckets."
    ),
    **access(ADMIN, errors=("invalid_window",)),
)
async def read_admin_metrics(
    *,
    tenant: CurrentTenant,
    db_session: DbSession,
    plugins: PluginsDep,
    kernel: KernelDep,
    since: Annotated[
        dt.datetime | None,
        QueryParameter(description="The window's start, included (RFC 3339); none: 12 buckets before `until`."),
    ] = None,
    until: Annotated[
        dt.datetime | None, QueryParameter(description="The window's end, excluded (RFC 3339); none: now.")
    ] = None,
    interval: Annotated[
        Interval, QueryParameter(description="Bucket size: a UTC day, an ISO week (from Monday), a calendar month.")
    ] = "month",
    currency: Annotated[
        Currency | None, QueryParameter(description="Only this currency's figures (`usd`); none: every currency.")
    ] = None,
) -> Metrics:
    dialect = db_session.bind.dialect.name if db_session.bind is not None else "sqlite"
    series = Series.of(since, until, interval, currency, now=clock.now(), dialect=dialect)
    return await read_metrics(db_session, tenant, series, plugins, kernel)
