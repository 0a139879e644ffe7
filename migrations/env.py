"""Alembic environment: one history for the kernel's and every plugin's tables."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from core.db import is_sqlite, metadata
from core.migrate import compare_type
from core.plugins import load_plugins

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Calling the hook imports every plugin's models into the shared metadata.
list(load_plugins().results_by_plugin("tollgate_models"))


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if url:
        return str(url)
    from core.settings import load_dynaconf

    return str(load_dynaconf().get("database.url"))


def _configure(connection: Connection | None = None, url: str | None = None) -> dict[str, Any]:
    target = url or (str(connection.engine.url) if connection is not None else _url())
    return {
        "target_metadata": metadata,
        "render_as_batch": is_sqlite(target),
        "compare_type": compare_type,
        "user_module_prefix": "sa_types.",
    }


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **_configure(url=url))
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **_configure(connection))
    with context.begin_transaction():
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
