"""Loading plugins: the built-in ones named in DEFAULT_PLUGINS, then the `tollgate.plugins` entry points.

`TOLLGATE_DISABLE_PLUGINS=a,b` keeps the named plugins from loading at all;
`TOLLGATE_TRACE_PLUGINS=1` logs every hook call (pluggy's tracing) to stderr.
The kernel registers its own domains the same way (`core`, `core.ledger`, ...): kernel plugins are
always on; product plugins (everything else) are enabled per tenant in the settings.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from collections.abc import Collection, Iterator
from importlib.metadata import entry_points
from typing import Any

import pluggy

from core import hookspecs

logger = logging.getLogger("tollgate.plugins")

ENTRY_POINT_GROUP = "tollgate.plugins"
CORE_PLUGIN = "core"

# (name, module with the plugin's hook implementations); names starting with "core" are the kernel.
DEFAULT_PLUGINS: tuple[tuple[str, str], ...] = (
    (CORE_PLUGIN, "core.hooks"),
    ("core.ledger", "core.ledger.hooks"),
    ("core.notifications", "core.notifications.hooks"),
    ("core.inbox", "core.inbox.hooks"),
    ("core.money_audit", "core.money_audit.hooks"),
    ("core.audit_trail", "core.audit_trail.hooks"),
    ("core.retention", "core.retention.hooks"),
    ("core.analytics", "core.analytics.hooks"),
    ("product_sync", "plugins.product_sync.hooks"),
    ("payg", "plugins.payg.hooks"),
    ("subscriptions", "plugins.subscriptions.hooks"),
    ("token_packages", "plugins.token_packages.hooks"),
)


def is_kernel(name: str) -> bool:
    return name == CORE_PLUGIN or name.startswith(CORE_PLUGIN + ".")


class Plugins:
    """The plugin manager and the few ways the kernel asks it things."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self._callers: dict[tuple[str, str], Any] = {}

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def names(self) -> list[str]:
        """Every loaded plugin's name, `core` included."""
        return [name for name, _ in self.pm.list_name_plugin() if name is not None]

    def product_plugins(self) -> set[str]:
        """The names a tenant may list under `plugins` (everything but the kernel)."""
        return {name for name in self.names() if not is_kernel(name)}

    def results_by_plugin(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call one hook on every plugin through pluggy, yielding (plugin name, result) in load order.

        Each plugin's implementation runs through its own pluggy hook caller (`subset_hook_caller`,
        the other plugins' plain implementations left out, every wrapper kept), so tracing and
        hook wrappers see every call while the kernel still knows whose answer is whose.
        """
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            if not (impl.hookwrapper or impl.wrapper):
                yield impl.plugin_name, self._answer(hook_name, impl.plugin_name, kwargs)

    def answering(self, hook_name: str, tenant: Any) -> list[str]:
        """The kernel's and `tenant`'s enabled plugins implementing a per-request hook, in load order."""
        impls = reversed(getattr(self.pm.hook, hook_name).get_hookimpls())
        return [
            impl.plugin_name
            for impl in impls
            if not (impl.hookwrapper or impl.wrapper)
            and (is_kernel(impl.plugin_name) or tenant.enabled(impl.plugin_name))
        ]

    async def answers_for(
        self, hook_name: str, tenant: Any, *, only: Collection[str] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """A per-request hook's non-empty answers from the kernel and the plugins `tenant` enables (those
        named in `only`, when given), awaited."""
        answers: list[tuple[str, Any]] = []
        for plugin in self.answering(hook_name, tenant):
            if only is not None and plugin not in only:
                continue
            result = await resolve(self._answer(hook_name, plugin, {"tenant": tenant, **kwargs}))
            if result:
                answers.append((plugin, result))
        return answers

    def call_one(self, hook_name: str, plugin: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of a hook through pluggy (None when it does not implement it)."""
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if impl.plugin_name == plugin and not (impl.hookwrapper or impl.wrapper):
                return self._answer(hook_name, plugin, kwargs)
        return None

    def _answer(self, hook_name: str, plugin: str, kwargs: dict[str, Any]) -> Any:
        caller = self._callers.get((hook_name, plugin))
        if caller is None:
            hook = getattr(self.pm.hook, hook_name)
            others = {
                impl.plugin_name
                for impl in hook.get_hookimpls()
                if impl.plugin_name != plugin and not (impl.hookwrapper or impl.wrapper)
            }
            remove = [self.pm.get_plugin(name) for name in others]
            caller = self._callers[(hook_name, plugin)] = self.pm.subset_hook_caller(hook_name, remove_plugins=remove)
        results = caller(**kwargs)
        return results[0] if results else None


async def resolve(value: Any) -> Any:
    """Await a hook result when it is awaitable (per-request hooks may be async)."""
    return await value if inspect.isawaitable(value) else value


def _disabled() -> set[str]:
    return {p.strip() for p in os.environ.get("TOLLGATE_DISABLE_PLUGINS", "").split(",") if p.strip()}


def load_plugins(extra: dict[str, object] | None = None) -> Plugins:
    """Build the plugin manager: defaults, then entry points, then `extra` (tests)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    disabled = _disabled()
    for name, module in DEFAULT_PLUGINS:
        if name not in disabled:
            pm.register(importlib.import_module(module), name=name)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in disabled or pm.has_plugin(ep.name):
            continue
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception:
            logger.exception("plugin %s (entry point %s) failed to load", ep.name, ep.value)
            raise
    for name, plugin in (extra or {}).items():
        pm.register(plugin, name=name)
    pm.check_pending()
    if os.environ.get("TOLLGATE_TRACE_PLUGINS"):
        pm.trace.root.setwriter(lambda msg: sys.stderr.write(str(msg)))
        pm.enable_tracing()
    return Plugins(pm)
