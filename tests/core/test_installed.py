"""The installed wheel runs from a directory that holds only its settings file, as an operator runs it.

The `tollgate` script of the installed wheel (tests/core/conftest.py), started from a temporary
directory, without the checkout and without the venv's bin on PATH: the settings come from
./settings.toml (the secrets from .secrets.toml beside it), taskiq is run by the same interpreter,
and with no settings file at all every command stops with one line naming where it looked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.services import OpenBao, start_openbao, unique_name
from tests.support.tenants import secrets_document

NO_SETTINGS = (
    "tollgate: no settings file: looked for $TOLLGATE_SETTINGS (unset), ./settings.toml, /etc/tollgate/settings.toml"
)


def settings_toml(directory: Path, **sections: str) -> str:
    blocks = {
        "database": f'url = "sqlite+aiosqlite:///{directory / "tollgate.db"}"',
        "server": 'public_url = "https://billing.example.com"',
        **sections,
    }
    text = "".join(f"[default.{name}]\n{body}\n" for name, body in blocks.items())
    return text + '[default.tenants.shop]\nname = "Shop"\nplugins = ["payg"]\n[default.tenants.shop.payg]\n'


def toml_value(value: Any) -> str:
    """A TOML value for the strings, lists and tables of a secrets document (JSON strings are TOML's)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value)


def operator_env(site: Path) -> dict[str, str]:
    """The installed package first on the path; no TOLLGATE_ variables; the venv's bin not on PATH."""
    venv_bin = Path(sys.executable).parent
    path = [entry for entry in os.environ["PATH"].split(os.pathsep) if entry and Path(entry) != venv_bin]
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TOLLGATE_", "VAULT_", "BAO_"))},
        "PATH": os.pathsep.join(path),
        "PYTHONPATH": str(site),
        "COLUMNS": "200",
    }


def tollgate(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(site / "bin" / "tollgate"), *args],
        cwd=cwd,
        env=operator_env(site),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    yield bao
    bao.stop()


def test_the_script_is_the_installed_one(installed_tollgate: Path, tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(settings_toml(tmp_path))
    where = subprocess.run(
        [sys.executable, "-c", "import core; print(core.__file__)"],
        cwd=tmp_path,
        env=operator_env(installed_tollgate),
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed_tollgate)), where.stdout
    assert (installed_tollgate / "bin" / "tollgate").is_file()


def test_tenants_list_reads_the_settings_file_in_the_current_directory(
    installed_tollgate: Path, tmp_path: Path
) -> None:
    (tmp_path / "settings.toml").write_text(settings_toml(tmp_path))
    listed = tollgate(installed_tollgate, tmp_path, "tenants", "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    shop = next(line for line in listed.stdout.splitlines() if "shop" in line)
    assert "Shop" in shop
    assert "payg" in shop
    assert "Stripe webhook endpoints: https://billing.example.com/t/<slug>/webhooks/stripe" in listed.stdout


@pytest.mark.parametrize(
    "command", [("tenants", "list"), ("db", "upgrade"), ("secrets", "push", "--token", "t"), ("worker",)]
)
def test_without_a_settings_file_every_command_says_where_it_looked(
    installed_tollgate: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    if Path("/etc/tollgate/settings.toml").exists():
        pytest.skip("this machine has /etc/tollgate/settings.toml")
    result = tollgate(installed_tollgate, tmp_path, *command)
    assert result.returncode == 1
    assert result.stderr == NO_SETTINGS + "\n"
    assert result.stdout == ""


@pytest.mark.vault
def test_secrets_push_writes_the_secrets_file_beside_the_settings_into_vault(
    installed_tollgate: Path, tmp_path: Path, openbao: OpenBao
) -> None:
    document = secrets_document("alpha")
    (tmp_path / "settings.toml").write_text(settings_toml(tmp_path, vault=f'url = "{openbao.url}"'))
    refused = tollgate(installed_tollgate, tmp_path, "secrets", "push", "--token", openbao.root_token)
    assert refused.returncode == 1, "no secrets file: nothing to push is an error, not a silent success"
    assert f"no [tenant_secrets.<slug>] in {tmp_path / 'settings.toml'}: nothing to push" in refused.stderr

    (tmp_path / ".secrets.toml").write_text(
        "[default.tenant_secrets.shop]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in document.items())
    )
    pushed = tollgate(installed_tollgate, tmp_path, "secrets", "push", "--token", openbao.root_token)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert f"from {tmp_path / 'settings.toml'}, {tmp_path / '.secrets.toml'} to {openbao.url}" in pushed.stdout
    assert "shop → secret/tollgate/tenants/shop" in pushed.stdout
    stored = openbao.client().secrets.kv.v2.read_secret_version(
        path="tollgate/tenants/shop", mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == document


@pytest.mark.redis
@pytest.mark.parametrize(("command", "started"), [("worker", "Listening started"), ("scheduler", "Startup completed")])
def test_worker_and_scheduler_start_without_the_venv_on_path(
    installed_tollgate: Path, tmp_path: Path, redis_url: str, command: str, started: str
) -> None:
    queue = unique_name("tollgate_installed")
    jobs = f'broker = "redis"\nredis_url = "{redis_url}"\nqueue_name = "{queue}"\nconsumer_group = "{queue}"'
    (tmp_path / "settings.toml").write_text(settings_toml(tmp_path, jobs=jobs))
    log = tmp_path / f"{command}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(installed_tollgate / "bin" / "tollgate"), command],
            cwd=tmp_path,
            env=operator_env(installed_tollgate),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while started not in log.read_text(errors="replace"):
            assert process.poll() is None, f"`tollgate {command}` exited:\n{log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        redis.Redis.from_url(redis_url).delete(queue)
    assert "FileNotFoundError" not in log.read_text(errors="replace")
