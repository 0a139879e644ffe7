"""Which handlers an event goes to: every enabled plugin's handler for its type (kernel domains always)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
