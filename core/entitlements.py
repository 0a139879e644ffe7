"""`GET /customers/{customer_id}/entitlements`: what every enabled plugin grants one customer, merged.

Each plugin answers through the `tollgate_entitlements` hook with any of `tier`, `models`,
`features` (flag -> bool) and `limits` (name -> int, None meaning unlimited). Models and features
are unions across plugins; the kept answers stay visible per plugin under `sources`.

Tenant apps ask this before every request of their users, so on PostgreSQL it is one prepared
statement outside any transaction: the customer, and the part each enabled plugin hands the kernel
through `tollgate_entitlements_read` (LATERAL subqueries, built once per set of plugins and
catalogs). A part that reads prices gets the enabled catalogs' parts (`core.catalog.CatalogRead`,
from `tollgate_catalog_read`) to join on a price id. A plugin whose part cannot answer from its
columns (a monthly allowance to grant, a catalog without a part), or that has no part, answers
through `tollgate_entitlements` in a session, as every plugin does on SQLite.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import msgspec
from litestar import Request, get
from sqlalchemy import ColumnElement, FromClause, Select, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from core import clock
from core.access import ADMIN, END_USER, SERVICE, access
from core.catalog import CatalogRead
from core.customers.models import Customer
from core.customers.services import CustomerService, customer_not_found
from core.db import RowOf, read_on_driver, scoped, session_scope
from core.deps import CustomerPath
from core.entitlement_parts import TENANT, EntitlementsRead
from core.fields import Examples
from core.kernel import Kernel
from core.plugins import Plugins
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime


class Entitlements(msgspec.Struct):
    """What every enabled plugin grants the customer, merged: ask it before serving a request."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    tier: Annotated[str | None, msgspec.Meta(description="The customer's plan tier; null: no plugin has tiers.")]
    models: Annotated[
        list[str], msgspec.Meta(description=("The models the customer may use (every plugin's, together)."))
    ]
    features: Annotated[dict[str, bool], msgspec.Meta(description="Feature flags: on when any plugin turns them on.")]
    limits: Annotated[dict[str, int | None], msgspec.Meta(description="Named limits; null: unlimited.")]
    sources: Annotated[dict[str, dict[str, Any]], msgspec.Meta(description="Each plugin's own answer, by plugin.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "tier": "basic",
            "models": ["flux-schnell", "flux-dev"],
            "features": {"watermark": False, "priority_queue": True, "api_access": False},
            "limits": {"credits_per_month": 200},
            "sources": {
                "subscriptions": {
                    "tier": "basic",
                    "models": ["flux-schnell", "flux-dev"],
                    "features": {"watermark": False, "priority_queue": True, "api_access": False},
                    "limits": {"credits_per_month": 200},
                }
            },
        },
    )


HOOK = "tollgate_entitlements"
_CUSTOMER = RowOf(Customer)


@dataclass(frozen=True)
class _Statement:
    select: Select[Any]
    reads: tuple[tuple[str, EntitlementsRead, slice], ...]
    runtime: weakref.ref[Runtime]


# Since start: plugins' answers read from the one statement, and those asked of their hook in a session.
ANSWERED = {"statement": 0, "session": 0}
# Per runtime, set of plugins with a part and set of catalogs: the statement, built and compiled once.
_STATEMENTS: dict[tuple[int, tuple[str, ...], tuple[str, ...]], _Statement] = {}
CATALOG_HOOK = "tollgate_catalog_prices"


def catalog_read(runtime: Runtime, catalogs: Sequence[str]) -> CatalogRead:
    """The parts of the catalogs `catalogs` (a tenant's enabled ones), for the parts that read prices."""
    parts = [runtime.plugins.call_one("tollgate_catalog_read", name) for name in catalogs]
    kernel = weakref.ref(runtime)

    def plan_tiers(tenant: Tenant) -> frozenset[str] | None:
        # As product_sync reads its metadata in a session: the tiers every enabled plugin sells, or None.
        owner = kernel()
        assert owner is not None, "a statement outlived its runtime"
        tiers: set[str] = set()
        for name in owner.plugins.answering("tollgate_plan_tiers", tenant):
            tiers.update(owner.plugins.call_one("tollgate_plan_tiers", name, tenant=tenant, kernel=owner) or ())
        return frozenset(tiers) or None

    found = tuple(part for part in parts if part is not None)
    return CatalogRead(parts=found, readable=len(found) == len(parts), plan_tiers=plan_tiers)


def _statement(runtime: Runtime, names: Sequence[str], catalogs: Sequence[str]) -> _Statement:
    key = (id(runtime), tuple(names), tuple(catalogs))
    found = _STATEMENTS.get(key)
    if found is not None and found.runtime() is runtime:
        return found
    catalog = catalog_read(runtime, catalogs)
    reads: list[tuple[str, EntitlementsRead, slice]] = []
    columns: list[ColumnElement[Any]] = list(_CUSTOMER.columns)
    joined: FromClause = Customer.__table__
    for name in names:
        part: EntitlementsRead | None = runtime.plugins.call_one("tollgate_entitlements_read", name, catalog=catalog)
        if part is None:
            continue
        reads.append((name, part, slice(len(columns), len(columns) + len(part.columns))))
        columns.extend(part.columns)
        for lateral in part.joins:
            joined = joined.outerjoin(lateral, true())
    statement = scoped(select(*columns).select_from(joined), Customer, TENANT).where(
        Customer.external_id == bindparam("customer")
    )
    found = _STATEMENTS[key] = _Statement(statement, tuple(reads), weakref.ref(runtime))
    return found


def statement_for(
    runtime: Runtime, tenant: Tenant, customer: str, now: dt.datetime, names: Sequence[str] | None = None
) -> tuple[_Statement, dict[str, Any]]:
    """The one statement for the tenant's plugins (`names`, when known) and catalogs, built once; and its
    parameters for `customer` now."""
    if names is None:
        names = runtime.plugins.answering(HOOK, tenant)
    statement = _statement(runtime, names, runtime.plugins.answering(CATALOG_HOOK, tenant))
    params: dict[str, Any] = {"scope_tenant": tenant.slug, "customer": customer}
    for _, part, _ in statement.reads:
        params.update(part.params(customer, now))
    return statement, params


def merge(customer: str, answers: Sequence[tuple[str, Mapping[str, Any]]]) -> Entitlements:
    """The plugins' answers, in plugin order, merged."""
    merged = Entitlements(customer=customer, tier=None, models=[], features={}, limits={}, sources={})
    for plugin, result in answers:
        merged.sources[plugin] = dict(result)
        merged.tier = result.get("tier") or merged.tier
        merged.models.extend(m for m in result.get("models", []) if m not in merged.models)
        for flag, on in result.get("features", {}).items():
            merged.features[flag] = merged.features.get(flag, False) or bool(on)
        merged.limits.update(result.get("limits", {}))
    return merged


async def collect(
    plugins: Plugins, tenant: Tenant, customer: Customer, session: AsyncSession, kernel: Kernel
) -> Entitlements:
    """Every enabled plugin's answer through `tollgate_entitlements`, in a session."""
    answers = await plugins.answers_for(HOOK, tenant, customer=customer, session=session, kernel=kernel)
    return merge(customer.external_id, answers)


async def read(runtime: Runtime, tenant: Tenant, customer_id: str) -> Entitlements:
    """The customer's entitlements: one statement on PostgreSQL, unless a plugin needs its session."""
    if runtime.engine.dialect.name != "postgresql":
        async with session_scope(runtime.sessions) as session:
            row = await CustomerService(session, tenant).get(customer_id)
            return await collect(runtime.plugins, tenant, row, session, runtime)
    names = runtime.plugins.answering(HOOK, tenant)
    now = clock.now()
    statement, params = statement_for(runtime, tenant, customer_id, now, names)
    rows = await read_on_driver(runtime.engine, statement.select, params)
    if not rows:
        raise customer_not_found(customer_id)
    values = rows[0]
    answers: dict[str, Mapping[str, Any] | None] = dict.fromkeys(names)
    for name, part, columns in statement.reads:
        answers[name] = part.answer(values[columns], tenant, customer_id, now)
    pending = [name for name in names if answers[name] is None]
    ANSWERED["statement"] += len(names) - len(pending)
    ANSWERED["session"] += len(pending)
    if pending:
        async with session_scope(runtime.sessions) as session:
            kwargs = {"customer": _attached(session, values), "session": session, "kernel": runtime}
            answers.update(await runtime.plugins.answers_for(HOOK, tenant, only=pending, **kwargs))
    return merge(customer_id, [(name, answer) for name, answer in answers.items() if answer])


def _attached(session: AsyncSession, values: Sequence[Any]) -> Customer:
    """The customer's row as read on the driver, made the session's own without reading it again."""
    customer = _CUSTOMER(values[: len(_CUSTOMER.columns)])
    make_transient_to_detached(customer)
    session.add(customer)
    return customer


@get(
    "/customers/{customer_id:str}/entitlements",
    tags=["customers"],
    operation_id="get_entitlements",
    summary="What a customer is entitled to",
    **access(SERVICE, ADMIN, END_USER),
)
async def read_entitlements(request: Request[Any, Any, Any], customer_id: CustomerPath) -> Entitlements:
    # Asked before every request a tenant app serves: the tenant and the runtime come off the request
    # rather than as dependencies (Litestar resolves sibling dependencies in a task group, which costs
    # more than the customer's lookup).
    return await read(request.app.state.runtime, request.state.tenant, customer_id)
