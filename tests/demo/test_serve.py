"""`make run`'s offline Stripe: the emulator beside the API, plan prices and webhooks set up, a Checkout paid."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from demo import serve
from tests.support.services import free_port

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
                if {p["name"] for p in catalog["products"]} == QUICKSCALE_PRODUCTS:
                    break
                await asyncio.sleep(0.05)
            assert {p["name"] for p in catalog["products"]} == QUICKSCALE_PRODUCTS
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
