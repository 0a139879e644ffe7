"""docker-compose.yml describes the production shape, and every command it names exists here.

No Docker engine runs on the CI machine, so this checks the file's structure instead of starting it,
and reads the settings as its services would (tests/support/compose.py).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from core.cli import main
from core.runtime import Runtime
from tests.support.compose import ROOT, compose, container_env, mounts

TOLLGATE_SERVICES = ("vault-secrets", "migrate", "api", "worker", "scheduler")


def test_compose_has_the_production_services() -> None:
    services = compose()["services"]
    for name in ("postgres", "redis", "openbao", "vault-init", *TOLLGATE_SERVICES):
        assert name in services, name
    api = services["api"]
    assert api["environment"]["TOLLGATE_ENV"] == "production"
    assert "migrate" in api["depends_on"]
    assert "8000:8000" in api["ports"]


@pytest.mark.parametrize("service", TOLLGATE_SERVICES)
def test_the_production_settings_name_the_compose_services_and_secrets_come_from_files(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = container_env(service, tmp_path / "container")
    assert "/etc/tollgate/settings.toml" in mounts(service), "the image carries no settings file"
    for name in [name for name in os.environ if name.startswith("TOLLGATE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    config = Runtime.build().config

    services = set(compose()["services"])
    database = make_url(config.database.url)
    assert (config.env, config.jobs.broker, config.secrets.backend, config.vault.auth) == (
        "production",
        "redis",
        "vault",
        "approle",
    )
    assert database.drivername == "postgresql+asyncpg"
    for url in (config.database.url, config.jobs.redis_url, config.vault.url):
        assert make_url(url).host in services, url
    demo = ROOT / "deploy" / "demo-secrets"
    assert database.password == (demo / "database_password").read_text().strip()
    assert config.vault.role_id == (demo / "vault_role_id").read_text().strip()
    assert config.vault.secret_id == (demo / "vault_secret_id").read_text().strip()


def test_no_secret_is_written_in_the_compose_file() -> None:
    for name, service in compose()["services"].items():
        for key in service.get("environment") or {}:
            if any(word in key for word in ("PASSWORD", "ROLE_ID", "SECRET_ID")):
                assert key.endswith("_FILE"), f"{name}: {key} holds a secret; give it as a Docker secret file"


def test_compose_commands_exist_in_the_project() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "tollgate" in scripts
    for name, service in compose()["services"].items():
        command = service.get("command") or []
        if "build" not in service:
            continue
        assert command[:1] == ["tollgate"], f"{name}: {command}: the image's one entry point is `tollgate`"
        path = []
        for word in command[1:]:
            if word.startswith("-"):
                break
            path.append(word)
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, f"{name}: {command} -> {result.output}"


def test_files_the_compose_file_needs_exist() -> None:
    assert (ROOT / "Dockerfile").exists()
    assert (ROOT / "deploy" / "vault-init.sh").exists()
    for kind in ("secrets", "configs"):
        for name, entry in compose()[kind].items():
            assert (ROOT / entry["file"]).is_file(), f"{kind}.{name}: {entry['file']}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    for copied in ("core", "plugins", "tenants"):  # migrations ship inside core and plugins
        assert f"COPY {copied} " in dockerfile
