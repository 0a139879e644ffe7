"""One metrics request: ask every enabled plugin (and the kernel's domains) for its part through
`tollgate_admin_figures(..., series=...)`, then compute each family of figures from the parts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.analytics.credits import credit_series
from core.analytics.operations import operation_series
from core.analytics.parts import MetricsPart
from core.analytics.revenue import revenue_series
from core.analytics.schemas import Metrics
from core.analytics.series import Series
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant


async def read_metrics(
    session: AsyncSession, tenant: Tenant, series: Series, plugins: Plugins, kernel: Kernel
) -> Metrics:
    answers = await plugins.answers_for(
        "tollgate_admin_figures",
        tenant,
        session=session,
        since=series.since,
        until=series.until,
        kernel=kernel,
        series=series,
    )
    # A plugin written before metrics existed answers with its figures mapping: it contributes nothing here.
    parts = [answer for _, answer in answers if isinstance(answer, MetricsPart)]
    subscriptions = {currency: s for part in parts for currency, s in part.subscriptions.items()}
    revenue = await revenue_series(session, series, [q for part in parts for q in part.revenue])
    origins = {
        source: plugin
        for plugin, declared in plugins.results_by_plugin("tollgate_grant_sources")
        for source in declared or {}
    }
    credit = await credit_series(session, tenant, series, [q for part in parts for q in part.prepaid], origins)
    operations = await operation_series(session, tenant, series, [q for part in parts for q in part.checkouts])
    currencies = sorted(set(subscriptions) | set(revenue) | set(credit.prepaid_value))
    return Metrics(
        tenant=tenant.slug,
        since=series.since,
        until=series.until,
        interval=series.interval,
        currencies=currencies,
        subscriptions=subscriptions,
        revenue=revenue,
        credits=credit,
        operations=operations,
    )
