"""The one way in: `create_app()` builds the Litestar app from a Runtime in small steps.

`TollgateInit` mounts every plugin's routes under `/t/{tenant}/v1` behind tenant resolution,
authentication and the plugin's enabled-for-this-tenant guard, installs the error handlers,
the dependencies, the OpenAPI docs at `/schema`, and the start/stop of the runtime.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.app import AppConfig as LitestarConfig
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components
from litestar.plugins import InitPluginProtocol
from litestar.routes import HTTPRoute
from litestar.types import Guard
from sqlalchemy.ext.asyncio import AsyncSession

from core.runtime import Runtime

logger = logging.getLogger("tollgate.app")

TENANT_PREFIX = "/t/{tenant_slug:str}/v1"


class TollgateInit(InitPluginProtocol):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def on_app_init(self, app_config: LitestarConfig) -> LitestarConfig:
        self._configure_errors(app_config)
        self._configure_dependencies(app_config)
        self._configure_routes(app_config)
        self._configure_openapi(app_config)
        self._configure_lifecycle(app_config)
        self._configure_logs_and_traces(app_config)
        self._configure_metrics(app_config)
        self._configure_console(app_config)
        return app_config

    def _configure_errors(self, app_config: LitestarConfig) -> None:
        from core.errors import EXCEPTION_HANDLERS

        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        # The status of every code raised: the kernel's and the plugins' registry (core/error_codes.py).
        app_config.state["error_codes"] = self.runtime.error_codes
        app_config.debug = False  # stack traces go to the log, never to clients

    def _configure_dependencies(self, app_config: LitestarConfig) -> None:
        from core.db import session_scope
        from core.inbox.services import InboxService
        from core.kernel import Kernel
        from core.lists import PageRequest, provide_page_request
        from core.plugins import Plugins
        from tenants.auth import Principal
        from tenants.registry import Tenant

        runtime = self.runtime
        app_config.state["runtime"] = runtime

        async def provide_db_session() -> AsyncGenerator[AsyncSession, None]:
            async with session_scope(runtime.sessions) as session:
                yield session

        def provide_tenant(request: Request[Any, Any, Any]) -> Tenant:
            tenant: Tenant | None = request.state.get("tenant")
            return tenant if tenant is not None else runtime.tenants.get(request.path_params["tenant_slug"])

        def provide_principal(request: Request[Any, Any, Any]) -> Principal:
            return request.state.principal  # type: ignore[no-any-return]

        def provide_runtime() -> Runtime:
            return runtime

        def provide_kernel() -> Kernel:
            return runtime

        def provide_plugins() -> Plugins:
            return runtime.plugins

        # One per process: its group commit gathers every request's events (the ingest route reads it
        # off the app state).
        app_config.state["inbox"] = InboxService(runtime)

        app_config.dependencies.update(
            {
                "db_session": Provide(provide_db_session),
                "tenant": Provide(provide_tenant, sync_to_thread=False),
                "principal": Provide(provide_principal, sync_to_thread=False),
                "runtime": Provide(provide_runtime, sync_to_thread=False),
                "kernel": Provide(provide_kernel, sync_to_thread=False),
                "plugins": Provide(provide_plugins, sync_to_thread=False),
                "page": Provide(provide_page_request, sync_to_thread=False),
            }
        )
        app_config.signature_types.extend([Runtime, Kernel, Plugins, Tenant, Principal, AsyncSession, PageRequest])

    def _configure_routes(self, app_config: LitestarConfig) -> None:
        from core.health import HealthController
        from core.inbox.controllers import receive_stripe_event, stripe_ingest
        from core.input import MAX_BODY_BYTES, input_guard
        from core.plugins import is_kernel
        from core.rate_limits import STATE_KEY, RateLimiter, rate_limit_guard, rate_limit_headers
        from tenants.auth import plugin_guard, tenant_guard

        per_plugin: list[Router] = []
        for plugin, handlers in self.runtime.plugins.results_by_plugin("tollgate_route_handlers", kernel=self.runtime):
            if not handlers:
                continue
            guards = [] if is_kernel(plugin) else [plugin_guard(plugin)]
            per_plugin.append(Router(path="/", route_handlers=list(handlers), guards=guards, opt={"plugin": plugin}))
        # Each handler declares who may call it (core/access.py); the guard enforces it.
        # Strict input after authentication: an unauthenticated caller learns nothing about a route's types.
        # Rate limits count authenticated callers only (core/rate_limits.py): no stranger spends a tenant's.
        limiter = RateLimiter.from_config(self.runtime.config)
        tenant_api = Router(
            path=TENANT_PREFIX,
            route_handlers=per_plugin,
            guards=[in_order(tenant_guard, *([] if limiter is None else [rate_limit_guard]), input_guard)],
            middleware=[] if limiter is None else [rate_limit_headers],
            request_max_body_size=MAX_BODY_BYTES,
        )
        if limiter is not None:
            app_config.state[STATE_KEY] = limiter
            app_config.on_shutdown.append(limiter.close)
        # Stripe's deliveries are authenticated by their signature, not by the tenant API's guard.
        app_config.route_handlers.extend([HealthController, tenant_api, receive_stripe_event])
        if slugs := self.runtime.tenants.slugs():
            app_config.route_handlers.append(stripe_ingest(slugs))

    def _configure_openapi(self, app_config: LitestarConfig) -> None:
        from core import openapi
        from core.access import SECURITY_SCHEMES

        app_config.openapi_config = OpenAPIConfig(
            title="Tollgate",
            version="0.1.0",
            description="One billing deployment that many apps share. Every tenant's API lives under /t/{tenant}/v1.",
            path="/schema",
            components=Components(security_schemes=dict(SECURITY_SCHEMES)),
        )
        # Each Struct's docstring and examples in its schema: Litestar's own Struct plugin is replaced in place
        # (the list is being walked for init plugins, so nothing is inserted before this one).
        app_config.plugins[:] = [openapi.described(plugin) for plugin in app_config.plugins]
        # Every error each operation can answer, in the real body, and the notices to tenant apps as webhooks.
        openapi.install(app_config, self.runtime.error_codes, self.runtime.notification_types, TENANT_PREFIX)

    def _configure_lifecycle(self, app_config: LitestarConfig) -> None:
        from core import heap
        from core.jobs import EmbeddedScheduler

        runtime = self.runtime
        scheduler = EmbeddedScheduler(runtime.jobs)

        async def start() -> None:
            await runtime.start()
            if runtime.jobs.embedded and runtime.config.jobs.embedded_scheduler and runtime.jobs.schedules:
                await scheduler.start()
            logger.info("Tollgate up: %d tenant(s), plugins %s", len(runtime.tenants), runtime.plugins.names())
            heap.settle()

        async def stop() -> None:
            await scheduler.stop()
            await app_config.state["inbox"].close()
            await runtime.stop()

        app_config.on_startup.append(start)
        app_config.on_shutdown.append(stop)

    def _configure_logs_and_traces(self, app_config: LitestarConfig) -> None:
        """A request id and one log line per request (core/logs.py); HTTP spans when tracing is on (core/tracing.py).

        The process configures logging itself (`core.logs.configure`): Litestar's own config is left out.
        """
        from core import tracing
        from core.logs import request_context

        app_config.logging_config = None
        app_config.middleware.insert(0, request_context)
        if self.runtime.config.tracing.enabled:
            app_config.plugins.append(tracing.litestar_plugin())

    def _configure_metrics(self, app_config: LitestarConfig) -> None:
        """HTTP metrics by route template and tenant; served on the metrics port (`core.exporter`), not here."""
        from core.exporter import process_exiting
        from core.metrics import http_metrics

        if self.runtime.config.metrics.enabled:
            app_config.middleware.insert(0, http_metrics)
            app_config.on_shutdown.append(process_exiting)

    def _configure_console(self, app_config: LitestarConfig) -> None:
        """The operators' console at `/console/` (docs/console.md): HTML pages over the same services."""
        from core.console.mount import mount

        mount(app_config, self.runtime)


def in_order(*guards: Guard) -> Guard:
    """One guard running `guards` in order: Litestar hands each guard of a route its own copy of the
    route handler, a copy per guard on every request of the tenant API."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        for each in guards:
            await each(connection, handler)  # type: ignore[misc]  # every guard here is a coroutine function

    return guard


def create_app(runtime: Runtime | None = None) -> Litestar:
    """Build the app for a runtime (by default, one built from the settings and environment)."""
    from core.openapi import finish_documents

    return answer_options_truly(finish_documents(Litestar(plugins=[TollgateInit(runtime or Runtime.build())])))


def answer_options_truly(app: Litestar) -> Litestar:
    """Have each path's OPTIONS answer list every method of the path.

    Litestar answers OPTIONS from the route it first built for a path; when a second router (each
    plugin's, the kernel's) adds handlers to that path, it builds the route anew but keeps the first
    OPTIONS handler, whose `Allow` still lists the first route's methods only. The first route, which
    that handler reads its methods from, is given the methods of the route that serves the path now.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            fn = getattr(handler.fn, "__code__", None)
            if fn is None or handler.fn.__name__ != "options_handler" or "self" not in fn.co_freevars:
                continue
            first = handler.fn.__closure__[fn.co_freevars.index("self")].cell_contents  # type: ignore[index]
            if isinstance(first, HTTPRoute) and first is not route:
                first.methods = set(route.methods)
    return app
