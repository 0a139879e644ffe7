"""Fixtures of the inbox tests: tenants that enable the recorder plugin, the recorder's own tables, and
worker processes."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.runtime import Runtime
from tests.inbox.processes import WorkerSetup, redis_jobs
from tests.support.jobs import drain
from tests.support.services import unique_name
from tests.support.tenants import tenant_block

RECORDER_SOURCE = Path(__file__).resolve().parents[1] / "inbox_plugin"
if "recorder" not in {ep.name for ep in entry_points(group="tollgate.plugins")}:
    # Not installed by `make test`: import it from the source tree and register it by hand.
    sys.path.insert(0, str(RECORDER_SOURCE))

import tollgate_inbox_recorder as recorder  # noqa: E402


def recorder_installed() -> bool:
    return "recorder" in {ep.name for ep in entry_points(group="tollgate.plugins")}


@pytest.fixture
def extra_plugins() -> dict[str, object]:
    return {} if recorder_installed() else {"recorder": recorder}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("Alpha App", ["recorder"]),
        "beta": tenant_block("Beta App", ["recorder"]),
    }


async def reset_recorder(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(recorder.metadata.create_all)
        for table in recorder.metadata.sorted_tables:
            await conn.execute(table.delete())


@pytest.fixture
async def runtime(runtime: Runtime) -> AsyncIterator[Runtime]:
    """The shared runtime fixture, plus the recorder's tables, empty."""
    await reset_recorder(runtime.engine)
    recorder.FAILURES.clear()
    return runtime


@pytest.fixture
async def client(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The shared client; the in-process tasks it started finish before the app stops."""
    yield client
    await drain(runtime)


@pytest.fixture
def worker_setup(
    tmp_path: Path, db_url: str, tenants_config: dict[str, Any], tenant_secrets: dict[str, Any]
) -> Iterator[Callable[..., WorkerSetup]]:
    """`make(redis_url, inbox, **settings)`: worker processes' settings on a queue of their own (`jobs` in
    `settings` adds to the queue's block); each worker started on them is stopped after the test."""
    made: list[WorkerSetup] = []

    def make(redis_url: str, inbox: dict[str, Any], **settings: Any) -> WorkerSetup:
        queue = unique_name("inbox_test")
        blocks = {
            "database": {"url": db_url},
            "secrets": {"backend": "settings"},
            "tenants": tenants_config,
            "tenant_secrets": tenant_secrets,
            "inbox": inbox,
            **settings,
            "jobs": redis_jobs(redis_url, queue) | settings.get("jobs", {}),
        }
        setup = WorkerSetup(tmp_path, blocks, redis_url, queue)
        made.append(setup)
        return setup

    yield make
    for setup in made:
        setup.stop_all()


async def grants_by_invoice(runtime: Runtime, tenant: str = "alpha") -> dict[str, int]:
    """How many grants each invoice got (exactly once is 1)."""
    grants = recorder.grants
    statement = (
        select(grants.c.invoice_id, func.count()).where(grants.c.tenant_id == tenant).group_by(grants.c.invoice_id)
    )
    async with runtime.engine.connect() as conn:
        return dict((await conn.execute(statement)).all())


async def subscription_states(runtime: Runtime, tenant: str = "alpha") -> dict[str, str]:
    subscriptions = recorder.subscriptions
    statement = select(subscriptions.c.subscription_id, subscriptions.c.status).where(
        subscriptions.c.tenant_id == tenant
    )
    async with runtime.engine.connect() as conn:
        return dict((await conn.execute(statement)).all())  # type: ignore[arg-type]
