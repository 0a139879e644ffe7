"""`tollgate tenants list|check`: every tenant's plugins, and a readable verdict on each tenant's secrets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from click.testing import CliRunner, Result

from core.cli import main
from tests.support.tenants import secrets_document, tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("Alpha App", ["payg"], payg={}, notifications={"url": "https://alpha.example/hooks"}),
        "beta": tenant_block("Beta App"),
        "gamma": tenant_block("Gamma App"),
    }


@pytest.fixture
def tenant_secrets() -> dict[str, Any]:
    # beta's secrets are missing; gamma's are there but unusable.
    return {
        "alpha": secrets_document("alpha"),
        "gamma": {**secrets_document("beta"), "stripe_secret_key": "pk_test_publishable", "jwt_secret": "short"},
    }


async def invoke(make_runtime: Any, *args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=make_runtime())


async def test_list_shows_plugins_and_where_notices_go(make_runtime: Any) -> None:
    result = await invoke(make_runtime, "tenants", "list")
    assert result.exit_code == 0, result.output
    alpha = next(line for line in result.output.splitlines() if "alpha" in line)
    assert "payg" in alpha
    assert "https://alpha.example/hooks" in result.output


async def test_check_reports_each_tenant_and_fails_on_unusable_secrets(make_runtime: Any) -> None:
    result = await invoke(make_runtime, "tenants", "check")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "settings valid: 3 tenant(s); secrets from settings" in lines[0]
    assert "✓ alpha (payg): secrets readable" in result.output
    assert "✗ beta (no plugins): secrets unreadable from settings: no [tenant_secrets.beta] block" in result.output
    assert "✗ gamma (no plugins): secrets readable" in result.output
    assert "error: stripe_secret_key is not a Stripe secret key" in result.output
    assert "warning: jwt_secret is shorter than 32 bytes" in result.output
    assert "2 tenant(s) need attention" in result.output


async def test_check_one_good_tenant_passes_and_an_unknown_one_is_a_usage_error(make_runtime: Any) -> None:
    assert (await invoke(make_runtime, "tenants", "check", "alpha")).exit_code == 0
    unknown = await invoke(make_runtime, "tenants", "check", "delta")
    assert unknown.exit_code == 2
    assert "no tenant delta" in unknown.output
