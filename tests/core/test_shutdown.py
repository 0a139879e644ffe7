"""SIGTERM drains: `tollgate run` under load finishes what it answered, and answers nothing it did not commit.

A real server process (`python -m core.cli run`) on a fresh database takes spends from many
concurrent clients, each with its own Idempotency-Key, and gets SIGTERM mid-load. Then, in the
database: every spend answered 2xx is committed with its key, no spend is committed without its
key, a spend answered with an error is not committed, and one that got no answer is either absent
or committed once, which a replay with its key on a restarted server shows (the replay applies
nothing twice). After a stop, the spend path refuses with 503 `shutting_down` instead of hanging.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core.runtime import Runtime
from tests.inbox.processes import write_settings
from tests.support.services import free_port
from tests.support.tenants import auth, secrets_document, tenant_block

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = "busy"
GRANTED = 1_000_000
LOOPS = 32
GRACEFUL_SECONDS = 10
# The connection errors that mean "no answer": the request may or may not have reached the server.
UNANSWERED = (httpx.TransportError,)


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": tenant_block("Alpha App", ["payg"], payg={})}


@pytest.fixture
def tenant_secrets() -> dict[str, Any]:
    return {"alpha": secrets_document("alpha")}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@dataclass
class Load:
    """What each spend's request came back with, by its Idempotency-Key."""

    answered: dict[str, int] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)  # the entry of each spend answered 201
    unanswered: set[str] = field(default_factory=set)
    # Spends answered 2xx after SIGTERM was sent: in flight when it came, and drained.
    ok_after_sigterm: int = 0
    sigterm_at: float | None = None


def start_server(settings: Path, log: Path, port: int) -> Server:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")},
        "TOLLGATE_ENV": "testing",
        "TOLLGATE_SETTINGS": str(settings),
        "PYTHONPATH": str(ROOT),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "run", "--no-migrate", "--port", str(port)],
            cwd=settings.parent,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited at start:\n{server.log_tail()}"
        try:
            if httpx.get(f"{server.base}/health/live", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the server did not start:\n{server.log_tail()}")


@pytest.fixture
def settings_file(runtime: Runtime, tmp_path: Path, tenants_config: Any, tenant_secrets: Any) -> Path:
    """The test's database (migrated, wiped by `runtime`), one payg tenant, the memory broker."""
    return write_settings(
        tmp_path / "settings.json",
        {
            "database": {"url": runtime.config.database.url},
            "jobs": {"broker": "memory", "embedded_scheduler": False},
            "secrets": {"backend": "settings"},
            "server": {"host": "127.0.0.1", "graceful_shutdown_seconds": GRACEFUL_SECONDS},
            "tenants": tenants_config,
            "tenant_secrets": tenant_secrets,
        },
    )


@pytest.fixture
def servers(settings_file: Path, tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def spend(http: httpx.AsyncClient, key: str, amount: int = 1) -> Any:
    return http.post(
        f"/t/alpha/v1/customers/{CUSTOMER}/spend",
        json={"credits": amount, "reason": "load"},
        headers={**auth("alpha"), "Idempotency-Key": key},
    )


async def drive(http: httpx.AsyncClient, load: Load, loop: int) -> None:
    """Spend with a new key after each answer, until the server refuses connections."""
    n = 0
    while True:
        key = f"load-{loop}-{n}"
        n += 1
        try:
            response = await spend(http, key)
        except httpx.ConnectError:
            load.unanswered.add(key)  # refused: never reached the server
            return
        except UNANSWERED:
            load.unanswered.add(key)
            continue
        load.answered[key] = response.status_code
        if response.status_code == 201:
            load.entries[key] = response.json()["entry_id"]
        if load.sigterm_at is not None and response.is_success:
            load.ok_after_sigterm += 1


async def stop_midload(server: Server, load: Load, *, after_answers: int) -> float:
    """SIGTERM to the server once `after_answers` spends were answered; the seconds until it exited."""
    while len(load.answered) < after_answers:
        assert server.process.poll() is None, server.log_tail()
        await asyncio.sleep(0.01)
    load.sigterm_at = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(server.process.wait, GRACEFUL_SECONDS + 60)
    return time.monotonic() - load.sigterm_at


async def committed_spends(runtime: Runtime) -> dict[str, tuple[str | None, int, int]]:
    """Each spend entry's key: (its request hash, its amount, credits its allocations took)."""
    async with runtime.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT e.idempotency_key, e.request_hash, e.amount,"
                    " COALESCE((SELECT sum(x.amount) FROM credit_allocations x"
                    "           WHERE x.entry_id = e.id AND x.kind = 'consume'), 0)"
                    " FROM ledger_entries e WHERE e.kind = 'spend'"
                )
            )
        ).all()
    keys = [row[0] for row in rows]
    assert None not in keys, "a spend committed without its idempotency key"
    assert len(keys) == len(set(keys)), "a key spent twice"
    return {str(key): (request_hash, int(amount), int(taken)) for key, request_hash, amount, taken in rows}


async def account_balance(runtime: Runtime) -> int:
    async with runtime.engine.connect() as conn:
        return int((await conn.execute(text("SELECT balance FROM credit_accounts"))).scalar_one())


@pytest.mark.timeout(300)
async def test_sigterm_under_load_commits_every_answered_spend_and_nothing_unanswered_twice(
    runtime: Runtime, settings_file: Path, servers: list[Server], tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    server = start_server(settings_file, log, free_port())
    servers.append(server)
    limits = httpx.Limits(max_connections=LOOPS, max_keepalive_connections=LOOPS)
    async with httpx.AsyncClient(base_url=server.base, timeout=60, limits=limits) as http:
        created = await http.put(f"/t/alpha/v1/customers/{CUSTOMER}", json={}, headers=auth("alpha"))
        assert created.status_code in (200, 201), created.text
        granted = await http.post(
            f"/t/alpha/v1/customers/{CUSTOMER}/grants", json={"credits": GRANTED}, headers=auth("alpha", "admin")
        )
        assert granted.status_code == 201, granted.text

        load = Load()
        loops = [asyncio.create_task(drive(http, load, n)) for n in range(LOOPS)]
        took = await stop_midload(server, load, after_answers=300)
        await asyncio.wait_for(asyncio.gather(*loops), 60)

    assert server.process.returncode == 0, server.log_tail()
    assert took < GRACEFUL_SECONDS + 30, f"exited {took:.1f} s after SIGTERM:\n{server.log_tail()}"
    assert "Traceback" not in log.read_text(errors="replace"), server.log_tail()
    assert load.ok_after_sigterm > 0, "requests in flight at SIGTERM were answered before the exit"

    committed = await committed_spends(runtime)
    ok = {key for key, status in load.answered.items() if status == 201}
    refused = {key for key, status in load.answered.items() if status != 201}
    assert set(load.answered.values()) <= {201, 503}, load.answered
    assert ok - committed.keys() == set(), "answered 201 and not committed"
    assert refused & committed.keys() == set(), "answered an error and committed"
    assert committed.keys() <= ok | load.unanswered, "committed a spend nobody sent"
    for key, (request_hash, amount, taken) in committed.items():
        assert request_hash is not None, f"{key} committed without its request hash"
        assert (amount, taken) == (-1, 1), key
    assert await account_balance(runtime) == GRANTED - len(committed)

    # The clients retry what got no answer, with the same keys, on a restarted server.
    server = start_server(settings_file, log, free_port())
    servers.append(server)
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as http:
        retried = {key: await spend(http, key) for key in sorted(load.unanswered)}
        replayed = {key: await spend(http, key) for key in sorted(ok)[:20]}
    server.process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(server.process.wait, GRACEFUL_SECONDS + 60) == 0, server.log_tail()

    assert {key: r.status_code for key, r in retried.items()} == dict.fromkeys(retried, 201)
    assert {key: r.json()["entry_id"] for key, r in replayed.items()} == {key: load.entries[key] for key in replayed}
    after = await committed_spends(runtime)
    assert after.keys() == committed.keys() | load.unanswered, "each retried spend applied once"
    assert {key: after[key] for key in committed} == committed, "a replay wrote nothing new"
    assert await account_balance(runtime) == GRANTED - len(after)


async def test_a_spend_after_the_runtime_stopped_is_503_shutting_down(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    created = await client.put(f"/t/alpha/v1/customers/{CUSTOMER}", json={}, headers=auth("alpha"))
    assert created.status_code in (200, 201), created.text
    await runtime.spends.close()
    response = await spend(client, "after-close")
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "shutting_down"
    assert int(response.headers["Retry-After"]) >= 1
