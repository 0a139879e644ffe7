"""`tollgate retention run [TENANT...] [--dry-run]`: apply the retention policy now, with progress and a summary."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from core.cli import named_tenants, run_async, runtime_for
from core.retention.policy import KINDS
from core.retention.services import Retention, RetentionRun

console = Console()


@click.group("retention", help="The retention policy: what Tollgate stops keeping, and when (docs/privacy.md).")
def retention_group() -> None:
    pass


@retention_group.command(
    "run",
    help="Prune what each TENANT's retention policy no longer keeps (every tenant when none is named), in short "
    "batches, and show what went by kind. A tenant whose retention is disabled is skipped.",
)
@click.argument("tenants", nargs=-1)
@click.option("--dry-run", is_flag=True, help="Count what would be pruned; change nothing.")
@click.pass_context
def run(ctx: click.Context, tenants: tuple[str, ...], dry_run: bool) -> None:
    runtime = runtime_for(ctx)
    chosen = named_tenants(runtime, tenants) if tenants else list(runtime.tenants)

    async def prune() -> list[RetentionRun]:
        runs: list[RetentionRun] = []
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console) as progress:
            overall = progress.add_task("tenants", total=len(chosen))
            for tenant in chosen:
                runs.extend(await _one_tenant(Retention(runtime, tenant), dry_run, progress))
                progress.advance(overall)
        return runs

    runs = run_async(prune(), runtime)
    if not runs:
        return
    table = Table(title="would be pruned (dry run)" if dry_run else "pruned")
    table.add_column("tenant")
    for kind in KINDS:
        table.add_column(kind, justify="right")
    for done in runs:
        table.add_row(done.tenant, *(str(done.pruned.get(kind, 0)) for kind in KINDS))
    console.print(table)
    for done in runs:
        click.echo(done.line())


async def _one_tenant(retention: Retention, dry_run: bool, progress: Progress) -> list[RetentionRun]:
    """The tenant's run (none when its retention is disabled), a bar per kind counting its pruned rows."""
    slug = retention.tenant.slug
    if not retention.policy.enabled:
        progress.console.print(f"{slug}: retention disabled, skipped")
        return []
    if dry_run:
        return [await retention.run(dry_run=True)]
    totals = await retention.count()
    bars: dict[str, TaskID] = {kind: progress.add_task(f"{slug} {kind}", total=totals[kind]) for kind in KINDS}
    return [await retention.run(on_batch=lambda kind, rows: progress.advance(bars[kind], rows))]
