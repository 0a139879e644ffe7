"""A real taskiq worker process for integration tests, configured through TOLLGATE_ env vars."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def worker_env(settings: dict[str, Any]) -> dict[str, str]:
    """Env vars that make a child process build the same Runtime as `Runtime.build(overrides=settings)`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")}
    env["TOLLGATE_ENV"] = "testing"
    for key, value in settings.items():
        env[f"TOLLGATE_{key.upper()}"] = "@json " + json.dumps(value)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "build" / "test-plugins"), str(ROOT)])
    return env


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, acknowledging nothing."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_worker(settings: dict[str, Any], *args: str, log: Path | None = None) -> WorkerProcess:
    """`taskiq worker core.worker:broker` in its own process group (its children die with it)."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the child owns the file
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "taskiq",
            "worker",
            "core.worker:broker",
            "--workers",
            "1",
            "--no-configure-logging",
            *args,
        ],
        cwd=ROOT,
        env=worker_env(settings),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return WorkerProcess(process)
