"""`make run`'s offline Stripe: the emulator beside the API, plan prices and webhooks set up, a Checkout paid."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from demo import serve
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]
QUICKSCALE_PRODUCTS = {"AI Credits - Starter Pack", "AI Credits - Studio Pack", "Basic Plan", "Pro Plan"}


async def test_make_run_serves_with_the_emulator_as_stripe(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TOLLGATE_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("TOLLGATE_JOBS__EMBEDDED_SCHEDULER", "false")
    port = free_port()
    stop = asyncio.Event()
    running = asyncio.create_task(serve.serve("127.0.0.1", port, stop))
    imagegen = {"Authorization": "Bearer tg_imagegen_service"}
    quickscale = {"Authorization": "Bearer tg_quickscale_service"}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, trust_env=False) as http:
            for _ in range(400):
                if "Stripe is the emulator" in capsys.readouterr().out or running.done():
                    break
                await asyncio.sleep(0.05)
            assert not running.done()
            r = await http.put("/t/imagegen/v1/customers/ana", json={"email": "ana@example.com"}, headers=imagegen)
            assert r.status_code == 201, r.text
            body = {"tier": "basic", "interval": "month", "success_url": "https://app.example/ok"}
            checkout = (
                await http.post("/t/imagegen/v1/customers/ana/checkout/subscription", json=body, headers=imagegen)
            ).json()
            assert "/_emulator/pay/" in checkout["checkout_url"], checkout
            paid = await http.post(checkout["checkout_url"], data={"payment_method": "pm_card_visa"})
            assert paid.status_code == 303
            for _ in range(200):
                plan = (await http.get("/t/imagegen/v1/customers/ana/subscription", headers=imagegen)).json()
                if plan["status"] == "active":
                    break
                await asyncio.sleep(0.05)
            assert (plan["tier"], plan["status"], plan["credits_per_month"]) == ("basic", "active", 200)
            for _ in range(200):  # the dashboard's product and price events reach the synced catalog
                catalog = (await http.get("/t/quickscale/v1/catalog", headers=quickscale)).json()
                if {p["name"] for p in catalog["data"]} == QUICKSCALE_PRODUCTS:
                    break
                await asyncio.sleep(0.05)
            assert {p["name"] for p in catalog["data"]} == QUICKSCALE_PRODUCTS
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)


def test_kill_stops_the_api_and_its_emulator(tmp_path: Any) -> None:
    """`make run` ends on SIGTERM (a `kill`, a service manager) as on Ctrl-C: nothing is left running."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")}
    env |= {"TOLLGATE_DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", "PYTHONUNBUFFERED": "1"}
    out = tmp_path / "serve.log"
    with out.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "demo.serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 120
        while "Stripe is the emulator" not in out.read_text() and process.poll() is None:
            assert time.monotonic() < deadline, out.read_text()[-2000:]
            time.sleep(0.1)
        assert process.poll() is None, out.read_text()[-2000:]
        children = children_of(process.pid)
        assert children, "the emulator runs beside the API"
        process.send_signal(signal.SIGTERM)
        # A guard against a hang, not a time: the demo feeds Stripe events while it starts, and on a loaded
        # machine (the suite on both cores) draining them has taken longer than 30 s.
        assert process.wait(120) == 0, out.read_text()[-2000:]
        assert [c for c in children if Path(f"/proc/{c}").exists()] == []
    finally:
        if process.poll() is None:
            process.kill()


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            if f"\nPPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
    return found
