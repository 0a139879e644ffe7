"""The console's pages: sign-in and sign-out, each tenant's overview, customers, Stripe events,
notifications and catalog sync runs, and the deployment view for the operator key.

Handlers stay thin: each reads the session, asks one service or read, and renders a template. Replays go
through the same services as the admin routes, so they are audited under `console:<key name>`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar
from urllib.parse import quote, urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit_trail.services import remember_caller
from core.console import reads
from core.console.charts import count, maybe, money, rate
from core.console.overview import INTERVALS, Interval, charts, overview
from core.console.session import COOKIE, CSRF_FIELD, Session, Signer, csrf_ok
from core.console.signin import Refused, Throttle, sign_in, still_valid
from core.deps import DbSession, RuntimeDep
from core.errors import TollgateError
from core.health import readiness_of
from core.inbox.services import WebhookEventService
from core.lists import PageRequest
from core.money import is_currency
from core.notifications.services import NotificationService
from core.retries import LeasedService, error_line
from core.runtime import Runtime
from tenants.registry import Tenant

PREFIX = "/console"
# The sign-in form's own CSRF token (a double-submit cookie): there is no session to hold it yet.
SIGN_IN_COOKIE = "tollgate_console_signin"
STATUSES = {
    "webhook-events": ("pending", "failed", "processed", "ignored", "dead"),
    "notifications": ("pending", "failed", "delivered", "dead"),
}
SERVICES: dict[str, type[LeasedService[Any]]] = {
    "webhook-events": WebhookEventService,
    "notifications": NotificationService,
}
TITLES = {"webhook-events": "Stripe events", "notifications": "Notifications"}
# Rows per page of every console list: enough to scan, few enough for a tenant with millions of rows.
PAGE_SIZE = 50
Listed = TypeVar("Listed")


class ConsoleError(Exception):
    """A page refused (403, 404, 400...): shown as the console's error page, never as JSON."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(Exception):
    """No session (or an expired, tampered or revoked one): off to the sign-in page."""


def signer(request: Request[Any, Any, Any]) -> Signer:
    return request.app.state["console_signer"]  # type: ignore[no-any-return]


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=PREFIX,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def current_session(request: Request[Any, Any, Any], runtime: Runtime) -> Session:
    session = signer(request).load(request.cookies.get(COOKIE))
    if session is None or not await still_valid(runtime, session):
        raise SignInNeeded
    remember_caller(session.principal, request.client.host if request.client else None)
    return session


@dataclass(frozen=True)
class Viewer:
    """Who is looking at which tenant's pages: the checked session, the tenant of the path, the kernel."""

    session: Session
    tenant: Tenant
    runtime: Runtime

    def page(self, template: str, **context: Any) -> Template:
        return page(template, self.session, self.runtime, tenant=self.tenant, **context)


async def provide_viewer(request: Request[Any, Any, Any], runtime: RuntimeDep, slug: FromPath[str]) -> Viewer:
    """The viewer of a tenant page: sign-in first, then 404 for no such tenant, 403 for another tenant's."""
    session = await current_session(request, runtime)
    try:
        tenant = runtime.tenants.get(slug)
    except TollgateError:
        raise ConsoleError(404, f"There is no tenant {slug!r}.") from None
    if not session.may_read(slug):
        raise ConsoleError(403, f"This session is {session.tenant}'s: it cannot read {slug}'s pages.")
    return Viewer(session, tenant, runtime)


ViewerDep: TypeAlias = NamedDependency[Viewer]


async def checked_form(request: Request[Any, Any, Any], session: Session) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not csrf_ok(session, form.get(CSRF_FIELD)):
        raise ConsoleError(403, "This form has expired or did not come from this console; reload the page.")
    return form


def page(template: str, session: Session | None, runtime: Runtime, **context: Any) -> Template:
    tenants = runtime.tenants.slugs() if session is None or session.operator else [session.tenant]
    return Template(template, context={"session": session, "tenants": tenants, "csrf_field": CSRF_FIELD, **context})


# ---- paging ----------------------------------------------------------------------------------------------


def page_request(cursor: str) -> PageRequest:
    """A console list's page: `PAGE_SIZE` rows after `cursor` (the API's cursors, `core.lists`)."""
    return PageRequest(limit=PAGE_SIZE, cursor=cursor or None)


async def paged(read: Awaitable[Listed]) -> Listed:
    """`read`, with a cursor that is not this list's shown as the console's 400 page, not as JSON."""
    try:
        return await read
    except TollgateError as refused:
        if refused.code == "invalid_cursor":
            raise ConsoleError(400, "That page link is not one this list made; start from its first page.") from None
        raise


@dataclass(frozen=True)
class Pager:
    """A list page's links: the next (older) page, and back to the first page when this is not it."""

    next_url: str | None
    first_url: str | None

    @classmethod
    def of(cls, request: Request[Any, Any, Any], next_cursor: str | None) -> Pager:
        query = {k: v for k, v in request.query_params.items() if k not in ("cursor", "replayed")}
        here = request.url.path

        def link(params: dict[str, str]) -> str:
            return f"{here}?{urlencode(params)}" if params else here

        return cls(
            next_url=link({**query, "cursor": next_cursor}) if next_cursor else None,
            first_url=link(query) if request.query_params.get("cursor") else None,
        )


# ---- signing in and out -------------------------------------------------------------------------------


@get("/", name="console:home", include_in_schema=False)
async def home(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Redirect:
    session = signer(request).load(request.cookies.get(COOKIE))
    if session is None:
        return Redirect(f"{PREFIX}/sign-in")
    return Redirect(f"{PREFIX}/deployment" if session.operator else f"{PREFIX}/t/{session.tenant}/")


@get("/sign-in", include_in_schema=False)
async def sign_in_form(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Template:
    return _sign_in_page(request, runtime, None, 200)


def _sign_in_page(request: Request[Any, Any, Any], runtime: Runtime, message: str | None, status: int) -> Template:
    token = secrets.token_urlsafe(24)
    response = page("sign_in.html", None, runtime, token=token, message=message, chosen=None)
    response.status_code = status
    response.cookies.append(_cookie(request, SIGN_IN_COOKIE, token, 3600))
    return response


@post("/sign-in", status_code=303, include_in_schema=False)
async def sign_in_submit(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Response[Any]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, form.get(CSRF_FIELD, "")):
        return _sign_in_page(request, runtime, "The sign-in form expired; please try again.", 403)
    throttle: Throttle = request.app.state["console_throttle"]
    client = request.client.host if request.client else "unknown"
    if throttle.blocked(client):
        return _sign_in_page(request, runtime, "Too many refused sign-ins from here; wait a minute.", 429)
    lifetime = runtime.config.console.session_minutes * 60
    try:
        session = await sign_in(runtime, form.get("key", ""), form.get("tenant") or None, lifetime)
    except Refused as refused:
        throttle.refused(client)
        return _sign_in_page(request, runtime, str(refused), 401)
    target = f"{PREFIX}/deployment" if session.operator else f"{PREFIX}/t/{session.tenant}/"
    response: Response[Any] = Redirect(target, status_code=303)
    response.cookies.append(_cookie(request, COOKIE, signer(request).dump(session), lifetime))
    response.cookies.append(_cookie(request, SIGN_IN_COOKIE, "", 0))
    return response


@post("/sign-out", status_code=303, include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Redirect:
    session = await current_session(request, runtime)
    await checked_form(request, session)
    response = Redirect(f"{PREFIX}/sign-in", status_code=303)
    response.cookies.append(_cookie(request, COOKIE, "", 0))
    return response


# ---- a tenant's pages -----------------------------------------------------------------------------------


@get("/t/{slug:str}/", include_in_schema=False)
async def overview_page(
    viewer: ViewerDep, db_session: DbSession, interval: str = "month", currency: str = ""
) -> Template:
    if interval not in INTERVALS:
        raise ConsoleError(400, f"The interval is one of {', '.join(INTERVALS)}.")
    chosen: Interval = interval  # type: ignore[assignment]
    code = currency.strip().lower() or None
    if code is not None and not is_currency(code):
        raise ConsoleError(400, f"{currency!r} is not a currency code (usd, eur, jpy...).")
    runtime = viewer.runtime
    figures = await overview(db_session, viewer.tenant, chosen, runtime.plugins, runtime, currency=code)
    return viewer.page(
        "overview.html",
        figures=figures,
        charts=charts(figures),
        intervals=INTERVALS,
        interval=interval,
        currency=code or "",
        money=money,
        count=count,
        rate=rate,
        maybe=maybe,
        partial=functools.partial,
        section="overview",
    )


@get("/t/{slug:str}/customers", include_in_schema=False)
async def customers_page(
    request: Request[Any, Any, Any], viewer: ViewerDep, db_session: DbSession, q: str = "", cursor: str = ""
) -> Template:
    found = await paged(reads.search_customers(db_session, viewer.tenant, q.strip(), page_request(cursor)))
    return viewer.page(
        "customers.html",
        q=q,
        customers=found.data,
        pager=Pager.of(request, found.next_cursor),
        section="customers",
        quote=quote,
    )


@get("/t/{slug:str}/customers/{customer_id:str}", include_in_schema=False)
async def customer_page(
    request: Request[Any, Any, Any],
    viewer: ViewerDep,
    db_session: DbSession,
    customer_id: FromPath[str],
    cursor: str = "",
) -> Template:
    from core.ledger.services import Ledger

    tenant = viewer.tenant
    customer = await reads.find_customer(db_session, tenant, customer_id)
    if customer is None:
        raise ConsoleError(404, f"{tenant.slug} has no customer {customer_id!r}.")
    ledger = Ledger(db_session, tenant)
    balance = await ledger.balance(customer_id)
    entries = await paged(ledger.entries(customer_id, page_request(cursor)))
    holds = await reads.holds_of(db_session, tenant, customer)
    plugin_tables = await reads.plugin_rows_of(db_session, viewer.runtime.plugins, tenant, customer)
    return viewer.page(
        "customer.html",
        customer=customer,
        balance=balance,
        entries=entries.data,
        pager=Pager.of(request, entries.next_cursor),
        tables=[holds, *plugin_tables],
        show=reads.show,
        section="customers",
    )


@get("/t/{slug:str}/{kind:str}", include_in_schema=False)
async def leased_page(
    *,
    request: Request[Any, Any, Any],
    viewer: ViewerDep,
    db_session: DbSession,
    kind: FromPath[str],
    status: str = "",
    type: str = "",  # noqa: A002 - the query parameter's name, as on the API
    replayed: str = "",
    cursor: str = "",
) -> Template:
    if kind == "catalog-sync-runs":
        runs = reads.latest_rows(
            db_session, viewer.runtime.plugins, viewer.tenant, "product_sync_runs", page_request(cursor)
        )
        found_runs = await paged(runs)
        table, after = found_runs if found_runs is not None else (None, None)
        return viewer.page("sync_runs.html", table=table, pager=Pager.of(request, after), section=kind)
    service = _service(kind, db_session, viewer)
    if status and status not in STATUSES[kind]:
        raise ConsoleError(400, f"The status is one of {', '.join(STATUSES[kind])}.")
    found = await paged(
        service.page(page_request(cursor), lambda row: row, status=status or None, event_type=type or None)
    )
    return viewer.page(
        "leased.html",
        kind=kind,
        title=TITLES[kind],
        rows=found.data,
        pager=Pager.of(request, found.next_cursor),
        statuses=STATUSES[kind],
        status=status,
        type=type,
        replayed=replayed,
        show=reads.show,
        error_line=error_line,
        section=kind,
    )


@get("/t/{slug:str}/{kind:str}/{row_id:str}/replay", include_in_schema=False)
async def replay_confirm(
    viewer: ViewerDep, db_session: DbSession, kind: FromPath[str], row_id: FromPath[str]
) -> Template:
    row = await _service(kind, db_session, viewer).find(row_id)
    if row is None:
        raise ConsoleError(404, f"No such row {row_id!r} for this tenant.")
    title = TITLES[kind]
    return viewer.page("replay.html", kind=kind, title=title, row=row, error_line=error_line, section=kind)


@post("/t/{slug:str}/{kind:str}/{row_id:str}/replay", status_code=303, include_in_schema=False)
async def replay_submit(
    request: Request[Any, Any, Any],
    viewer: ViewerDep,
    db_session: DbSession,
    kind: FromPath[str],
    row_id: FromPath[str],
) -> Redirect:
    await checked_form(request, viewer.session)
    try:
        row = await _service(kind, db_session, viewer).replay(row_id)
    except TollgateError as refused:
        raise ConsoleError(409 if refused.code.endswith(("in_progress", "pruned")) else 404, refused.message) from None
    where = f"{PREFIX}/t/{viewer.tenant.slug}/{kind}"
    return Redirect(f"{where}?{urlencode({'replayed': str(row.id)})}", status_code=303)


def _service(kind: str, db_session: AsyncSession, viewer: Viewer) -> LeasedService[Any]:
    if kind not in SERVICES:
        raise ConsoleError(404, "No such page.")
    return SERVICES[kind](db_session, viewer.tenant, viewer.runtime.jobs)


# ---- the deployment (operator key) ----------------------------------------------------------------------


@get("/deployment", include_in_schema=False)
async def deployment_page(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Template:
    session = await current_session(request, runtime)
    if not session.operator:
        raise ConsoleError(403, "The deployment view needs the operator key.")
    readiness = await readiness_of(runtime)
    dead: dict[str, dict[str, str]] = {}
    async with runtime.sessions() as db_session:
        for tenant in runtime.tenants:
            dead[tenant.slug] = {}
            for kind, service_type in SERVICES.items():
                service = service_type(db_session, tenant, runtime.jobs)
                rows = await service.page(PageRequest(limit=200), lambda row: row, status="dead", event_type=None)
                dead[tenant.slug][kind] = f"{len(rows.data)}+" if rows.has_more else str(len(rows.data))
    return page(
        "deployment.html",
        session,
        runtime,
        readiness=readiness,
        all_tenants=list(runtime.tenants),
        plugins=runtime.plugins.names(),
        dead=dead,
        section="deployment",
    )
