"""A bad tenant config stops start-up with a message naming the tenant and the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.errors import SettingsError
from core.runtime import Runtime
from tests.support.tenants import secrets_document

ROOT = Path(__file__).resolve().parents[2]


def build(tenants: dict[str, Any]) -> Runtime:
    return Runtime.build(
        env="testing",
        overrides={
            "database": {"url": "sqlite+aiosqlite:///:memory:"},
            "tenants": tenants,
            "tenant_secrets": {"alpha": secrets_document("alpha")},
        },
    )


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [
        ({"name": "A", "plugins": ["nope"]}, "tenants.alpha.plugins: unknown plugin 'nope'"),
        ({"plugins": []}, "tenants.alpha: Object missing required field `name`"),
        ({"name": "A", "plugins": "example"}, "tenants.alpha.plugins: expected a list of plugin names"),
        ({"name": "A", "colour": "red"}, "tenants.alpha: Object contains unknown field `colour`"),
        ({"name": "A", "notifications": {"max_attempts": "x"}}, "`$.notifications.max_attempts`"),
        (
            {"name": "A", "plugins": ["example"], "example": {"greeting": 5}},
            "tenants.alpha.example: Expected `str`, got `int` - at `$.greeting`",
        ),
        (
            {"name": "A", "plugins": ["example"], "example": {"greting": "hi"}},
            "tenants.alpha.example: Object contains unknown field `greting`",
        ),
    ],
)
def test_invalid_tenant_config_names_tenant_and_key(tenant: dict[str, Any], expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        build({"alpha": tenant})
    assert expected in str(caught.value)
    assert "alpha" in str(caught.value)


def test_valid_config_builds_typed_tenants() -> None:
    runtime = build({"alpha": {"name": "Alpha", "plugins": ["example"], "example": {"greeting": "hej"}}})
    tenant = runtime.tenants.get("alpha")
    assert tenant.enabled("example")
    assert not tenant.enabled("payg")
    assert tenant.name == "Alpha"


def test_env_var_overrides_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOLLGATE_STRIPE__MAX_NETWORK_RETRIES", "7")
    runtime = build({"alpha": {"name": "Alpha"}})
    assert runtime.config.stripe.max_network_retries == 7


def test_cli_refuses_to_start_with_bad_tenant(tmp_path: Path) -> None:
    bad = tmp_path / "settings.toml"
    bad.write_text(
        '[default]\ndatabase = { url = "sqlite+aiosqlite:///:memory:" }\n'
        '[default.tenants.shop]\nname = "Shop"\nplugins = ["no_such_plugin"]\n'
    )
    env = {**os.environ, "TOLLGATE_SETTINGS_FILES": str(bad)}
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "tenants", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "tenants.shop.plugins: unknown plugin 'no_such_plugin'" in result.stderr
    assert "Traceback" not in result.stderr


def test_env_var_sets_a_key_the_files_do_not_declare(monkeypatch: pytest.MonkeyPatch) -> None:
    # docker-compose gives the AppRole this way; dynaconf keeps such a key upper-cased (ROLE_ID).
    monkeypatch.setenv("TOLLGATE_VAULT__ROLE_ID", "tollgate-role")
    monkeypatch.setenv("TOLLGATE_VAULT__SECRET_ID", "tollgate-secret")
    runtime = build({"alpha": {"name": "Alpha"}})
    assert (runtime.config.vault.role_id, runtime.config.vault.secret_id) == ("tollgate-role", "tollgate-secret")
