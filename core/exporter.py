"""The metrics port: one HTTP server per command, for the operator's Prometheus, never on the API's port.

A single process (`tollgate run`, the embedded shape, tests) serves its own registry. A command that
runs several processes (`tollgate run --workers N`, `tollgate worker`) uses prometheus_client's
multiprocess mode: the parent empties a directory and names it in `PROMETHEUS_MULTIPROC_DIR` before
its children start, each child writes its figures to files there, and the parent's server adds up
every file at each scrape. `python -m core.exporter ARGS` is `tollgate worker`'s parent: it serves,
and runs `taskiq ARGS` (taskiq's process manager) as its child, whose own children inherit the directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.settings import MetricsConfig

MULTIPROC_VAR = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess(directory: str = "") -> str:
    """Empty `directory` (a new temporary one when empty) and name it for the processes started from now on."""
    if directory:
        path = Path(directory)
        if path.exists():
            # Files left by an earlier run would be added to this one's figures.
            shutil.rmtree(path)
        path.mkdir(parents=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="tollgate-metrics-"))
    os.environ[MULTIPROC_VAR] = str(path)
    return str(path)


def serve(host: str, port: int) -> Any:
    """Serve `/metrics` on host:port in a daemon thread: every process's files in multiprocess mode, else
    this process's registry. Returns the server (`shutdown()` stops it)."""
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = REGISTRY
    if os.environ.get(MULTIPROC_VAR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    server, _ = start_http_server(port, addr=host, registry=registry)
    return server


def process_exiting() -> None:
    """In multiprocess mode, drop this process's live gauges (its counters stay in the sums)."""
    if os.environ.get(MULTIPROC_VAR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def main(taskiq_args: list[str]) -> int:
    """Serve the metrics of every process under this one (settings `metrics.*`), and run taskiq under it.

    taskiq runs in a new interpreter, not in this one: this one has imported the metrics (the settings
    import them) before the multiprocess directory was named, so workers forked from it would keep their
    figures in their own memory, where no scrape sees them. SIGTERM and SIGINT are passed on to taskiq,
    whose exit status is this command's."""
    config = metrics_config()
    if not config.enabled:
        os.execv(sys.executable, [sys.executable, "-m", "taskiq", *taskiq_args])  # noqa: S606
    prepare_multiprocess(config.multiprocess_dir)
    serve(config.host, config.worker_port)
    taskiq = subprocess.Popen([sys.executable, "-m", "taskiq", *taskiq_args])  # noqa: S603
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _: taskiq.send_signal(received))
    return taskiq.wait()


def metrics_config() -> MetricsConfig:
    """The `[metrics]` settings alone (the worker's parent loads no plugins, so validates nothing else)."""
    import msgspec

    from core.settings import MetricsConfig, load_dynaconf, to_plain

    block = to_plain(load_dynaconf().get("metrics")) or {}
    return msgspec.convert({str(key).lower(): value for key, value in block.items()}, MetricsConfig)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
