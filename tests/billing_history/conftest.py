"""A tenant selling subscriptions, token packages and PAYG credits from one Stripe account (the emulator), its
webhooks delivered signed to the live app: the billing history's world."""

from __future__ import annotations

from typing import Any

import pytest

from tests.payg.conftest import PAYG
from tests.subscriptions.conftest import (  # noqa: F401 - the subscriptions' fixtures
    IMAGEGEN,
    Shop,
    alpha_prices,
    client,
    create_customer,
    priced_tiers,
    shop,
)
from tests.support.stripe_tenants import alpha_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import secrets_document, tenant_block
from tests.token_packages.conftest import CREDITSHOP


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    block = tenant_block(
        "Automate",
        ["subscriptions", "token_packages", "payg"],
        subscriptions=IMAGEGEN,
        token_packages=CREDITSHOP,
        payg=PAYG,
        notifications={"url": "http://127.0.0.1:9/tollgate"},
    )
    return {"alpha": block, "beta": tenant_block("Beta App", ["subscriptions"], subscriptions=IMAGEGEN)}


@pytest.fixture
def tenant_secrets(alpha_key: str, alpha_prices: dict[str, str]) -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key, prices=alpha_prices),
        "beta": secrets_document("beta"),
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
