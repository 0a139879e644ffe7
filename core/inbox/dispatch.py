"""Which handlers an event goes to: every enabled plugin's handler for its type (kernel domains always),
none when the event's mode (live or test) is not the tenant's, and only its owner's when a plugin
claims the event's Stripe object (`tollgate_event_claims`: by the `tollgate_plugin` metadata the
plugin stamped on the objects it created).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from core import tracing
from core.hookspecs import EventHandler
from core.plugins import is_kernel
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.inbox")

if TYPE_CHECKING:
    from core.inbox.context import EventContext
    from core.kernel import EventClaim, Kernel


class HandlerFailed(Exception):
    """A plugin's handler raised; the cause is chained, so the row's error shows both."""

    def __init__(self, plugin: str, event_type: str, cause: Exception) -> None:
        super().__init__(f"the {plugin!r} handler for {event_type} failed: {type(cause).__name__}: {cause}")
        self.plugin = plugin


class Routing(NamedTuple):
    """Where one event goes: the handlers that apply it, or none and why when handlers were refused it."""

    handlers: list[tuple[str, EventHandler]]
    # Kept on the row (`last_error`) for operators; None when the event goes to its handlers.
    ignored_because: str | None = None


def route(runtime: Kernel, tenant: Tenant, event_type: str, *, livemode: bool | None, live_key: bool) -> Routing:
    """The handlers that apply an event for `tenant`: none when its mode is not that of the tenant's Stripe key.

    An event of the other mode comes from an endpoint wired to the wrong account mode: applied, a
    test payment would grant real credits (or a live one be lost in a test tenant).
    """
    if livemode is not None and livemode != live_key:
        key_mode = "live" if live_key else "test"
        reason = f"livemode mismatch: event livemode={str(livemode).lower()}, tenant key is {key_mode} mode"
        return Routing([], reason)
    return Routing(handlers_for(runtime, tenant, event_type))


def routes_by_type(runtime: Kernel, tenant: Tenant) -> dict[str, list[str]]:
    """`route`'s handlers for each event type, for events of the tenant's mode (types no handler takes
    left out): for a statement that settles many events by type; their modes are checked one by one."""
    by_type: dict[str, list[str]] = {}
    for event_type in runtime.event_handlers:
        handlers = handlers_for(runtime, tenant, event_type)
        if handlers:
            by_type[event_type] = [plugin for plugin, _ in handlers]
    return by_type


def handlers_for(runtime: Kernel, tenant: Tenant, event_type: str) -> list[tuple[str, EventHandler]]:
    """The (plugin, handler) pairs that apply `event_type` for `tenant`, in plugin registration order."""
    return [
        (plugin, handler)
        for plugin, handler in runtime.event_handlers.get(event_type, [])
        if is_kernel(plugin) or tenant.enabled(plugin)
    ]


def metadata_owner(obj: Mapping[str, Any]) -> str | None:
    """The plugin that made a Stripe object, from the `tollgate_plugin` metadata it stamped on it (an
    invoice carries its subscription's metadata under `parent.subscription_details`)."""
    metadata = obj.get("metadata") or {}
    if not metadata.get("tollgate_plugin"):
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        metadata = details.get("metadata") or {}
    owner = metadata.get("tollgate_plugin")
    return str(owner) if owner else None


def claims_by_metadata(plugin: str, event_types: Sequence[str]) -> dict[str, EventClaim]:
    """`tollgate_event_claims`'s usual answer: `plugin` claims the events of `event_types` whose object
    it stamped with its `tollgate_plugin` metadata."""

    def stamped_by_plugin(event: Mapping[str, Any]) -> bool:
        return metadata_owner(event["data"]["object"]) == plugin

    return dict.fromkeys(event_types, stamped_by_plugin)


def claimed(
    kernel: Kernel, tenant: Tenant, event: Mapping[str, Any], handlers: list[tuple[str, EventHandler]]
) -> list[tuple[str, EventHandler]]:
    """`handlers` less those of plugins that declare claims on the event's type but do not claim this
    event, when another enabled plugin does; with no claim, every handler gets it."""
    claims = kernel.event_claims.get(str(event.get("type")), ())
    owners = {plugin for plugin, claims_it in claims if tenant.enabled(plugin) and claims_it(event)}
    if not owners:
        return handlers
    claimants = {plugin for plugin, _ in claims}
    return [(plugin, handler) for plugin, handler in handlers if plugin in owners or plugin not in claimants]


async def dispatch(ctx: EventContext, handlers: list[tuple[str, EventHandler]]) -> None:
    """Await each handler the event's claims leave, in turn, in the caller's transaction; the first
    failure fails the event."""
    for plugin, handler in claimed(ctx.runtime, ctx.tenant, ctx.event, handlers):
        with tracing.span(
            f"handle {ctx.type}", plugin=plugin, tenant=ctx.tenant.slug, stripe_event_id=str(ctx.event.get("id"))
        ):
            try:
                await handler(ctx)
            except Exception as exc:
                raise HandlerFailed(plugin, ctx.type, exc) from exc
        logger.debug("%s applied by %s", ctx.type, plugin)
