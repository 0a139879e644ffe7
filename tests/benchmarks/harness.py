"""What the benchmarks share: pgbench in the benchmark's database, and the API under uvicorn.

`pgbench(dsn, *args)` answers the TPS pgbench reports; `start_server(env, workers)` serves
`core.asgi:app` (or another app) with uvloop and httptools on a free port and answers (process, base URL);
`checkpoint(dsn)` starts a measured run from a checkpoint.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]


def pgbench_binary() -> str:
    found = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(found).exists():
        sys.exit("pgbench is not installed (apt-get install postgresql-client)")
    return found


def pgbench(dsn: str, *args: str) -> float:
    done = subprocess.run([pgbench_binary(), *args, dsn], capture_output=True, text=True, check=False)
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
    if done.returncode or match is None:
        raise RuntimeError(f"pgbench {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return float(match.group(1))


async def execute(dsn: str, *statements: str) -> None:
    """Run `statements` in order on a connection of their own (each in its own transaction)."""
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def checkpoint(dsn: str) -> None:
    """Start a measured run from a checkpoint, so that none pays for the WAL of what ran before it.

    Without it, a checkpoint that the previous run's writes brought on flushes its pages during the
    next run, and that run's commits wait for the disk: 30-50 ms stalls that belong to neither.
    """
    await execute(dsn, "CHECKPOINT")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], workers: int, app: str = "core.asgi:app") -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(1.0)  # let every worker finish its start-up
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("uvicorn did not start")
