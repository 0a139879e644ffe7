"""Running the migrations programmatically (`tollgate db upgrade`, the tests, the demo).

The kernel's Alembic history ships inside the `core` package (`core/migrations`, package data); each
plugin ships its own branch, labelled with the plugin's name, and names its directory through the
`tollgate_migrations` hook. `upgrade(url)` takes every branch to its head; `upgrade(url, "payg@head")`
takes one plugin's branch there, with the kernel revisions it depends on.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from advanced_alchemy.types import GUID
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from core.errors import MigrationError

if TYPE_CHECKING:
    from core.plugins import Plugins


class Branch(NamedTuple):
    """One plugin's branch (the kernel's is `core`): the newest revision applied, and its head."""

    name: str
    applied: str | None
    head: str


def versions_in(package: str) -> Path:
    """`<package>/migrations/versions`: where a package ships its revision files (as package data)."""
    location = Path(str(importlib.resources.files(package).joinpath("migrations", "versions")))
    if not location.is_dir():
        raise MigrationError(f"{package} ships no migrations directory at {location} (is it package data?)")
    return location


def compare_type(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic type comparison, minus a false positive: SQLite reflects advanced-alchemy's GUID
    (BINARY(16)) as NUMERIC. Returning None defers to Alembic's own comparison."""
    if context.dialect.name == "sqlite" and isinstance(metadata_type, GUID):
        return False
    return None


def locations(plugins: Plugins) -> dict[str, Path]:
    """Each loaded plugin's revision directory, by plugin name (the `core` kernel's included)."""
    found: dict[str, Path] = {}
    for name, location in plugins.results_by_plugin("tollgate_migrations"):
        if location is None:
            continue
        path = Path(location)
        if not path.is_dir():
            raise MigrationError(f"plugin {name}: its migrations directory {path} does not exist")
        found[name] = path
    return found


def alembic_config(url: str, plugins: Plugins | None = None) -> Config:
    """Alembic's configuration for `url`: the kernel's environment, every plugin's revisions. No file needed."""
    if plugins is None:
        from core.plugins import load_plugins

        plugins = load_plugins()
    config = Config()
    config.set_main_option("script_location", str(importlib.resources.files("core").joinpath("migrations")))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations(plugins).values()))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes.update(url=url, plugins=plugins)
    return config


def script_directory(config: Config) -> ScriptDirectory:
    return ScriptDirectory.from_config(config)


def ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def upgrade(url: str, revision: str = "heads", plugins: Plugins | None = None) -> list[str]:
    """Migrate the database at `url` to `revision` (every branch's head by default). Blocking.

    A database migrated by the linear history of before plugins had branches is first stamped onto
    the branches (core.linear_history); the revisions stamped so are returned (none otherwise).
    """
    ensure_sqlite_dir(url)
    config = alembic_config(url, plugins)
    _refuse_unknown_revisions(config)
    config.attributes["adopt_linear_history"] = True
    command.upgrade(config, revision)
    adopted: list[str] = config.attributes.get("adopted", [])
    return adopted


def upgrade_plugin(url: str, plugin: str, plugins: Plugins | None = None) -> list[str]:
    """Migrate one plugin's branch to its head (and the kernel revisions it depends on). Blocking."""
    config = alembic_config(url, plugins)
    names = branch_names(script_directory(config))
    if plugin not in names:
        raise MigrationError(f"plugin {plugin!r} has no migrations; branches: {', '.join(names)}")
    return upgrade(url, f"{plugin}@head", config.attributes["plugins"])


def revision(
    url: str,
    plugin: str,
    message: str,
    *,
    autogenerate: bool = False,
    rev_id: str | None = None,
    plugins: Plugins | None = None,
) -> Path:
    """Write a new revision file at the head of `plugin`'s branch; its first when it has none. Blocking.

    A branch's first revision is labelled with the plugin's name and depends on the kernel's head.
    With `autogenerate`, the file holds the differences between the database at `url` (migrated to
    the heads) and the plugin's own tables, no other plugin's.
    """
    config = alembic_config(url, plugins)
    plugins = config.attributes["plugins"]
    where = locations(plugins).get(plugin)
    if where is None:
        raise MigrationError(f"plugin {plugin!r} names no migrations directory (the tollgate_migrations hook)")
    script = script_directory(config)
    start: dict[str, Any] = {"head": f"{plugin}@head"}
    if plugin not in branch_names(script):
        kernel = script.revision_map.get_revision("core@head")
        assert kernel is not None
        start = {"head": "base", "branch_label": plugin, "depends_on": kernel.revision}
    if autogenerate:
        config.attributes["autogenerate_tables"] = owned_tables(plugins, plugin)
    ensure_sqlite_dir(url)
    written = command.revision(
        config, message, autogenerate=autogenerate, version_path=str(where), rev_id=rev_id, **start
    )
    assert isinstance(written, Script), written
    return Path(written.path)


def owned_tables(plugins: Plugins, branch: str) -> set[str]:
    """The tables of the models a branch's plugin declares (the `core` branch: every kernel domain's)."""
    from core.plugins import CORE_PLUGIN, is_kernel

    tables: set[str] = set()
    for name, models in plugins.results_by_plugin("tollgate_models"):
        if name == branch or (branch == CORE_PLUGIN and is_kernel(name)):
            tables.update(model.__table__.name for model in models or ())
    return tables


def branch_names(script: ScriptDirectory) -> list[str]:
    """Every branch's label, the kernel's first."""
    names = sorted({label for base in script.get_bases() for label in _labels(script, base)})
    return sorted(names, key=lambda name: name != "core")


def branches(url: str, plugins: Plugins | None = None) -> list[Branch]:
    """Where each branch of the database at `url` stands. Blocking."""
    from core import linear_history

    config = alembic_config(url, plugins)
    script = script_directory(config)
    rows, tables = _read(url)
    applied = _applied(script, linear_history.applied(rows, tables) or rows)
    found = []
    for name in branch_names(script):
        head = script.revision_map.get_revision(f"{name}@head")
        assert head is not None
        members = [rev for rev in _branch(script, name) if rev in applied]
        found.append(Branch(name, members[0] if members else None, head.revision))
    return found


def _labels(script: ScriptDirectory, revision: str) -> set[str]:
    found = script.get_revision(revision)
    return set(found.branch_labels) if found is not None else set()


def _branch(script: ScriptDirectory, name: str) -> list[str]:
    """The revisions of one branch, newest first."""
    return [rev.revision for rev in script.walk_revisions() if name in rev.branch_labels]


def _applied(script: ScriptDirectory, rows: Iterable[str]) -> set[str]:
    """Every revision that a version table holding `rows` has applied: theirs, their ancestors' and dependencies'."""
    by_id = {rev.revision: rev for rev in script.walk_revisions()}
    seen: set[str] = set()
    todo = list(rows)
    while todo:
        found = by_id.get(todo.pop())
        if found is None or found.revision in seen:
            continue
        seen.add(found.revision)
        todo.extend(found._all_down_revisions)  # down revisions and dependencies, resolved
    return seen


def _read(url: str) -> tuple[tuple[str, ...], set[str]]:
    """The version table's rows and the tables of the database at `url`."""

    def read(connection: Connection) -> tuple[tuple[str, ...], set[str]]:
        rows = tuple(MigrationContext.configure(connection).get_current_heads())
        return rows, set(inspect(connection).get_table_names())

    async def run() -> tuple[tuple[str, ...], set[str]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    ensure_sqlite_dir(url)
    return asyncio.run(run())


def _refuse_unknown_revisions(config: Config) -> None:
    """A database that a plugin now missing has migrated cannot be upgraded: say so, not a traceback."""
    rows, _ = _read(str(config.attributes["url"]))
    known = {rev.revision for rev in script_directory(config).walk_revisions()}
    unknown = [row for row in rows if row not in known]
    if unknown:
        raise MigrationError(
            f"the database holds revision(s) {', '.join(unknown)} that no loaded plugin ships: install or enable "
            "the plugin that migrated it (see TOLLGATE_DISABLE_PLUGINS)"
        )
