"""The plugin contract holds as code: import graph, explicit kernel context, hooks called through pluggy.

- no import cycle in the kernel (type-only imports count: they are how circles hide);
- the kernel imports no plugin; a plugin imports no other plugin and none of the kernel's process
  assembly (it gets the kernel as an argument, never by looking it up);
- pluggy's tracing and hook wrappers see the kernel's hook calls.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import grimp
import pluggy
import pytest

from core import hookspecs
from core.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]
# The process assembly: what builds and runs a kernel. Plugins receive the kernel instead.
ASSEMBLY = {"core.runtime", "core.app", "core.asgi", "core.worker"}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("core", "plugins", "tenants", include_external_packages=False)


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), among `modules`."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module) & modules:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_the_kernel_has_no_import_cycle(graph: grimp.ImportGraph) -> None:
    kernel = {m for m in graph.modules if m == "core" or m.startswith("core.")}
    assert cycles(graph, kernel) == []


def test_the_kernel_imports_no_plugin(graph: grimp.ImportGraph) -> None:
    chains = graph.find_shortest_chains(importer="core", imported="plugins", as_packages=True)
    assert not chains, f"core imports plugins: {sorted(chains)}"


def test_plugins_import_neither_each_other_nor_the_assembly(graph: grimp.ImportGraph) -> None:
    plugins = sorted(m for m in graph.modules if m.count(".") == 1 and m.startswith("plugins."))
    assert len(plugins) >= 4
    wrong = []
    for plugin in plugins:
        for module in (m for m in graph.modules if m == plugin or m.startswith(plugin + ".")):
            for imported in graph.find_modules_directly_imported_by(module):
                other_plugin = imported.startswith("plugins.") and not (
                    imported == plugin or imported.startswith(plugin + ".")
                )
                if other_plugin or imported in ASSEMBLY:
                    wrong.append(f"{module} -> {imported}")
    assert not wrong, wrong


def test_no_global_runtime_lookup() -> None:
    """Services, tasks and plugins get the kernel as an argument; `current()` is gone."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("core", "plugins", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bcurrent\(\)|set_current\b|import current\b", line)
    ]
    assert not offenders, offenders


def test_tracing_shows_the_kernels_hook_calls(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOLLGATE_TRACE_PLUGINS", "1")
    plugins = load_plugins()
    assert [name for name, _ in plugins.results_by_plugin("tollgate_models")]
    traced = capsys.readouterr().err
    assert "tollgate_models" in traced, traced[:500]


class Recorder:
    """A plugin that only wraps: it sees every implementation's call of a hook and its result."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    @hookspecs.hookimpl(wrapper=True)
    def tollgate_models(self) -> Any:
        result = yield
        self.seen.append(("tollgate_models", result))
        return result


def test_hook_wrappers_see_every_call() -> None:
    recorder = Recorder()
    plugins = load_plugins({"recorder-wrapper": recorder})
    answered = [name for name, result in plugins.results_by_plugin("tollgate_models") if result]
    assert answered
    assert len(recorder.seen) == len(answered), "the wrapper wraps each plugin's call"
    assert isinstance(plugins.pm, pluggy.PluginManager)
