"""Each process freezes its start-up heap once it is up: the API, the worker and a CLI job.

Full collections then walk only what the process made after it; the figures (1-2 ms against
110-180 ms a collection under the webhook load) are in docs/performance.md.
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from core import heap
from core.app import create_app
from core.cli import main
from tests.inbox.processes import write_settings
from tests.support.app import asgi_client

ROOT = Path(__file__).resolve().parents[2]
# A process that is up holds far more than this; a few thousand objects move about in any case.
START_UP_HEAP = 50_000


@pytest.fixture
def thawed() -> Iterator[None]:
    """This test process as if nothing had frozen it yet (an earlier test's app may have)."""
    gc.unfreeze()
    heap.settle.cache_clear()
    yield
    gc.unfreeze()
    heap.settle.cache_clear()


async def test_the_api_freezes_its_start_up_heap_once_it_is_up(thawed: None, make_runtime: Any) -> None:
    app = create_app(make_runtime())
    assert gc.get_freeze_count() == 0
    async with asgi_client(app) as http:
        assert gc.get_freeze_count() > START_UP_HEAP
        assert (await http.get("/health/live")).status_code == 200


async def test_a_cli_job_freezes_its_start_up_heap_before_it_runs(thawed: None, make_runtime: Any) -> None:
    result = await asyncio.to_thread(CliRunner().invoke, main, ["credits", "expire", "alpha"], obj=make_runtime())
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > START_UP_HEAP


def test_the_worker_freezes_its_start_up_heap_at_its_start(
    sqlite_url: str, tmp_path: Path, tenants_config: Any, tenant_secrets: Any
) -> None:
    settings = write_settings(
        tmp_path / "settings.json",
        {
            "database": {"url": sqlite_url},
            "jobs": {"broker": "memory", "embedded_scheduler": False},
            "secrets": {"backend": "settings"},
            "tenants": tenants_config,
            "tenant_secrets": tenant_secrets,
        },
    )
    # What `taskiq worker core.worker:broker` does in each worker process: import, then start the broker.
    script = (
        "import asyncio, gc\n"
        "from core.worker import broker\n"
        "broker.is_worker_process = True\n"
        "before = gc.get_freeze_count()\n"
        "asyncio.run(broker.startup())\n"
        "print(before, gc.get_freeze_count())\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")},
        "TOLLGATE_ENV": "testing",
        "TOLLGATE_SETTINGS": str(settings),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split()[-2:])
    assert before == 0
    assert after > START_UP_HEAP
