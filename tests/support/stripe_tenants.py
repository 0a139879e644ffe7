"""Tenants alpha and beta, each on its own Stripe account in the emulator: fixtures plugin tests share.

A conftest takes them all (`from tests.support.stripe_tenants import *`) and overrides
`tenants_config` with the plugins and blocks it tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.support.tenants import secrets_document

__all__ = ["alpha_key", "beta_key", "settings_overrides", "tenant_secrets"]


@pytest.fixture
def alpha_key(stripe_emulator: EmulatorHandle) -> str:
    return stripe_emulator.new_account()


@pytest.fixture
def beta_key(stripe_emulator: EmulatorHandle) -> str:
    return stripe_emulator.new_account()


@pytest.fixture
def tenant_secrets(alpha_key: str, beta_key: str) -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key),
        "beta": secrets_document("beta", stripe_key=beta_key),
    }


@pytest.fixture
def settings_overrides(stripe_emulator: EmulatorHandle) -> dict[str, Any]:
    """The tenants' Stripe clients talk to the emulator (one retry keeps failure tests fast)."""
    return {"stripe": {"api_base": stripe_emulator.url, "max_network_retries": 1}}
