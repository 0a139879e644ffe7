"""`GET /t/{tenant}/v1/admin/figures`: an operator's financial overview, one block per plugin.

Each enabled plugin (and the ledger) answers through the `tollgate_admin_figures` hook for the
window `[since, until)`: credits issued, spent, expired and clawed back; money taken and refunded per
currency; subscriptions by tier. Money is integers in minor units, keyed by currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

import msgspec
from litestar import get
from litestar.params import QueryParameter

from core.access import ADMIN, access
from core.deps import CurrentTenant, DbSession, KernelDep, PluginsDep
from core.errors import BadRequest
from core.fields import Examples


class Figures(msgspec.Struct):
    """The tenant's financial figures over a window, by plugin (each plugin's own keys)."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    since: Annotated[
        dt.datetime | None, msgspec.Meta(description=("The window's start (included); null: from the beginning."))
    ]
    until: Annotated[dt.datetime | None, msgspec.Meta(description="The window's end (excluded); null: until now.")]
    figures: Annotated[
        dict[str, dict[str, Any]],
        msgspec.Meta(description=("Each plugin's figures: credits as counts, money in minor units by currency.")),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "tenant": "creditshop",
            "since": "2026-03-01T00:00:00Z",
            "until": "2026-04-01T00:00:00Z",
            "figures": {
                "ledger": {
                    "credits_issued": 1600,
                    "credits_issued_by_source": {"token_packages": 1600},
                    "movements": {
                        "grant": {"credits": 1600, "entries": 2},
                        "spend": {"credits": -300, "entries": 1},
                        "clawback": {"credits": -1050, "entries": 2},
                    },
                    "outstanding": {"balance": 250, "held": 0, "debt": 0, "accounts": 1},
                },
                "token_packages": {
                    "orders": {"partially_refunded": 1, "refunded": 1},
                    "revenue": {"cny": 15000},
                    "refunded": {"cny": 10000},
                    "net": {"cny": 5000},
                    "credits_sold": 1600,
                    "credits_clawed_back": 1050,
                },
            },
        },
    )


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
    since: Annotated[
        dt.datetime | None, QueryParameter(description="The window's start, included (RFC 3339); none: the beginning.")
    ] = None,
    until: Annotated[
        dt.datetime | None, QueryParameter(description="The window's end, excluded (RFC 3339); none: now.")
    ] = None,
) -> Figures:
    if since is not None and until is not None and since >= until:
        raise BadRequest("`since` must be before `until`.", code="invalid_window")
    answers = await plugins.answers_for(
        "tollgate_admin_figures", tenant, session=db_session, since=since, until=until, kernel=kernel, series=None
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
