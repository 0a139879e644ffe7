"""`tollgate catalog sync [TENANT ...] [--all]`: sync catalogs from Stripe now, with progress and a summary."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from core import audit_trail
from core.db import session_scope
from plugins.product_sync import schemas
from plugins.product_sync.config import PLUGIN
from plugins.product_sync.services import SyncRuns
from plugins.product_sync.sync import FullSync
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel


@click.group("catalog", help="Product catalogs mirrored from each tenant's Stripe account (product_sync).")
def catalog() -> None:
    pass


@catalog.command("sync", help="Sync the named tenants' catalogs from Stripe now, or every tenant's with --all.")
@click.argument("slugs", nargs=-1, metavar="[TENANT]...")
@click.option("--all", "every", is_flag=True, help="Every tenant that enables product_sync.")
@click.pass_context
def sync(ctx: click.Context, slugs: tuple[str, ...], every: bool) -> None:
    from core.cli import runtime_for, tenants_enabling

    if bool(slugs) == every:
        raise click.UsageError("Name one or more tenants, or pass --all.")
    runtime = runtime_for(ctx)
    tenants = tenants_enabling(runtime, PLUGIN, slugs)
    console = Console()
    results = asyncio.run(_sync(runtime, tenants, console))
    _summary(console, results)
    if any(run is None or run.status != "succeeded" for _, run in results):
        ctx.exit(1)


async def _sync(
    runtime: Kernel, tenants: Sequence[Tenant], console: Console
) -> list[tuple[Tenant, schemas.SyncRun | None]]:
    results: list[tuple[Tenant, schemas.SyncRun | None]] = []
    columns: Any = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[seen]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as progress:
            for tenant in tenants:
                # Stripe's lists have no total: the bar pulses, and the count grows page by page.
                bar = progress.add_task(tenant.slug, total=None, seen="starting")
                seen = {"products": 0, "prices": 0}

                async def on_page(kind: str, count: int, bar: Any = bar, seen: dict[str, int] = seen) -> None:
                    seen[kind] += count
                    progress.update(bar, seen=f"{seen['products']} products, {seen['prices']} prices")

                async with session_scope(runtime.sessions) as session:
                    created = await SyncRuns(session, tenant).create("cli")
                    # The admin route's record (`catalog.sync`), by `system:cli`.
                    target, after = f"sync_run:{created.id}", {"status": created.status}
                    await audit_trail.record(session, tenant.slug, "catalog.sync", target, after=after)
                    run_id = created.id
                run = await FullSync(runtime, tenant, on_page=on_page).run(run_id)
                progress.update(bar, total=1, completed=1)
                results.append((tenant, run))
    finally:
        await runtime.engine.dispose()
    return results


def _summary(console: Console, results: Sequence[tuple[Tenant, schemas.SyncRun | None]]) -> None:
    table = Table("tenant", "status", "products", "prices", "kept newer", "problems")
    for tenant, run in results:
        if run is None:
            table.add_row(tenant.slug, "not started", "-", "-", "-", "-")
            continue
        status = "[green]succeeded[/]" if run.status == "succeeded" else f"[red]{run.status}[/]"
        table.add_row(
            tenant.slug,
            status,
            _seen(run.products, run.deactivated_products),
            _seen(run.prices, run.deactivated_prices),
            str(run.stale_skipped),
            str(len(run.problems)),
        )
    console.print(table)
    for tenant, run in results:
        if run is None:
            continue
        if run.error:
            console.print(f"[red]✗[/] {tenant.slug}: {run.error}")
        for problem in run.problems:
            where = f"{problem.product}/{problem.price}" if problem.price else problem.product
            console.print(
                f"[yellow]![/] {tenant.slug} {where} {problem.key}={problem.value!r}: {problem.message}",
                highlight=False,
            )


def _seen(count: int, gone: int) -> str:
    return f"{count} ({gone} gone)" if gone else str(count)
