"""docker-compose's secret steps without Docker: `deploy/vault-init.sh` against an OpenBao dev server, then
`tollgate secrets push` of `.secrets.toml` (the `vault-secrets` service), then the production settings
read the five demo tenants' secrets from OpenBao through the AppRole (`tollgate tenants check`). Each
step runs with its service's environment, Docker secrets and settings file (tests/support/compose.py),
from a directory holding nothing; and vault-init.sh stops with a message when it cannot work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.compose import container_env
from tests.support.services import OpenBao, bao_binary, start_openbao

pytestmark = pytest.mark.vault

ROOT = Path(__file__).resolve().parents[2]
TENANTS = ("imagegen", "automate", "fiko", "quickscale", "creditshop")


@pytest.fixture(scope="module")
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    yield bao
    bao.stop()


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TOLLGATE_", "VAULT_", "BAO_"))}
    return subprocess.run(command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_the_init_steps_load_the_five_tenants_for_the_approle(openbao: OpenBao, tmp_path: Path) -> None:
    empty = tmp_path / "workdir"
    empty.mkdir()
    init = container_env("vault-init", tmp_path / "vault-init") | {
        "BAO_ADDR": openbao.url,
        "BAO_TOKEN": openbao.root_token,
        "PATH": f"{Path(bao_binary()).parent}:{os.environ['PATH']}",
    }
    result = run(["sh", str(ROOT / "deploy" / "vault-init.sh")], init, empty)
    assert result.returncode == 0, result.stdout + result.stderr

    tollgate = [sys.executable, "-m", "core.cli"]
    push = container_env("vault-secrets", tmp_path / "vault-secrets") | {"TOLLGATE_VAULT__URL": openbao.url}
    pushed = run([*tollgate, "secrets", "push", "--token", openbao.root_token], push, empty)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "tenant_secrets.toml" in pushed.stdout, "the secrets file is the Docker secret"
    for slug in TENANTS:
        assert f"{slug} → secret/tollgate/tenants/{slug}" in pushed.stdout

    app = container_env("api", tmp_path / "api") | {"TOLLGATE_VAULT__URL": openbao.url}
    checked = run([*tollgate, "tenants", "check"], app, empty)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "secrets from vault" in checked.stdout
    for slug in TENANTS:
        assert f"✓ {slug} (" in checked.stdout, checked.stdout

    # The AppRole reads the tenant folder and nothing else.
    role = openbao.client(token="")
    role_id, secret_id = (
        Path(app[f"TOLLGATE_VAULT__{key}_FILE"]).read_text().strip() for key in ("ROLE_ID", "SECRET_ID")
    )
    login = role.auth.approle.login(role_id=role_id, secret_id=secret_id)
    role.token = login["auth"]["client_token"]
    document = role.secrets.kv.v2.read_secret_version(
        path="tollgate/tenants/fiko", mount_point="secret", raise_on_deleted_version=True
    )
    assert document["data"]["data"]["stripe_secret_key"] == "sk_test_fiko_demo"
    with pytest.raises(Exception, match="permission denied"):
        role.secrets.kv.v2.create_or_update_secret(path="tollgate/tenants/fiko", secret={}, mount_point="secret")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PATH": "/nonexistent"}, "vault-init: no 'bao' command on PATH"),
        ({"BAO_TOKEN": ""}, "vault-init: BAO_TOKEN is not set"),
        ({"TOLLGATE_VAULT__ROLE_ID_FILE": "/nonexistent/role_id"}, "cannot read TOLLGATE_VAULT__ROLE_ID_FILE"),
        ({"TOLLGATE_VAULT__SECRET_ID_FILE": ""}, "set TOLLGATE_VAULT__SECRET_ID_FILE (a file holding it)"),
        ({"BAO_ADDR": "http://127.0.0.1:9", "BAO_WAIT_SECONDS": "1"}, "OpenBao at http://127.0.0.1:9 did not answer"),
    ],
)
def test_vault_init_stops_with_a_message_when_it_cannot_work(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    env = container_env("vault-init", tmp_path) | {
        "BAO_TOKEN": "root",
        "PATH": f"{Path(bao_binary()).parent}:{os.environ['PATH']}",
    }
    env = {key: value for key, value in (env | change).items() if value}
    sh = shutil.which("sh")
    assert sh
    started = time.monotonic()
    result = run([sh, str(ROOT / "deploy" / "vault-init.sh")], env, tmp_path)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert time.monotonic() - started < 30
