"""One tenant with every plugin on its own emulator account: the ground for tests over every route.

alpha enables every built-in plugin (and the example plugin); beta is another tenant whose keys
must get nowhere on alpha. Besides the usual keys, alpha has a key with the `admin` scope alone,
so each caller kind is tried on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.app import create_app
from core.runtime import Runtime
from tests.payg.conftest import PAYG
from tests.subscriptions.conftest import IMAGEGEN, alpha_prices, priced_tiers  # noqa: F401 - fixtures
from tests.support.jobs import drain
from tests.support.stripe_tenants import alpha_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import secrets_document, tenant_block
from tests.token_packages.conftest import CREDITSHOP, NOTIFICATIONS

ADMIN_ONLY_KEY = "tg_alpha_admin_only_key"
ALL_PLUGINS = ["subscriptions", "token_packages", "payg", "product_sync", "example"]


def everything(name: str, greeting: str) -> dict[str, Any]:
    return tenant_block(
        name,
        ALL_PLUGINS,
        subscriptions=IMAGEGEN,
        token_packages=CREDITSHOP,
        payg=PAYG,
        product_sync={"schedule": False},
        example={"greeting": greeting},
        notifications=NOTIFICATIONS,
    )


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": everything("Everything App", "hej"), "beta": everything("Beta App", "hi")}


@pytest.fixture
def app(runtime: Runtime) -> Litestar:
    return create_app(runtime)


@pytest.fixture
def document(app: Litestar) -> dict[str, Any]:
    """The OpenAPI document the app serves: the list of operations every test here walks."""
    return app.openapi_schema.to_schema()


@pytest.fixture
def tenant_secrets(alpha_key: str, alpha_prices: dict[str, str]) -> dict[str, Any]:  # noqa: F811
    alpha = secrets_document("alpha", stripe_key=alpha_key, prices=alpha_prices)
    alpha["api_keys"].append(
        {"name": "alpha-admin-only", "hash": hashlib.sha256(ADMIN_ONLY_KEY.encode()).hexdigest(), "scopes": ["admin"]}
    )
    return {"alpha": alpha, "beta": secrets_document("beta", stripe_key=alpha_key, prices=alpha_prices)}


@pytest.fixture
async def client(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The shared in-process client; the tasks it started finish before the app stops."""
    yield client
    await drain(runtime)
