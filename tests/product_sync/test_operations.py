"""How operators start full syncs: the admin route (queued to the worker), the hourly schedule, the CLI."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from click.testing import CliRunner, Result

from core.db import session_scope
from core.lists import PageRequest
from core.runtime import Runtime
from plugins.product_sync.services import SCHEDULE_TASK, SYNC_TASK, SyncRuns
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.product_sync.conftest import Dashboard
from tests.support.jobs import drain
from tests.support.tenants import auth, user_auth

SYNC = "/t/{}/v1/admin/catalog/sync"
RUNS = "/t/{}/v1/admin/catalog/sync-runs"


async def test_the_admin_route_needs_the_admin_scope_and_queues_a_sync(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    await alpha_dashboard.pack("Queued", 1000, credit_amount="100", credit_type="payg")
    for headers in (auth("alpha"), user_auth("alpha", "cust-1")):
        r = await client.post(SYNC.format("alpha"), headers=headers)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "insufficient_scope"
    nothing = {"data": [], "has_more": False, "next_cursor": None}
    assert (await client.get(RUNS.format("alpha"), headers=auth("alpha", "admin"))).json() == nothing, "none queued"

    r = await client.post(SYNC.format("alpha"), headers=auth("alpha", "admin"))

    assert r.status_code == 202, r.text
    queued = r.json()
    assert (queued["status"], queued["trigger"], queued["started_at"]) == ("queued", "admin", None)
    await drain(runtime)
    r = await client.get(f"{RUNS.format('alpha')}/{queued['id']}", headers=auth("alpha", "admin"))
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["products"], r.json()["prices"]) == ("succeeded", 1, 1)
    runs = (await client.get(RUNS.format("alpha"), headers=auth("alpha", "admin"))).json()
    assert [run["id"] for run in runs["data"]] == [queued["id"]]
    catalog = await client.get("/t/alpha/v1/catalog", headers=user_auth("alpha", "cust-1"))
    assert catalog.status_code == 200, "end users may read the catalog (pricing pages)"
    assert [p["name"] for p in catalog.json()["data"]] == ["Queued"]
    assert catalog.json()["last_sync"]["id"] == queued["id"]
    r = await client.get(f"{RUNS.format('beta')}/{queued['id']}", headers=auth("beta", "admin"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "sync_run_not_found", "another tenant's run is invisible"
    r = await client.get(f"{RUNS.format('alpha')}/{uuid.uuid4()}", headers=auth("alpha", "admin"))
    assert r.status_code == 404


async def test_a_request_joins_a_waiting_run_and_a_second_delivery_does_nothing(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    await runtime.start()
    await alpha_dashboard.pack("Once", 500)
    tenant = runtime.tenants.get("alpha")
    async with session_scope(runtime.sessions) as session:
        waiting = await SyncRuns(session, tenant).create("schedule")
    async with session_scope(runtime.sessions) as session:
        joined = await SyncRuns(session, tenant).request("admin", runtime.jobs)
    assert joined.id == waiting.id, "a queued run is joined, not doubled"
    await drain(runtime)

    await runtime.jobs.send(SYNC_TASK, tenant="alpha", run_id=str(waiting.id))
    await drain(runtime)

    async with runtime.sessions() as session:
        runs = (await SyncRuns(session, tenant).page(PageRequest(limit=10))).data
    assert [(run.id, run.status, run.products, run.prices) for run in runs] == [(waiting.id, "succeeded", 1, 1)]


async def test_the_hourly_schedule_syncs_every_tenant_that_keeps_it_on(
    runtime: Runtime, alpha_dashboard: Dashboard, beta_dashboard: Dashboard
) -> None:
    [schedule] = [s for s in runtime.jobs.schedules if s.task_name == SCHEDULE_TASK]
    assert schedule.cron == "17 * * * *"
    await runtime.start()
    await alpha_dashboard.pack("Alpha", 100)
    await beta_dashboard.pack("Beta", 100)

    await runtime.jobs.send(SCHEDULE_TASK)
    await drain(runtime)

    async with runtime.sessions() as session:
        alpha = (await SyncRuns(session, runtime.tenants.get("alpha")).page(PageRequest(limit=10))).data
        beta = (await SyncRuns(session, runtime.tenants.get("beta")).page(PageRequest(limit=10))).data
    assert [(run.trigger, run.status, run.products) for run in alpha] == [("schedule", "succeeded", 1)]
    assert beta == [], "beta turned its schedule off"


async def invoke(runtime: Runtime, *args: str) -> Result:
    """The CLI in its own thread and event loop, as an operator's shell would run it."""
    from core.cli import main

    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=runtime)


async def test_the_cli_syncs_named_tenants_with_progress_and_a_summary(
    runtime: Runtime, make_runtime: Any, alpha_dashboard: Dashboard, beta_dashboard: Dashboard
) -> None:
    for n in range(3):
        await alpha_dashboard.pack(f"Pack {n}", 100 * (n + 1), credit_amount="10", credit_type="payg")
    bad = await alpha_dashboard.pack("Broken", 100, credit_amount="many")
    await beta_dashboard.pack("Beta", 100)

    result = await invoke(make_runtime(), "catalog", "sync", "alpha")

    assert result.exit_code == 0, result.output
    assert "4 products, 4 prices" in result.output, "the progress line counts pages as they arrive"
    assert "succeeded" in result.output
    assert f"{bad['id']} credit_amount='many'" in result.output
    async with runtime.sessions() as session:
        assert [
            run.trigger
            for run in (await SyncRuns(session, runtime.tenants.get("alpha")).page(PageRequest(limit=5))).data
        ] == ["cli"]
        assert (await SyncRuns(session, runtime.tenants.get("beta")).page(PageRequest(limit=5))).data == []

    every = await invoke(make_runtime(), "catalog", "sync", "--all")
    assert every.exit_code == 0, every.output
    assert "alpha" in every.output
    assert "beta" in every.output


async def test_the_cli_refuses_an_unclear_choice_of_tenants(runtime: Runtime, make_runtime: Any) -> None:
    assert (await invoke(make_runtime(), "catalog", "sync")).exit_code == 2
    assert (await invoke(make_runtime(), "catalog", "sync", "alpha", "--all")).exit_code == 2
    unknown = await invoke(make_runtime(), "catalog", "sync", "gamma")
    assert unknown.exit_code == 2
    assert "no tenant gamma" in unknown.output


async def test_the_cli_exits_with_1_when_a_sync_fails(
    runtime: Runtime, make_runtime: Any, stripe_emulator: EmulatorHandle, alpha_key: str, alpha_dashboard: Dashboard
) -> None:
    await alpha_dashboard.pack("Unreachable", 100)
    await stripe_emulator.control.aio.fail_next(alpha_key, 5, status=500, path_prefix="/v1/products")

    result = await invoke(make_runtime(), "catalog", "sync", "alpha")

    assert result.exit_code == 1, result.output
    assert "failed" in result.output
    assert "APIError" in result.output
