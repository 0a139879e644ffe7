"""`make demo SERVE=1` in a browser: the operator signs in to the walked deployment and each of the five
tenants' overview shows, as charts and figures, the numbers `GET /admin/metrics` answers."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.console.charts import count, maybe, money, rate

# The browser fixture and the skips (no Chromium, no Playwright) are the browser tests'.
from tests.console.test_browser import browser, new_page, pytestmark, shot, sign_in  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TENANTS = ("imagegen", "automate", "fiko", "quickscale", "creditshop")


@pytest.fixture(scope="module")
def demo_console() -> Iterator[str]:
    """`python -m demo --serve`, once the walk is done and it serves: its console's base URL."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")}
    demo = subprocess.Popen(
        [sys.executable, "-m", "demo", "--serve"],
        cwd=ROOT,
        env={**clean, "COLUMNS": "400"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert demo.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in demo.stdout or ():
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    printed: list[str] = []
    # The walk takes 2-3 minutes alone; on a machine busy with other test runs, several times that.
    deadline = time.monotonic() + 900
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if demo.poll() is not None:
                    break
                continue
            printed.append(line)
            found = re.search(r"The console: (http://\S+)/console/", line)
            if found:
                yield found.group(1)
                return
        why = f"exited with {demo.returncode}" if demo.poll() is not None else "did not serve within 900 s"
        pytest.fail(f"the demo {why}:\n" + "".join(printed)[-4000:])
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(60)
        except subprocess.TimeoutExpired:
            demo.kill()


async def test_the_operator_sees_each_tenants_figures_as_the_api_answers_them(demo_console: str, browser: Any) -> None:
    page = await new_page(browser, demo_console)
    await sign_in(page, "tg_operator")
    await page.wait_for_url("**/console/deployment")
    async with httpx.AsyncClient(base_url=demo_console, trust_env=False, timeout=30) as api:
        for slug in TENANTS:
            await page.goto(f"/console/t/{slug}/")
            metrics = (
                await api.get(f"/t/{slug}/v1/admin/metrics", headers={"Authorization": f"Bearer tg_{slug}_admin"})
            ).json()
            shown = await page.locator("#outstanding").inner_text()
            assert shown == count(metrics["credits"]["totals"]["outstanding"]), slug
            for currency, series in metrics["subscriptions"].items():
                mrr = money(series["series"][-1]["mrr"], currency)
                assert await page.get_by_role("heading", name=f"MRR movements ({currency.upper()})").count() == 1
                assert f"MRR ({currency.upper()})\n{mrr}" in await page.locator(".figures").inner_text(), (slug, mrr)
            for currency in metrics["revenue"]:
                assert await page.get_by_role("heading", name=f"Revenue by stream ({currency.upper()})").count() == 1
            await same_figures(page, metrics, slug)
            assert await page.locator("svg.chart").count() == 3 + len(metrics["revenue"]) + 2 * len(
                metrics["subscriptions"]
            ) + len(metrics["credits"]["prepaid_liability"])
            await shot(page, f"demo-{slug}")
            # Each currency alone, as `?currency=` answers it.
            for currency in metrics["currencies"]:
                await page.goto(f"/console/t/{slug}/?interval=month&currency={currency}")
                alone = (
                    await api.get(
                        f"/t/{slug}/v1/admin/metrics",
                        params={"currency": currency},
                        headers={"Authorization": f"Bearer tg_{slug}_admin"},
                    )
                ).json()
                await same_figures(page, alone, f"{slug} {currency}")
                assert await page.get_by_label("Currency").input_value() == currency
            await page.goto(f"/console/t/{slug}/?interval=week")
            weekly = (
                await api.get(
                    f"/t/{slug}/v1/admin/metrics",
                    params={"interval": "week"},
                    headers={"Authorization": f"Bearer tg_{slug}_admin"},
                )
            ).json()
            await same_figures(page, weekly, f"{slug} weekly")


async def same_figures(page: Any, metrics: dict[str, Any], where: str) -> None:
    """The page's figure cards say what the metrics answer: every family, per currency."""

    async def shown(selector: str) -> str:
        return str(await page.locator(selector).inner_text())

    assert await shown("#outstanding") == count(metrics["credits"]["totals"]["outstanding"]), where
    for currency, amount in metrics["credits"]["prepaid_value"].items():
        assert await shown(f"#liability-{currency}") == money(amount, currency), where
    for currency, liability in metrics["credits"]["prepaid_liability"].items():
        heading = page.get_by_role("heading", name=f"Prepaid liability moved ({currency.upper()})")
        assert await heading.count() == 1, where
        closing = money(liability["totals"]["closing"], currency)
        assert closing in await shown(f"#liability-{currency}-h + .scroll"), where
    for currency, series in metrics["subscriptions"].items():
        last = series["series"][-1]
        assert await shown(f"#mrr-{currency}") == money(last["mrr"], currency), where
        assert await shown(f"#arr-{currency}") == money(last["arr"], currency), where
        churn = series["totals"]["churn_rate"]
        assert (await shown(f"#churn-{currency}")).startswith(rate(churn["basis_points"])), where
    ops = metrics["operations"]["totals"]
    assert await shown("#events") == f"{count(ops['events_received'])} / {count(ops['events_dead'])}", where
    lag = f"{maybe(ops['lag_p50_ms'])} / {maybe(ops['lag_p95_ms'])} ms"
    assert await shown("#lag") == lag, where
    assert await shown("#notification-success") == rate(ops["notification_success"]["basis_points"]), where
    done = f"{count(ops['checkouts_completed'])} / {count(ops['checkouts_started'])}"
    assert await shown("#checkouts") == done, where
