"""`make demo SERVE=1`: after the walk the deployment keeps serving, saying where the console is and which
keys sign in, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import io
import os
import signal
from types import SimpleNamespace

import pytest
from rich.console import Console

from demo.__main__ import OPERATOR_KEY, keep_serving, parse_args


async def test_it_prints_the_console_and_its_keys_then_serves_until_sigterm() -> None:
    out = io.StringIO()
    tenants = SimpleNamespace(slugs=lambda: ["alpha", "beta"])
    world = SimpleNamespace(
        runtime=SimpleNamespace(tenants=tenants), base_url="http://127.0.0.1:9", console=Console(file=out, width=200)
    )
    serving = asyncio.create_task(keep_serving(world))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert not serving.done()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(serving, 5)
    printed = out.getvalue()
    assert "http://127.0.0.1:9/console/" in printed
    assert OPERATOR_KEY in printed
    assert "tg_<tenant>_admin (alpha, beta)" in printed


def test_serve_is_for_the_embedded_deployment_only() -> None:
    assert parse_args(["--serve"]).serve
    assert not parse_args([]).serve
    with pytest.raises(SystemExit):
        parse_args(["--serve", "--tollgate", "u", "--emulator", "e", "--notifications-port", "1", "--clock-file", "f"])
