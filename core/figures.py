"""`GET /t/{tenant}/v1/admin/figures`: an operator's financial overview, one block per plugin.

Each enabled plugin (and the ledger) answers through the `tollgate_admin_figures` hook for the
window `[since, until)`: credits issued, spent, expired and clawed back; money taken and refunded per
currency; subscriptions by tier. Money is integers in minor units, keyed by currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import get
from litestar.params import FromQuery

from core.access import ADMIN, access
from core.deps import CurrentTenant, DbSession, KernelDep, PluginsDep
from core.errors import BadRequest


class Figures(msgspec.Struct):
    tenant: str
    since: dt.datetime | None
    until: dt.datetime | None
    figures: dict[str, dict[str, Any]]


@get(
    "/admin/figures",
    tags=["admin"],
    operation_id="get_admin_figures",
    summary="Financial figures of this tenant (admin)",
    **access(ADMIN, errors=("invalid_window",)),
)
async def read_figures(
    *,
    tenant: CurrentTenant,
    db_session: DbSession,
    plugins: PluginsDep,
    kernel: KernelDep,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> Figures:
    if since is not None and until is not None and since >= until:
        raise BadRequest("`since` must be before `until`.", code="invalid_window")
    answers = await plugins.answers_for(
        "tollgate_admin_figures", tenant, session=db_session, since=since, until=until, kernel=kernel
    )
    return Figures(tenant=tenant.slug, since=since, until=until, figures={p: dict(a) for p, a in answers})


def window(column: Any, since: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    """SQL conditions keeping `column` within `[since, until)`."""
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions
