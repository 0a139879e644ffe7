"""`tollgate subscriptions reconcile [TENANT ...] [--dry-run]`: compare subscriptions with Stripe, with progress;
`tollgate subscriptions backfill-history [TENANT ...]`: seed the metrics' history of older subscriptions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core import audit_trail
from core.db import session_scope
from plugins.subscriptions import schemas
from plugins.subscriptions.config import PLUGIN
from plugins.subscriptions.reconcile import backfill_history, reconcile_tenant
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel


@click.group("subscriptions", help="Tiered subscriptions: keep each tenant's subscriptions in step with Stripe.")
def subscriptions() -> None:
    pass


@subscriptions.command(
    "reconcile",
    help="Compare every subscription Stripe may still change with Stripe and repair the drift (status, tier, "
    "period, a paid invoice's missing allowance). Default: every tenant that enables subscriptions.",
)
@click.argument("slugs", nargs=-1, metavar="[TENANT]...")
@click.option("--dry-run", is_flag=True, help="Only report what differs; change nothing.")
@click.pass_context
def reconcile(ctx: click.Context, slugs: tuple[str, ...], dry_run: bool) -> None:
    from core.cli import run_async, runtime_for, tenants_enabling

    runtime = runtime_for(ctx)
    tenants = tenants_enabling(runtime, PLUGIN, slugs)
    console = Console()
    results = run_async(_reconcile(runtime, tenants, dry_run, console), runtime)
    _report(console, results, dry_run)
    if any(drift.error for _, drifts in results for drift in drifts):
        ctx.exit(1)


@subscriptions.command(
    "backfill-history",
    help="Seed the metrics' subscription history (docs/metrics.md) for subscriptions stored before it, ended "
    "ones too, priced as Stripe holds them now. Default: every tenant that enables subscriptions.",
)
@click.argument("slugs", nargs=-1, metavar="[TENANT]...")
@click.pass_context
def backfill_history_command(ctx: click.Context, slugs: tuple[str, ...]) -> None:
    from core.cli import run_async, runtime_for, tenants_enabling

    runtime = runtime_for(ctx)
    tenants = tenants_enabling(runtime, PLUGIN, slugs)

    async def seed() -> list[tuple[str, int]]:
        return [(tenant.slug, await backfill_history(runtime, tenant)) for tenant in tenants]

    for slug, seeded in run_async(seed(), runtime):
        Console().print(f"{slug}: {seeded} subscription(s) given their history.", highlight=False)


async def _reconcile(
    runtime: Kernel, tenants: Sequence[Tenant], dry_run: bool, console: Console
) -> list[tuple[Tenant, list[schemas.Drift]]]:
    results: list[tuple[Tenant, list[schemas.Drift]]] = []
    columns: Any = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as progress:
            for tenant in tenants:
                if not dry_run:
                    # The admin route's record (`subscriptions.reconcile`), by `system:cli`, before any repair.
                    async with session_scope(runtime.sessions) as session:
                        await audit_trail.record(
                            session, tenant.slug, "subscriptions.reconcile", f"tenant:{tenant.slug}"
                        )
                bar = progress.add_task(tenant.slug, total=None)

                def on_progress(done: int, total: int, bar: Any = bar) -> None:
                    progress.update(bar, completed=done, total=total)

                drifts = await reconcile_tenant(runtime, tenant, dry_run=dry_run, on_progress=on_progress)
                progress.update(bar, total=progress.tasks[bar].total or 0)
                results.append((tenant, drifts))
    finally:
        if runtime.jobs.embedded:
            # Notices a repair sent run in this process (the embedded broker): let them finish first.
            await runtime.jobs.broker.wait_all()  # type: ignore[attr-defined]
    return results


def _report(console: Console, results: Sequence[tuple[Tenant, list[schemas.Drift]]], dry_run: bool) -> None:
    for tenant, drifts in results:
        for drift in drifts:
            where = f"{tenant.slug} {drift.subscription} ({drift.customer or '?'})"
            if drift.error:
                console.print(f"[red]✗[/] {where}: {drift.error}", highlight=False, soft_wrap=True)
            for field, (local, remote) in drift.changes.items():
                console.print(f"[yellow]~[/] {where} {field}: {local} → {remote}", highlight=False, soft_wrap=True)
    found = sum(len(drifts) for _, drifts in results)
    verb = "would be repaired (dry run)" if dry_run else "repaired"
    console.print(
        f"{found} subscription(s) out of step with Stripe; {verb}." if found else "Every subscription matches Stripe."
    )
