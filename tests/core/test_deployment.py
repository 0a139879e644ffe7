"""docker-compose.yml describes the production shape, and every command it names exists here.

No Docker engine runs on the CI machine, so this checks the file's structure instead of starting it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from core.cli import main

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_has_the_production_services() -> None:
    services = compose()["services"]
    for name in ("postgres", "redis", "openbao", "api", "worker", "scheduler", "migrate"):
        assert name in services, name
    api = services["api"]
    assert api["environment"]["TOLLGATE_JOBS__BROKER"] == "redis"
    assert api["environment"]["TOLLGATE_SECRETS__BACKEND"] == "vault"
    assert api["environment"]["TOLLGATE_DATABASE__URL"].startswith("postgresql+asyncpg://")
    assert "migrate" in api["depends_on"]
    assert "8000:8000" in api["ports"]


def test_compose_commands_exist_in_the_project() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    worker_module = ast.parse((ROOT / "core" / "worker.py").read_text())
    assigned = {
        t.id
        for node in ast.walk(worker_module)
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    for name, service in compose()["services"].items():
        command = service.get("command") or []
        if service.get("image", "").startswith(("postgres", "redis", "openbao")) and "build" not in service:
            continue
        if not command:
            continue
        if command[0] == "tollgate":
            assert "tollgate" in scripts
            path = []
            for word in command[1:]:
                if word.startswith("-"):
                    break
                path.append(word)
            result = CliRunner().invoke(main, [*path, "--help"])
            assert result.exit_code == 0, f"{name}: {command} -> {result.output}"
        elif command[0] == "taskiq":
            module, _, attribute = command[2].partition(":")
            assert module == "core.worker" and attribute in assigned, f"{name}: {command}"
        else:
            raise AssertionError(f"{name}: unknown command {command}")


def test_files_the_compose_file_needs_exist() -> None:
    assert (ROOT / "Dockerfile").exists()
    assert (ROOT / "deploy" / "vault-init.sh").exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    for copied in ("core", "plugins", "tenants", "settings.toml"):  # migrations ship inside core and plugins
        assert copied in dockerfile
