"""Storage: the migrated schema matches the models, and the tenant-scoped repository keeps tenants apart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from core.customers.models import Customer
from core.customers.repository import CustomerRepository
from core.db import metadata
from core.migrate import compare_type, upgrade
from core.plugins import load_plugins
from tests.support import services


def _diff(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, metadata))


@pytest.fixture(params=["postgres", "sqlite"])
async def freshly_migrated(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own, migrated and nothing else: the session's holds tables tests made (the
    inbox tests' recorder plugin keeps its own)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        await asyncio.to_thread(upgrade, url)
        yield url
        return
    admin, name = request.getfixturevalue("pg_admin_url"), services.unique_name("tollgate_schema")
    await services.create_database(admin, name)
    url = services.database_url(admin, name)
    await asyncio.to_thread(upgrade, url)
    yield url
    await services.drop_database(admin, name)


async def test_migrated_schema_matches_models(freshly_migrated: str) -> None:
    list(load_plugins().results_by_plugin("tollgate_models"))
    engine = create_async_engine(freshly_migrated)
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    await engine.dispose()
    assert diff == [], f"models and migrations disagree; write a migration: {diff}"


async def test_repository_is_pinned_to_its_tenant(runtime: Any) -> None:
    async with runtime.sessions() as session:
        alpha = CustomerRepository(session=session, tenant_id="alpha")
        beta = CustomerRepository(session=session, tenant_id="beta")
        row = await alpha.add(Customer(external_id="c1"))
        await beta.add(Customer(external_id="c1"))
        await session.flush()
        assert row.tenant_id == "alpha"
        assert [c.tenant_id for c in await alpha.get_many()] == ["alpha"]
        assert await alpha.count() == 1
        assert await beta.get_one_or_none(id=row.id) is None
        with pytest.raises(PermissionError):
            await beta.update(row)
        with pytest.raises(NotImplementedError):
            await alpha.delete_many([row.id])
        await session.rollback()
