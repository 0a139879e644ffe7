"""The process's runtime: settings, plugins, tenants, secrets, Stripe clients, database and jobs.

One `Runtime` per process, built from the settings by the web app, the worker or the CLI. It is
the kernel context (`core.kernel.Kernel`) that hooks receive as `kernel`, that taskiq injects into
tasks, and that each of its sessions carries (`core.kernel.kernel_of(session)`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core import metrics, tracing
from core.db import create_engine, create_sessionmaker
from core.error_codes import ErrorCodes
from core.jobs import Jobs, build_broker
from core.kernel import KERNEL_KEY, EventClaim, Kernel
from core.ledger.spends import Spends
from core.logs import TaskLogContext
from core.notifications.types import NotificationType, register_types
from core.plugins import Plugins, load_plugins
from core.settings import AppConfig, load_dynaconf, validate
from tenants.registry import Tenant, TenantRegistry
from tenants.secrets import SecretsStore, build_backend
from tenants.stripe import StripeClients

logger = logging.getLogger("tollgate")


@dataclass
class Runtime:
    config: AppConfig
    plugins: Plugins
    tenants: TenantRegistry
    secrets: SecretsStore
    stripe: StripeClients
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    jobs: Jobs
    event_handlers: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    notification_types: dict[str, NotificationType] = field(default_factory=dict)
    error_codes: ErrorCodes = field(default_factory=ErrorCodes)
    event_claims: dict[str, list[tuple[str, EventClaim]]] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    spends: Spends = field(init=False)
    _started: bool = False

    def __post_init__(self) -> None:
        self.spends = Spends(self)

    @classmethod
    def build(
        cls,
        *,
        env: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        extra_plugins: dict[str, object] | None = None,
    ) -> Runtime:
        """Read and validate the settings, load plugins, and wire everything (no I/O yet)."""
        plugins = load_plugins(extra_plugins)
        settings = load_dynaconf(env, overrides)

        def plugin_validators(tenant: str, plugin: str, key: str) -> Any:
            return plugins.call_one("tollgate_settings_validators", plugin, tenant=tenant, key=key) or []

        config = validate(settings, plugin_validators, plugins.product_plugins())
        tenants = TenantRegistry.from_settings(config.tenants, plugins.product_plugins())
        secrets = SecretsStore(
            build_backend(config.secrets.backend, config.vault, config.tenant_secrets),
            config.secrets.ttl_seconds,
            failure_ttl_seconds=config.secrets.failure_ttl_seconds,
        )
        engine = create_engine(config.database)
        jobs = Jobs(build_broker(config.jobs))
        runtime = cls(
            config=config,
            plugins=plugins,
            tenants=tenants,
            secrets=secrets,
            stripe=StripeClients(config.stripe, secrets),
            engine=engine,
            sessions=create_sessionmaker(engine),
            jobs=jobs,
        )
        runtime.sessions.configure(info={KERNEL_KEY: runtime})
        jobs.broker.add_dependency_context({Kernel: runtime})
        jobs.broker.add_middlewares(TaskLogContext())
        if config.tracing.enabled:
            tracing.instrument(engine, jobs.broker)
        # Calling the hook imports the models, which registers their tables with the metadata.
        list(plugins.results_by_plugin("tollgate_models"))
        for plugin, types in plugins.results_by_plugin("tollgate_notification_types"):
            register_types(runtime.notification_types, plugin, types or {})
        for plugin, codes in plugins.results_by_plugin("tollgate_error_codes"):
            runtime.error_codes.register(plugin, codes or {})
        for _, tasks in plugins.results_by_plugin("tollgate_tasks", broker=jobs.broker, kernel=runtime):
            jobs.add_tasks(tasks or [])
        for _, schedules in plugins.results_by_plugin("tollgate_schedules", kernel=runtime):
            jobs.add_schedules(schedules or [])
        for plugin, claims in plugins.results_by_plugin("tollgate_event_claims", kernel=runtime):
            for event_type, claim in (claims or {}).items():
                runtime.event_claims.setdefault(event_type, []).append((plugin, claim))
        for plugin, handlers in plugins.results_by_plugin("tollgate_webhook_handlers", kernel=runtime):
            for event_type, handler in (handlers or {}).items():
                runtime.event_handlers.setdefault(event_type, []).append((plugin, handler))
        metrics.know(tenants.slugs(), runtime.event_handlers)
        return runtime

    async def ask(self, hook_name: str, tenant: Tenant, **kwargs: Any) -> list[tuple[str, Any]]:
        return await self.plugins.answers_for(hook_name, tenant, kernel=self, **kwargs)

    async def start(self) -> None:
        if self._started:
            return
        if not self.jobs.broker.is_worker_process:
            await self.jobs.broker.startup()
        self._started = True

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await self.drain()
        if not self.jobs.broker.is_worker_process:
            await self.jobs.broker.shutdown()
        await self.engine.dispose()

    async def drain(self) -> None:
        """Finish the process's group commits and refuse more (503 `shutting_down`), at shutdown.

        The spends queued so far are committed and answered, then the tasks handed to the sender go
        out, before the broker and the engine close. A stopped runtime does not start again.
        """
        await self.spends.close()
        await self.jobs.close()
