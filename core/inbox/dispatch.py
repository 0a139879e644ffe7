"""Which handlers an event goes to: every enabled plugin's handler for its type (kernel domains always),
none when the event's mode (live or test) is not the tenant's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from core.hookspecs import EventHandler
from core.plugins import is_kernel
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.inbox.context import EventContext
    from core.runtime import Runtime


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


def route(runtime: Runtime, tenant: Tenant, event_type: str, *, livemode: bool | None, live_key: bool) -> Routing:
    """The handlers that apply an event for `tenant`: none when its mode is not that of the tenant's Stripe key.

    An event of the other mode comes from an endpoint wired to the wrong account mode: applied, a
    test payment would grant real credits (or a live one be lost in a test tenant).
    """
    if livemode is not None and livemode != live_key:
        key_mode = "live" if live_key else "test"
        reason = f"livemode mismatch: event livemode={str(livemode).lower()}, tenant key is {key_mode} mode"
        return Routing([], reason)
    return Routing(handlers_for(runtime, tenant, event_type))


def handlers_for(runtime: Runtime, tenant: Tenant, event_type: str) -> list[tuple[str, EventHandler]]:
    """The (plugin, handler) pairs that apply `event_type` for `tenant`, in plugin registration order."""
    return [
        (plugin, handler)
        for plugin, handler in runtime.event_handlers.get(event_type, [])
        if is_kernel(plugin) or tenant.enabled(plugin)
    ]


async def dispatch(ctx: EventContext, handlers: list[tuple[str, EventHandler]]) -> None:
    """Await each handler in turn, in the caller's transaction; the first failure fails the event."""
    for plugin, handler in handlers:
        try:
            await handler(ctx)
        except Exception as exc:
            raise HandlerFailed(plugin, ctx.type, exc) from exc
