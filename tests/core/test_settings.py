"""A bad tenant config stops start-up with a message naming the tenant and the key; the settings come
from the file the operator names (or ./settings.toml, or /etc/tollgate/settings.toml), bootstrap
secrets from files, and every key is documented."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy.engine import make_url

from core.errors import SettingsError
from core.runtime import Runtime
from core.settings import AppConfig, database_url, load_dynaconf, settings_files
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
    env = {**os.environ, "TOLLGATE_SETTINGS": str(bad)}
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


# ---------------------------------------------------------------------------------------------
# Where the settings come from
# ---------------------------------------------------------------------------------------------

SHOP = '[default.database]\nurl = "sqlite+aiosqlite:///:memory:"\n[default.tenants.shop]\nname = "Shop"\n'


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory and no TOLLGATE_ variables: the process an operator starts."""
    for name in [name for name in os.environ if name.startswith("TOLLGATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    if Path("/etc/tollgate/settings.toml").exists():
        pytest.skip("this machine has /etc/tollgate/settings.toml")
    return tmp_path


def test_the_settings_file_is_the_one_in_the_current_directory_with_the_secrets_beside_it(nowhere: Path) -> None:
    (nowhere / "settings.toml").write_text(SHOP)
    assert settings_files() == [nowhere / "settings.toml"]
    (nowhere / ".secrets.toml").write_text('[default.tenant_secrets.shop]\njwt_secret = "beside"\n')
    assert settings_files() == [nowhere / "settings.toml", nowhere / ".secrets.toml"]
    assert load_dynaconf().get("tenant_secrets.shop.jwt_secret") == "beside"


def test_tollgate_settings_and_tollgate_secrets_file_name_the_files(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (nowhere / "settings.toml").write_text('[default.tenants.other]\nname = "Other"\n')
    (nowhere / "etc").mkdir()
    (nowhere / "etc" / "tollgate.toml").write_text(SHOP)
    (nowhere / "etc" / ".secrets.toml").write_text('[default.tenant_secrets.shop]\njwt_secret = "beside"\n')
    (nowhere / "run").mkdir()
    (nowhere / "run" / "tenants.toml").write_text('[default.tenant_secrets.shop]\njwt_secret = "named"\n')
    monkeypatch.setenv("TOLLGATE_SETTINGS", "etc/tollgate.toml")
    assert settings_files() == [nowhere / "etc" / "tollgate.toml", nowhere / "etc" / ".secrets.toml"]
    assert list(load_dynaconf().get("tenants")) == ["shop"]
    monkeypatch.setenv("TOLLGATE_SECRETS_FILE", str(nowhere / "run" / "tenants.toml"))
    assert load_dynaconf().get("tenant_secrets.shop.jwt_secret") == "named"
    # dynaconf reads a file by its extension and skips one without: refused, not read as empty.
    (nowhere / "run" / "tenants").write_text('[default.tenant_secrets.shop]\njwt_secret = "named"\n')
    monkeypatch.setenv("TOLLGATE_SECRETS_FILE", str(nowhere / "run" / "tenants"))
    with pytest.raises(
        SettingsError, match=r"\$TOLLGATE_SECRETS_FILE is .*/run/tenants: a secrets file's name ends in"
    ):
        load_dynaconf()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {},
            "no settings file: looked for $TOLLGATE_SETTINGS (unset), ./settings.toml, /etc/tollgate/settings.toml",
        ),
        (
            {"TOLLGATE_SETTINGS": "/nowhere/settings.toml"},
            "no settings file: $TOLLGATE_SETTINGS is /nowhere/settings.toml",
        ),
        ({"TOLLGATE_SETTINGS_FILES": "settings.toml"}, "TOLLGATE_SETTINGS_FILES is no longer read"),
    ],
)
def test_no_settings_file_is_one_line_naming_what_was_looked_for(
    nowhere: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_dynaconf()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_file_variables_give_the_bootstrap_secrets(nowhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Docker secrets: files ending in a newline, named by TOLLGATE_<KEY>_FILE.
    (nowhere / "settings.toml").write_text(
        '[default.database]\nurl = "postgresql+asyncpg://tollgate@postgres:5432/tollgate"\n'
        '[default.vault]\nurl = "http://openbao:8200"\nauth = "approle"\n'
        '[default.tenants.shop]\nname = "Shop"\n[default.tenant_secrets.shop]\njwt_secret = "x"\n'
    )
    for name, value in {"password": "p@ss word", "role": "role-1", "secret": "secret-1"}.items():
        (nowhere / name).write_text(value + "\n")
    monkeypatch.setenv("TOLLGATE_DATABASE__PASSWORD_FILE", str(nowhere / "password"))
    monkeypatch.setenv("TOLLGATE_VAULT__ROLE_ID_FILE", str(nowhere / "role"))
    monkeypatch.setenv("TOLLGATE_VAULT__SECRET_ID_FILE", str(nowhere / "secret"))
    config = Runtime.build(env="production").config
    url = make_url(config.database.url)
    assert (url.username, url.password, url.host, url.database) == ("tollgate", "p@ss word", "postgres", "tollgate")
    assert (config.vault.url, config.vault.role_id, config.vault.secret_id) == (
        "http://openbao:8200",
        "role-1",
        "secret-1",
    )
    assert database_url(load_dynaconf()) == config.database.url, "what `tollgate db upgrade` connects to"

    monkeypatch.setenv("TOLLGATE_VAULT__SECRET_ID_FILE", str(nowhere / "missing"))
    with pytest.raises(SettingsError, match=r"\$TOLLGATE_VAULT__SECRET_ID_FILE: cannot read .*missing: No such file"):
        load_dynaconf()


# ---------------------------------------------------------------------------------------------
# Every key documented
# ---------------------------------------------------------------------------------------------

# Not keys of the settings reference: the environment is TOLLGATE_ENV; tenants and their secrets
# have their own tables in the README.
NOT_IN_THE_REFERENCE = {"env", "tenants", "tenant_secrets"}


def model_keys() -> set[str]:
    keys = set()
    for field in msgspec.structs.fields(AppConfig):
        if field.name in NOT_IN_THE_REFERENCE:
            continue
        if isinstance(field.type, type) and issubclass(field.type, msgspec.Struct):
            keys |= {f"{field.name}.{inner.name}" for inner in msgspec.structs.fields(field.type)}
        else:
            keys.add(field.name)
    return keys


def documented_keys() -> set[str]:
    """The keys named in the first column of the README's settings reference."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Configuration") : readme.index("### Tenants")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([a-z_.]+)`", row.split("|")[1])}


def test_every_settings_key_is_documented_and_every_documented_key_is_read() -> None:
    model, documented = model_keys(), documented_keys()
    assert len(model) > 30
    assert model - documented == set(), "settings keys missing from the README's reference"
    assert documented - model == set(), "keys in the README's reference that no setting has"
