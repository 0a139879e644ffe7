"""Retention on a fixture of old and new rows: it prunes exactly what the policy says, on PostgreSQL and SQLite.

Dropped: the bodies of old processed and ignored Stripe events; deleted: old delivered notifications,
old audit records (as a prefix of the chain, which `tollgate audit verify` still finds intact) and old
closed holds. Kept: dead, failed and pending events and notifications, active holds, every grant, entry
and allocation (the ledger still verifies), everything recent, and everything of beta (its own periods).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from prometheus_client import REGISTRY

from core import audit_trail, clock
from core.audit_trail.services import verify_chain
from core.cli import main
from core.db import session_scope
from core.ledger.verify import verify_ledger
from core.retention.policy import KINDS
from core.retention.services import Retention
from core.retention.tasks import DAILY_TASK, prune_tenant
from tests.ledger.conftest import grant, put_customer
from tests.retention.conftest import AGE, Rows, state
from tests.support.tenants import auth, tenant_block

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def invoke(runtime: Any, *args: str) -> Result:
    # The CLI runs its own event loop, so it gets its own runtime and a thread.
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=runtime)


def expected_counts(rows: Rows) -> dict[str, int]:
    return {"webhook_payloads": 2, "notifications": 1, "audit_records": rows.old_audit_records, "closed_holds": 2}


def expected_after(before: Mapping[str, set[tuple[str, str]]], rows: Rows) -> dict[str, set[tuple[str, str]]]:
    """`before` less what alpha's default policy prunes."""
    alpha = rows.tenant
    return {
        "bodies": before["bodies"] - {(alpha, str(rows.events[n])) for n in ("old_processed", "old_ignored")},
        "events": before["events"],
        "notifications": before["notifications"] - {(alpha, str(rows.notifications["old_delivered"]))},
        "audit": {(t, seq) for t, seq in before["audit"] if t != alpha or int(seq) > rows.old_audit_records},
        "holds": before["holds"] - {(alpha, rows.holds[n]) for n in ("old_captured", "old_released")},
    }


def pruned_metric(kind: str) -> float:
    return REGISTRY.get_sample_value("tollgate_retention_pruned_total", {"tenant": "alpha", "kind": kind}) or 0.0


async def assert_ledger_and_trail_hold(runtime: Any) -> None:
    report = await verify_ledger(runtime.engine, sources=None)
    assert report.clean, [v.line() for v in report.violations]
    async with runtime.sessions() as session:
        for tenant in ("alpha", "beta"):
            checked, broken = await verify_chain(session, tenant)
            assert broken is None and checked > 0, (tenant, broken)


async def test_a_run_prunes_exactly_what_the_policy_says(runtime: Any, seeded: Mapping[str, Rows]) -> None:
    alpha = seeded["alpha"]
    before = await state(runtime)
    metrics_before = {kind: pruned_metric(kind) for kind in KINDS}

    run = await Retention(runtime, runtime.tenants.get("alpha")).run()
    beta = await Retention(runtime, runtime.tenants.get("beta")).run()

    assert run.pruned == expected_counts(alpha) and run.complete
    assert beta.pruned == dict.fromkeys(KINDS, 0), "beta keeps everything for its own 10,000 days"
    after = await state(runtime)
    assert after == expected_after(before, alpha)
    assert {kind: pruned_metric(kind) - metrics_before[kind] for kind in KINDS} == expected_counts(alpha)
    await assert_ledger_and_trail_hold(runtime)

    again = await Retention(runtime, runtime.tenants.get("alpha")).run()
    assert again.pruned == dict.fromkeys(KINDS, 0)
    assert await state(runtime) == after, "a second run changes nothing"


async def test_a_killed_run_resumes_and_runs_side_by_side_prune_each_row_once(
    runtime: Any, seeded: Mapping[str, Rows]
) -> None:
    alpha = seeded["alpha"]
    before = await state(runtime)
    retention = Retention(runtime, runtime.tenants.get("alpha"))

    # A run stopped after each batch (as a kill between batches would) keeps nothing to resume from but
    # the rows themselves: the next run goes on from them.
    first = await retention.run(max_batches=1)
    assert not first.complete and 0 < sum(first.pruned.values()) < sum(expected_counts(alpha).values())

    # The rest by two runs at once: together they prune each row once.
    both = await asyncio.gather(retention.run(), Retention(runtime, runtime.tenants.get("alpha")).run())
    total = {kind: first.pruned[kind] + sum(run.pruned[kind] for run in both) for kind in KINDS}
    assert total == expected_counts(alpha)
    assert await state(runtime) == expected_after(before, alpha)
    await assert_ledger_and_trail_hold(runtime)


async def test_the_cli_dry_run_changes_nothing_then_a_run_prunes_the_named_tenant(
    runtime: Any, make_runtime: Any, seeded: Mapping[str, Rows]
) -> None:
    alpha = seeded["alpha"]
    before = await state(runtime)

    dry = await invoke(make_runtime(), "retention", "run", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert await state(runtime) == before, "a dry run changes nothing"
    counts = expected_counts(alpha)
    assert (
        "retention of alpha: would prune "
        f"{counts['webhook_payloads']} webhook_payloads, {counts['notifications']} notifications, "
        f"{counts['audit_records']} audit_records, {counts['closed_holds']} closed_holds"
    ) in dry.output
    assert "retention of beta: would prune 0 webhook_payloads, 0 notifications, 0 audit_records" in dry.output

    done = await invoke(make_runtime(), "retention", "run", "alpha")
    assert done.exit_code == 0, done.output
    assert f"retention of alpha: pruned {counts['webhook_payloads']} webhook_payloads" in done.output
    assert "retention of beta" not in done.output
    assert await state(runtime) == expected_after(before, alpha)

    verified = await invoke(make_runtime(), "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "alpha: 2 records, chain intact" in verified.output, "the grant and the capture made while new"

    again = await invoke(make_runtime(), "retention", "run")
    assert again.exit_code == 0, again.output
    assert "retention of alpha: pruned 0 webhook_payloads, 0 notifications, 0 audit_records, 0 closed_holds" in (
        again.output
    )

    unknown = await invoke(make_runtime(), "retention", "run", "alpha", "nosuch")
    assert unknown.exit_code == 2
    assert "no tenant nosuch on this deployment (tenants: alpha, beta)" in unknown.output


async def test_a_pruned_event_is_shown_pruned_and_its_replay_refused(
    runtime: Any, client: httpx.AsyncClient, seeded: Mapping[str, Rows]
) -> None:
    alpha = seeded["alpha"]
    await Retention(runtime, runtime.tenants.get("alpha")).run()
    base = "/t/alpha/v1/admin/webhook-events"
    admin = auth("alpha", "admin")

    pruned = str(alpha.events["old_processed"])
    shown = (await client.get(f"{base}/{pruned}", headers=admin)).json()
    assert (shown["status"], shown["payload"]) == ("processed", None)
    assert shown["payload_pruned_at"] is not None
    listed = {e["id"]: e for e in (await client.get(f"{base}/", headers=admin)).json()["data"]}
    assert listed[pruned]["payload_pruned_at"] == shown["payload_pruned_at"]
    assert listed[str(alpha.events["new_processed"])]["payload_pruned_at"] is None

    refused = await client.post(f"{base}/{pruned}/replay", headers=admin)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "payload_pruned"), refused.text
    assert (await client.get(f"{base}/{pruned}", headers=admin)).json()["status"] == "processed"

    dead = str(alpha.events["old_dead"])
    kept = (await client.get(f"{base}/{dead}", headers=admin)).json()
    assert kept["payload"]["id"].startswith("evt_old_dead") and kept["payload_pruned_at"] is None
    replayed = await client.post(f"{base}/{dead}/replay", headers=admin)
    assert replayed.status_code == 202, replayed.text


async def test_the_daily_schedule_and_the_tenant_task(runtime: Any, seeded: Mapping[str, Rows]) -> None:
    assert any(s.task_name == DAILY_TASK and s.cron == "43 2 * * *" for s in runtime.jobs.schedules)
    before = await state(runtime)
    assert await prune_tenant(runtime, "alpha") == expected_counts(seeded["alpha"])
    assert await state(runtime) == expected_after(before, seeded["alpha"])


async def test_a_pruned_hold_answers_404_even_to_a_replay_of_its_creation(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    await put_customer(client, "c1")
    await grant(client, "c1", 10)
    holds = "/t/alpha/v1/customers/c1/holds"
    headers = auth("alpha") | {"Idempotency-Key": "hold-1"}
    made = await client.post(holds, json={"credits": 4}, headers=headers)
    assert made.status_code == 201, made.text
    hold_id = made.json()["id"]
    assert (await client.post(f"{holds}/{hold_id}/release", headers=auth("alpha"))).status_code == 200
    clock.advance(AGE)

    assert (await Retention(runtime, runtime.tenants.get("alpha")).run()).pruned["closed_holds"] == 1

    again = await client.post(holds, json={"credits": 4}, headers=headers)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "hold_not_found"), again.text
    released = await client.post(f"{holds}/{hold_id}/release", headers=auth("alpha"))
    assert (released.status_code, released.json()["error"]["code"]) == (404, "hold_not_found")


async def test_audit_records_out_of_time_order_are_left_whole(runtime: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A clock stepped back wrote record 4 before record 3 in time: pruning by time would take 4 and leave 3.
    Retention prunes nothing of that trail then, and says so; the chain still verifies."""
    for step in (dt.timedelta(), dt.timedelta(days=10), dt.timedelta(days=10), -dt.timedelta(days=15), AGE):
        clock.advance(step)
        async with session_scope(runtime.sessions) as session:
            await audit_trail.record(session, "alpha", "test.step", "target:x")

    with caplog.at_level(logging.WARNING, logger="tollgate.retention"):
        run = await Retention(runtime, runtime.tenants.get("alpha")).run()

    assert run.pruned["audit_records"] == 0
    assert "audit records 1..4 are not in time order" in caplog.text
    async with runtime.sessions() as session:
        assert await verify_chain(session, "alpha") == (5, None)


async def test_a_tenant_with_retention_disabled_is_skipped(make_runtime: Any, seeded: Mapping[str, Rows]) -> None:
    tenants = {"alpha": tenant_block("Alpha App", retention={"enabled": False}), "beta": tenant_block("Beta App")}
    runtime = make_runtime(tenants=tenants)
    before = await state(runtime)
    result = await invoke(make_runtime(tenants=tenants), "retention", "run", "alpha")
    assert result.exit_code == 0, result.output
    assert "alpha: retention disabled, skipped" in result.output
    assert await prune_tenant(runtime, "alpha") == {}
    assert await state(runtime) == before
