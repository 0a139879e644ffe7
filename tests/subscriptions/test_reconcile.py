"""Reconcile: Stripe changed while its webhooks were lost; the CLI (dry run, then for real) and the task
find the drift and repair it (the seeds' `check_subscription_status`)."""

from __future__ import annotations

import asyncio
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from core.ledger.models import CreditGrant
from core.runtime import Runtime
from plugins.subscriptions.models import Subscription
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import apply_event, events_since, subscribed
from tests.support.jobs import drain
from tests.support.tenants import auth


async def invoke(runtime: Runtime, make_runtime: Any, *args: str) -> Result:
    """The CLI in its own thread and event loop with its own runtime, as an operator's shell would run it."""
    from core.cli import main

    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=make_runtime())


async def stored(runtime: Runtime) -> Subscription:
    async with runtime.sessions() as session:
        return (await session.scalars(select(Subscription))).one()


async def plan_grants(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        statement = select(CreditGrant.source_ref).where(CreditGrant.source == "stripe.invoice")
        return list((await session.scalars(statement)).all())


async def drifted(client: Any, runtime: Runtime, emulator: EmulatorHandle, key: str) -> tuple[Subscription, str]:
    """A subscription whose renewal and cancellation at period end happened at Stripe with no webhook arriving."""
    await subscribed(runtime, client, emulator, key)
    before = await stored(runtime)
    renewal = await emulator.control.aio.advance_subscription(key, before.stripe_subscription_id)
    await emulator.stripe_client(key).v1.subscriptions.update_async(
        before.stripe_subscription_id, {"cancel_at_period_end": True}
    )
    return before, str(renewal["invoice"]["id"])


async def test_the_cli_reports_drift_in_a_dry_run_then_repairs_it(
    client: Any, runtime: Runtime, make_runtime: Any, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    before, renewal_invoice = await drifted(client, runtime, stripe_emulator, alpha_key)

    dry = await invoke(runtime, make_runtime, "subscriptions", "reconcile", "alpha", "--dry-run")
    assert dry.exit_code == 0, dry.output
    for field in ("current_period_end", "cancel_at_period_end", "allowance", renewal_invoice):
        assert field in dry.output
    assert "1 subscription(s) out of step with Stripe; would be repaired (dry run)." in dry.output
    assert "1/1" in dry.output, "the progress bar counts subscriptions"
    unchanged = await stored(runtime)
    assert (unchanged.current_period_end, unchanged.cancel_at_period_end) == (before.current_period_end, False)
    assert renewal_invoice not in await plan_grants(runtime)

    real = await invoke(runtime, make_runtime, "subscriptions", "reconcile")
    assert real.exit_code == 0, real.output
    assert "1 subscription(s) out of step with Stripe; repaired." in real.output
    repaired = await stored(runtime)
    assert repaired.current_period_start == before.current_period_end
    assert repaired.cancel_at_period_end is True
    assert renewal_invoice in await plan_grants(runtime), "the renewal's allowance, granted once"
    plan = (await client.get("/t/alpha/v1/customers/cust-1/subscription", headers=auth("alpha"))).json()
    assert (plan["cancel_at_period_end"], plan["credits_remaining"]) == (True, 400)

    again = await invoke(runtime, make_runtime, "subscriptions", "reconcile", "alpha")
    assert "Every subscription matches Stripe." in again.output
    assert len(await plan_grants(runtime)) == 2


async def test_the_cli_refuses_tenants_it_cannot_reconcile(runtime: Runtime, make_runtime: Any) -> None:
    unknown = await invoke(runtime, make_runtime, "subscriptions", "reconcile", "gamma")
    assert (unknown.exit_code, "no tenant gamma" in unknown.output) == (2, True)
    disabled = await invoke(runtime, make_runtime, "subscriptions", "reconcile", "beta")
    assert (disabled.exit_code, "beta does not enable subscriptions" in disabled.output) == (2, True)


async def test_the_admin_route_queues_the_reconcile_task(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    before, renewal_invoice = await drifted(client, runtime, stripe_emulator, alpha_key)
    r = await client.post("/t/alpha/v1/admin/subscriptions/reconcile", headers=auth("alpha", "admin"))
    assert r.status_code == 202
    await drain(runtime)
    repaired = await stored(runtime)
    assert (repaired.current_period_start, repaired.cancel_at_period_end) == (before.current_period_end, True)
    assert renewal_invoice in await plan_grants(runtime)
    later = await events_since(stripe_emulator.stripe_client(alpha_key))
    for event in later:  # the lost webhooks turn up after all: nothing changes twice
        await apply_event(runtime, event)
    assert len(await plan_grants(runtime)) == 2
