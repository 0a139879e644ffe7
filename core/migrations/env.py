"""Alembic environment: the kernel's branch and every plugin's, over the shared metadata.

core.migrate builds the configuration (no alembic.ini): the database URL, the loaded plugins, and
the version locations they name through the `tollgate_migrations` hook.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from core import linear_history
from core.db import is_sqlite, metadata
from core.migrate import compare_type

config = context.config


def _plugins() -> Any:
    plugins = config.attributes.get("plugins")
    if plugins is None:
        from core.plugins import load_plugins

        plugins = load_plugins()
    return plugins


# Calling the hook imports every plugin's models into the shared metadata.
list(_plugins().results_by_plugin("tollgate_models"))


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    from core.settings import database_url, load_dynaconf

    return database_url(load_dynaconf())


def _configure(connection: Connection | None = None, url: str | None = None) -> dict[str, Any]:
    target = url or (str(connection.engine.url) if connection is not None else _url())
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "render_as_batch": is_sqlite(target),
        "compare_type": compare_type,
        "user_module_prefix": "sa_types.",
    }
    tables = config.attributes.get("autogenerate_tables")
    if tables is not None:
        # A plugin's revision holds its own tables' changes, not every plugin's pending ones.
        options["include_object"] = lambda item, name, kind, *_: _table_of(item, name, kind) in tables
    return options


def _table_of(item: Any, name: str | None, kind: str) -> str | None:
    return name if kind == "table" else getattr(getattr(item, "table", None), "name", None)


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_configure(url=url))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **_configure(connection))
    with context.begin_transaction():
        if config.attributes.get("adopt_linear_history"):
            config.attributes["adopted"] = linear_history.adopt(context.get_context(), context.script)
        context.run_migrations()


async def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
