"""`tollgate webhooks list|replay` and `tollgate notifications list`, run as an operator runs them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice, recorder
from tests.inbox.processes import BIN, ROOT, plugin_path, write_settings
from tests.inbox.stripe_events import deliver, invoice_paid
from tests.support.jobs import drain


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"inbox": {"max_attempts": 1}}


@pytest.fixture
def tollgate(tmp_path: Path, db_url: str, tenants_config: dict[str, Any], tenant_secrets: dict[str, Any]) -> Any:
    settings = {
        "database": {"url": db_url},
        "jobs": {"broker": "memory", "embedded_scheduler": False},
        "secrets": {"backend": "settings"},
        "tenants": tenants_config,
        "tenant_secrets": tenant_secrets,
        "inbox": {"max_attempts": 1},
    }
    env = {
        **os.environ,
        "TOLLGATE_ENV": "testing",
        "TOLLGATE_SETTINGS": str(write_settings(tmp_path / "settings.json", settings)),
        "PYTHONPATH": os.pathsep.join([str(plugin_path(tmp_path)), str(ROOT)]),
        "COLUMNS": "200",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "tollgate"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    return run


async def dead_events(runtime: Runtime, client: Any, tenant: str, count: int) -> list[dict[str, Any]]:
    events = [invoice_paid() for _ in range(count)]
    for evt in events:
        recorder.FAILURES[evt["id"]] = 1
        assert (await deliver(client, evt, tenant)).status_code == 200
    await drain(runtime)
    return events


async def statuses(runtime: Runtime) -> dict[str, str]:
    async with runtime.sessions() as session:
        return dict((await session.execute(select(WebhookEvent.stripe_event_id, WebhookEvent.status))).all())  # type: ignore[arg-type]


async def test_list_and_replay_dead_events_for_one_tenant_or_all(runtime: Runtime, client: Any, tollgate: Any) -> None:
    alpha = await dead_events(runtime, client, "alpha", 2)
    beta = await dead_events(runtime, client, "beta", 1)
    assert set((await statuses(runtime)).values()) == {"dead"}

    listed = tollgate("webhooks", "list", "--tenant", "alpha")
    assert all(e["id"] in listed for e in alpha)
    assert beta[0]["id"] not in listed
    assert "planned failure" in listed

    replayed = tollgate("webhooks", "replay", "--tenant", "alpha")
    assert "Replayed 2" in replayed
    after = await statuses(runtime)
    assert [after[e["id"]] for e in alpha] == ["processed", "processed"]
    assert after[beta[0]["id"]] == "dead", "another tenant's dead letters are left alone"

    assert "Replayed 1" in tollgate("webhooks", "replay")
    assert set((await statuses(runtime)).values()) == {"processed"}
    assert sorted((await grants_by_invoice(runtime, "alpha")).values()) == [1, 1]
    assert "No webhooks rows in state 'dead'" in tollgate("webhooks", "list")


async def test_notifications_list_has_help_and_an_empty_answer(runtime: Runtime, tollgate: Any) -> None:
    usage = tollgate("notifications", "--help")
    assert "list" in usage
    assert "replay" in usage
    assert "No notifications rows in state 'dead'" in tollgate("notifications", "list", "--tenant", "beta")
