"""What the kernel hands plugins, hooks and tasks: the process's services, as one explicit argument.

Hooks that do work receive it as `kernel`; tasks declare `kernel: Annotated[Kernel, TaskiqDepends()]`
and taskiq injects it; an event handler finds it on its `EventContext`. Nothing in a plugin or a
service looks the runtime up globally. `core.runtime.Runtime` is the implementation; this module
names only what a plugin may use, and imports nothing that imports it back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from core.error_codes import ErrorCodes
    from core.jobs import Jobs
    from core.notifications.types import NotificationType
    from core.settings import AppConfig
    from tenants.registry import Tenant, TenantRegistry
    from tenants.secrets import SecretsStore
    from tenants.stripe import StripeClients


# Whether a Stripe event (the whole envelope) is the declaring plugin's to apply.
EventClaim = Callable[[Mapping[str, Any]], bool]


class Kernel(Protocol):
    """The runtime services a plugin may use. Money and time have their own modules: `core.ledger`
    (grants, spends, holds through `Ledger(session, tenant)`), `core.notifications.notify` (notices to
    the tenant app) and `core.clock` (now, frozen in tests)."""

    @property
    def config(self) -> AppConfig:
        """The validated settings (`config.tenants` raw, `config.stripe`, `config.inbox`, ...)."""

    @property
    def tenants(self) -> TenantRegistry:
        """Every tenant of the deployment, by slug."""

    @property
    def secrets(self) -> SecretsStore:
        """Each tenant's secrets (Stripe key, webhook secrets, price ids), cached with a TTL."""

    @property
    def stripe(self) -> StripeClients:
        """One Stripe client per tenant, built from its key (`kernel.stripe.for_tenant(tenant)`)."""

    @property
    def engine(self) -> AsyncEngine:
        """The database engine (for driver-level batches; prefer `sessions`)."""

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions on the deployment's database; open one per task or batch (`core.db.session_scope`)."""

    @property
    def jobs(self) -> Jobs:
        """The task broker: `jobs.enqueue(session, task_name, **ids)` sends once the session commits."""

    @property
    def event_handlers(self) -> Mapping[str, Sequence[tuple[str, Any]]]:
        """Every plugin's Stripe event handlers, by event type: `(plugin, handler)` pairs."""

    @property
    def event_claims(self) -> Mapping[str, Sequence[tuple[str, EventClaim]]]:
        """Every plugin's claims on Stripe events, by event type: `(plugin, predicate)` pairs."""

    @property
    def state(self) -> dict[str, Any]:
        """Objects kept between tasks in this process (caches), by a key their owner chooses."""

    @property
    def notification_types(self) -> Mapping[str, NotificationType]:
        """Every notification type a tenant app may receive, with its data Struct: the kernel's and the plugins'."""

    @property
    def error_codes(self) -> ErrorCodes:
        """Every error code a client may see, with its status and meaning: the kernel's and the plugins'."""

    async def ask(self, hook_name: str, tenant: Tenant, **kwargs: Any) -> list[tuple[str, Any]]:
        """Ask the kernel and the plugins `tenant` enables through a per-request hook: their non-empty
        answers, awaited, as `(plugin, answer)`. How one plugin uses what another offers."""


KERNEL_KEY = "tollgate.kernel"


def kernel_of(session: AsyncSession) -> Kernel:
    """The kernel whose sessionmaker opened `session` (each session carries it in `session.info`)."""
    try:
        kernel: Kernel = session.info[KERNEL_KEY]
    except KeyError:
        raise RuntimeError("this session was not opened by a Tollgate kernel's `sessions`") from None
    return kernel
