"""`tollgate audit stripe TENANT`: audit a tenant's money against its Stripe account, optionally repairing."""

from __future__ import annotations

import datetime as dt

import click
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from core import clock
from core.audit_trail.cli import export_trail, list_trail, verify_trail
from core.cli import as_utc, named_tenants, run_async, runtime_for
from core.db import session_scope
from core.money_audit.services import AuditRuns, MoneyAudit

console = Console()


@click.group("audit", help="Audits of Tollgate's records against the outside world, and the audit trail.")
def audit_group() -> None:
    pass


for _command in (verify_trail, list_trail, export_trail):
    audit_group.add_command(_command)


@audit_group.command(
    "stripe",
    help=(
        "Match TENANT's paid invoices, PaymentIntents, Checkout Sessions, refunds and disputes in Stripe against "
        "its grants and clawbacks, and show every difference. Exits 1 while any difference is open."
    ),
)
@click.argument("tenant")
@click.option(
    "--since",
    type=click.DateTime(),
    default=None,
    help="Start of the period (UTC, inclusive); default: `money_audit.lookback_days` before --until.",
)
@click.option("--until", type=click.DateTime(), default=None, help="End of the period (UTC, exclusive); default: now.")
@click.option(
    "--repair",
    is_flag=True,
    help="Store and apply, through the inbox, the Stripe events that explain a difference (never anything else).",
)
@click.pass_context
def stripe_audit(
    ctx: click.Context, tenant: str, since: dt.datetime | None, until: dt.datetime | None, repair: bool
) -> None:
    runtime = runtime_for(ctx)
    [chosen] = named_tenants(runtime, [tenant])
    end = as_utc(until) or clock.now()
    start = as_utc(since) or end - dt.timedelta(days=runtime.config.money_audit.lookback_days)

    async def run() -> int:
        with Progress(console=console) as progress:
            bars: dict[str, TaskID] = {}

            def read(kind: str, count: int) -> None:
                if kind not in bars:
                    bars[kind] = progress.add_task(f"reading {kind}", total=None)
                progress.update(bars[kind], completed=count, description=f"{kind}: {count}")

            run_id = await MoneyAudit(runtime, chosen).run(start, end, trigger="cli", repair=repair, progress=read)
        async with session_scope(runtime.sessions) as session:
            detail = await AuditRuns(session, chosen).get(str(run_id))
        if detail.differences:
            table = Table(title=f"{tenant}: differences with Stripe, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}")
            for column in ("status", "kind", "plugin", "stripe object", "customer", "expected", "found", "note"):
                table.add_column(column)
            for d in detail.differences:
                table.add_row(
                    d.status,
                    d.kind,
                    d.plugin,
                    d.stripe_object,
                    d.customer or "",
                    d.expected or "",
                    d.found or "",
                    d.repair_note or d.description,
                )
            console.print(table)
        console.print(
            f"run {detail.id}: {detail.open_differences} open, {detail.repaired_differences} repaired "
            f"({', '.join(f'{n} {k}' for k, n in detail.objects.items())})"
        )
        return detail.open_differences

    if run_async(run(), runtime):
        ctx.exit(1)
