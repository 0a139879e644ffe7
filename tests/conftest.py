"""Shared fixtures: real PostgreSQL (and SQLite), Redis and OpenBao; a Tollgate runtime and app per test.

Tests talk to the app over HTTP (Litestar's AsyncTestClient, or a live uvicorn server where Stripe's
webhooks must reach it). The default database is PostgreSQL; parametrize `db_url` indirectly with
"sqlite" to run a test on the embedded default too.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_PLUGINS = ROOT / "build" / "test-plugins"
# Figures checked outside test modules still get pytest's assertion messages.
pytest.register_assert_rewrite("tests.demo.figures")
if TEST_PLUGINS.exists():
    # The example third-party plugin, pip-installed there by `make test`, found by its entry point.
    sys.path.insert(0, str(TEST_PLUGINS))

from core import clock  # noqa: E402
from core.app import create_app  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.runtime import Runtime  # noqa: E402
from tests.support import services  # noqa: E402
from tests.support.app import asgi_client  # noqa: E402
from tests.support.database import wipe  # noqa: E402
from tests.support.tenants import default_tenants, secrets_document  # noqa: E402
from tests.support.wheel import installed_tollgate, tollgate_wheel  # noqa: E402, F401 - session fixtures

pytest_plugins = ["stripe_emulator.pytest_plugin"]


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with services.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    name = services.unique_name("tollgate_test")
    services.run_blocking(lambda: services.create_database(pg_admin_url, name))
    url = services.database_url(pg_admin_url, name)
    services.run_blocking(lambda: upgrade(url))
    yield url
    services.run_blocking(lambda: services.drop_database(pg_admin_url, name))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'tollgate.db'}"
    services.run_blocking(lambda: upgrade(url))
    return url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with services.redis_server() as url:
        yield url


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    backend = getattr(request, "param", "postgres")
    return str(request.getfixturevalue("pg_url" if backend == "postgres" else "sqlite_url"))


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    """The tenants block of the settings; override in a module to enable plugins."""
    return default_tenants()


@pytest.fixture
def tenant_secrets(tenants_config: dict[str, Any]) -> dict[str, Any]:
    return {slug: secrets_document(slug) for slug in tenants_config if slug in ("alpha", "beta")}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra settings for one test (override the fixture)."""
    return {}


@pytest.fixture
def extra_plugins() -> dict[str, object]:
    """Plugins registered beside the installed ones, by name (override in a module: test-only plugins)."""
    return {}


@pytest.fixture
def make_runtime(
    db_url: str,
    tenants_config: dict[str, Any],
    tenant_secrets: dict[str, Any],
    settings_overrides: dict[str, Any],
    extra_plugins: dict[str, object],
) -> Any:
    built: list[Runtime] = []

    def build(**overrides: Any) -> Runtime:
        settings = {
            "database": {"url": db_url},
            "jobs": {"broker": "memory", "embedded_scheduler": False},
            "secrets": {"backend": "settings", "ttl_seconds": 300},
            "tenants": tenants_config,
            "tenant_secrets": tenant_secrets,
            **settings_overrides,
            **overrides,
        }
        runtime = Runtime.build(env="testing", overrides=settings, extra_plugins=extra_plugins)
        built.append(runtime)
        return runtime

    build.built = built  # type: ignore[attr-defined]
    return build


@pytest.fixture
async def runtime(make_runtime: Any) -> AsyncIterator[Runtime]:
    rt: Runtime = make_runtime()
    await wipe(rt.engine)
    yield rt
    for built in make_runtime.built:
        await built.stop()
        await built.engine.dispose()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP to the app, in this event loop (the app's pools live on the test's loop)."""
    async with asgi_client(create_app(runtime)) as http:
        yield http


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    yield
    clock.reset()
