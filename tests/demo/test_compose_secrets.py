"""docker-compose's secret steps without Docker: `deploy/vault-init.sh` against an OpenBao dev server, then
`tollgate secrets push` of `.secrets.toml` (the `vault-secrets` service), then the production settings
read the five demo tenants' secrets from OpenBao through the AppRole (`tollgate tenants check`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support.services import OpenBao, bao_binary, start_openbao

pytestmark = pytest.mark.vault

ROOT = Path(__file__).resolve().parents[2]
TENANTS = ("imagegen", "automate", "fiko", "quickscale", "creditshop")


@pytest.fixture(scope="module")
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    yield bao
    bao.stop()


def compose_env(service: str) -> dict[str, str]:
    """The environment docker-compose.yml gives a service (anchors resolved by the YAML loader)."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {key: str(value) for key, value in services[service]["environment"].items()}


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TOLLGATE_", "VAULT_", "BAO_"))}
    return subprocess.run(command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_the_init_steps_load_the_five_tenants_for_the_approle(openbao: OpenBao) -> None:
    init = compose_env("vault-init") | {
        "BAO_ADDR": openbao.url,
        "BAO_TOKEN": openbao.root_token,
        "PATH": f"{Path(bao_binary()).parent}:{os.environ['PATH']}",
    }
    result = run(["sh", "deploy/vault-init.sh"], init)
    assert result.returncode == 0, result.stdout + result.stderr

    tollgate = [sys.executable, "-m", "core.cli"]
    app = compose_env("api") | {"TOLLGATE_VAULT__URL": openbao.url}
    pushed = run([*tollgate, "secrets", "push", "--token", openbao.root_token], app)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    for slug in TENANTS:
        assert f"{slug} → secret/tollgate/tenants/{slug}" in pushed.stdout

    checked = run([*tollgate, "tenants", "check"], app)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "secrets from vault" in checked.stdout
    for slug in TENANTS:
        assert f"✓ {slug} (" in checked.stdout, checked.stdout

    # The AppRole reads the tenant folder and nothing else.
    role = openbao.client(token="")
    login = role.auth.approle.login(role_id=app["TOLLGATE_VAULT__ROLE_ID"], secret_id=app["TOLLGATE_VAULT__SECRET_ID"])
    role.token = login["auth"]["client_token"]
    document = role.secrets.kv.v2.read_secret_version(
        path="tollgate/tenants/fiko", mount_point="secret", raise_on_deleted_version=True
    )
    assert document["data"]["data"]["stripe_secret_key"] == "sk_test_fiko_demo"
    with pytest.raises(Exception, match="permission denied"):
        role.secrets.kv.v2.create_or_update_secret(path="tollgate/tenants/fiko", secret={}, mount_point="secret")
