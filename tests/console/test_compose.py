"""The production compose file gives every API process one console session key and the operator key's hash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.console.session import Session, Signer
from core.runtime import Runtime
from tenants.secrets import hash_api_key
from tests.support.compose import ROOT, container_env


def test_the_api_processes_share_the_console_session_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("TOLLGATE_")]:
        monkeypatch.delenv(name)
    for name, value in container_env("api", tmp_path / "container").items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    console = Runtime.build().config.console
    demo = ROOT / "deploy" / "demo-secrets"
    assert console.session_secret == (demo / "console_session_secret").read_text().strip()
    assert console.operator_key_hash == hash_api_key("tg_operator")
    # Two processes with the same key read each other's sessions (`tollgate run --workers 2`).
    session = Session("alpha", "ops", "0" * 16, 2**40, "token")
    assert Signer(console.session_secret).load(Signer(console.session_secret).dump(session)) == session
