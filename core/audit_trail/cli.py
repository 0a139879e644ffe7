"""`tollgate audit verify|list|export`: check each tenant's hash chain, and read or export its audit trail.

The commands join the `audit` group of `core/money_audit/cli.py` (one `tollgate audit` for every audit).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from typing import Any

import click
import msgspec
from rich.console import Console
from rich.progress import Progress

from core.audit_trail.services import AuditRecords, verify_chain
from core.cli import as_utc, named_tenants, run_async, runtime_for
from core.db import session_scope

console = Console(stderr=True, soft_wrap=True)  # a broken link stays on one line, for grep
COLUMNS = (
    "seq",
    "occurred_at",
    "principal",
    "request_id",
    "source_ip",
    "action",
    "target",
    "before",
    "after",
    "prev_hash",
    "hash",
)


@click.command(
    "verify",
    help=(
        "Check the hash chain of TENANT's audit trail (every tenant's when none is named) and report the first "
        "broken link: a record edited, removed or inserted behind the database's back. Exits 1 on a break."
    ),
)
@click.argument("tenants", nargs=-1)
@click.pass_context
def verify_trail(ctx: click.Context, tenants: tuple[str, ...]) -> None:
    runtime = runtime_for(ctx)
    chosen = named_tenants(runtime, tenants) if tenants else list(runtime.tenants)

    async def run() -> int:
        broken = 0
        for tenant in chosen:
            async with session_scope(runtime.sessions) as session:
                checked, link = await verify_chain(session, tenant.slug)
            if link is None:
                console.print(f"{tenant.slug}: {checked} records, chain intact")
            else:
                broken += 1
                console.print(
                    f"[red]{tenant.slug}: broken at record {link.seq} ({link.record_id or 'chain head'}): "
                    f"{link.reason}[/red]"
                )
        return broken

    if run_async(run(), runtime):
        ctx.exit(1)


def _trail_options(command: Any) -> Any:
    command = click.option("--tenant", "tenant", required=True, help="The tenant's slug.")(command)
    command = click.option("--since", type=click.DateTime(), default=None, help="From this time (UTC, inclusive).")(
        command
    )
    command = click.option("--action", default=None, help="Only this action (`ledger.grant`, ...).")(command)
    return click.option(
        "--format", "output", type=click.Choice(["jsonl", "csv"]), default="jsonl", help="Output format."
    )(command)


def _write(records: list[Any], output: str, out: Any) -> None:
    if output == "jsonl":
        for record in records:
            out.write(msgspec.json.encode(record).decode() + "\n")
        return
    writer = csv.writer(out)
    for record in records:
        shown = msgspec.to_builtins(record)
        writer.writerow(
            [msgspec.json.encode(shown[c]).decode() if c in ("before", "after") else shown[c] for c in COLUMNS]
        )


def _dump(
    ctx: click.Context, out: Any, *, tenant: str, since: dt.datetime | None, action: str | None, output: str
) -> int:
    """Write the tenant's records, oldest first, in batches; a progress bar on stderr. Returns how many."""
    runtime = runtime_for(ctx)
    [chosen] = named_tenants(runtime, [tenant], param_hint="--tenant")

    async def run() -> int:
        written = 0
        if output == "csv":
            csv.writer(out).writerow(COLUMNS)
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task(f"{chosen.slug}: audit records", total=None)
            after = 0
            while True:
                async with session_scope(runtime.sessions) as session:
                    trail = AuditRecords(session, chosen.slug)
                    statement = trail.filtered(action=action, since=as_utc(since))
                    rows = await trail.batch_after(statement, after, 500)
                    shown = await trail.shown(rows)
                _write(shown, output, out)
                written += len(rows)
                progress.update(bar, completed=written, description=f"{chosen.slug}: {written} audit records")
                if len(rows) < 500:
                    return written
                after = rows[-1].seq

    return run_async(run(), runtime)


@click.command("list", help="Print a tenant's audit records, oldest first (JSON lines or CSV on stdout).")
@_trail_options
@click.pass_context
def list_trail(ctx: click.Context, *, tenant: str, since: dt.datetime | None, action: str | None, output: str) -> None:
    _dump(ctx, sys.stdout, tenant=tenant, since=since, action=action, output=output)


@click.command("export", help="Write a tenant's audit records, oldest first, to a file (JSON lines or CSV).")
@_trail_options
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), required=True, help="The file to write.")
@click.pass_context
def export_trail(
    ctx: click.Context, *, tenant: str, since: dt.datetime | None, action: str | None, output: str, output_file: str
) -> None:
    with open(output_file, "w", encoding="utf-8", newline="") as out:
        written = _dump(ctx, out, tenant=tenant, since=since, action=action, output=output)
    console.print(f"{written} audit records written to {output_file}")
