"""Real processes for the reliability tests: workers with the recorder plugin, and a private Redis.

The worker finds the recorder through its entry point, like any third-party plugin: from
`build/test-plugins` once `make test` installed it there, else from a copy pip installs for the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
INSTALLED_PLUGINS = ROOT / "build" / "test-plugins"
BIN = Path(sys.executable).parent
TASKIQ_WORKER = (str(BIN / "taskiq"), "worker", "core.worker:broker", "--workers", "1", "--log-level", "INFO")
# As operators run it: taskiq with the settings' shutdown waits (core/cli.py).
TOLLGATE_WORKER = (sys.executable, "-m", "core.cli", "worker")


def plugin_path(scratch: Path) -> Path:
    """A directory holding the recorder's package and entry point."""
    if (INSTALLED_PLUGINS / "tollgate_inbox_recorder").exists():
        return INSTALLED_PLUGINS
    target = scratch / "plugins"
    if not (target / "tollgate_inbox_recorder").exists():
        subprocess.run(
            [
                str(BIN / "pip"),
                "install",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--target",
                str(target),
                str(ROOT / "tests" / "inbox_plugin"),
            ],
            check=True,
        )
    return target


def write_settings(path: Path, settings: dict[str, Any]) -> Path:
    """A settings file for a child process (dynaconf reads JSON too), with every key under [default]."""
    path.write_text(json.dumps({"default": settings}))
    return path


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """`kill -9` the worker and its children, mid-whatever they are doing."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def _listening(log: Path) -> int:
    return log.read_text(errors="replace").count("Listening started") if log.exists() else 0


def start_worker(settings_file: Path, plugins: Path, log: Path, command: Sequence[str] = TASKIQ_WORKER) -> Worker:
    """A worker (`taskiq worker core.worker:broker`, or `command`) on its own process group; returns once
    it reads the queue."""
    started = _listening(log)
    env = {
        **os.environ,
        "TOLLGATE_ENV": "testing",
        "TOLLGATE_SETTINGS": str(settings_file),
        "PYTHONPATH": os.pathsep.join([str(plugins), str(ROOT)]),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited at start:\n{worker.log_tail()}")
        # taskiq declares the consumer group before it logs this, so what is sent from now on is read.
        if _listening(log) > started:
            return worker
        time.sleep(0.1)
    worker.stop()
    raise RuntimeError(f"the worker did not start reading its queue:\n{worker.log_tail()}")


def redis_jobs(redis_url: str, queue: str) -> dict[str, Any]:
    return {"broker": "redis", "redis_url": redis_url, "queue_name": queue, "consumer_group": queue}


class WorkerSetup:
    """The settings worker processes and a test's runtime share, and starting workers on them."""

    def __init__(self, tmp_path: Path, settings: dict[str, Any], redis_url: str, queue: str) -> None:
        self.tmp_path = tmp_path
        self.redis_url = redis_url
        self.queue = queue
        self.jobs: dict[str, Any] = settings["jobs"]
        self.file = write_settings(tmp_path / "settings.json", settings)
        self.plugins = plugin_path(tmp_path)
        self.workers: list[Worker] = []

    def start(self, command: Sequence[str] = TASKIQ_WORKER, log: str = "worker.log") -> Worker:
        worker = start_worker(self.file, self.plugins, self.tmp_path / log, command)
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()


@dataclass
class PrivateRedis:
    """A `redis-server` of this test's own (never the shared one), to stop and start at will."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    client.close()
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@contextlib.contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
