"""Fixtures of the money audit tests: alpha sells token packages and payg credits, beta token packages,
each on its own emulator account; the token packages tests' `Shop` buys and forwards Stripe's events."""

from __future__ import annotations

from typing import Any

import pytest

from tests.payg.conftest import PAYG
from tests.support.tenants import tenant_block
from tests.token_packages.conftest import *  # noqa: F403 - alpha_key, beta_key, tenant_secrets, settings_overrides
from tests.token_packages.conftest import CREDITSHOP, FIKO, NOTIFICATIONS, fiko, shop  # noqa: F401 - fixtures


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "CreditShop",
            ["token_packages", "payg"],
            token_packages=CREDITSHOP,
            payg=PAYG,
            notifications=NOTIFICATIONS,
        ),
        "beta": tenant_block("Fiko", ["token_packages"], token_packages=FIKO, notifications=NOTIFICATIONS),
    }
