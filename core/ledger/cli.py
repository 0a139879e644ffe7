"""`tollgate credits ...`: operators grant credits, read a balance, and run the expiry now;
`tollgate ledger verify`: check every invariant of the ledger."""

from __future__ import annotations

import datetime as dt
import uuid

import click
import msgspec
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from core import clock
from core.cli import named_tenants, run_async, runtime_for
from core.db import session_scope
from core.ledger import schemas
from core.ledger.services import Ledger
from core.ledger.tasks import EXPIRE_BATCH_SIZE
from core.ledger.verify import Report

console = Console()


@click.group("credits", help="The credit ledger: grant, balance, expire.")
def credits_group() -> None:
    pass


@credits_group.command(
    "grant", help="Grant AMOUNT credits to CUSTOMER of TENANT (an admin grant, recorded in the ledger)."
)
@click.argument("tenant")
@click.argument("customer")
@click.argument("amount", type=click.IntRange(min=1))
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None, help="Expire the grant after N days.")
@click.option("--priority", type=click.IntRange(0, 100), default=50, show_default=True, help="Lower is spent first.")
@click.option("--reason", default="operator grant", show_default=True, help="Why, kept on the ledger entry.")
@click.option(
    "--reference",
    default=None,
    help="Makes the grant idempotent: the same reference never grants twice (default: a new one).",
)
@click.pass_context
def grant(
    ctx: click.Context,
    *,
    tenant: str,
    customer: str,
    amount: int,
    expires_in_days: int | None,
    priority: int,
    reason: str,
    reference: str | None,
) -> None:
    runtime = runtime_for(ctx)
    expires_at = clock.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None

    # The admin grant of `POST .../grants`, so it is audited the same way (principal `system:cli`).
    data = schemas.GrantCreate(
        credits=amount,
        priority=priority,
        expires_at=expires_at,
        reference=reference or f"cli:{uuid.uuid4()}",
        reason=reason,
    )

    async def run() -> None:
        async with session_scope(runtime.sessions) as session:
            ledger = Ledger(session, runtime.tenants.get(tenant))
            first = await ledger.grant_of("admin", str(data.reference))
            # A repeat keeps the first grant (its expiry counted from the first run) and records nothing.
            if first is None or first.customer != customer:
                await ledger.grant_from_request(customer, data, None)
        await _show_balance(runtime, tenant, customer)

    run_async(run(), runtime)


@credits_group.command("balance", help="Show CUSTOMER's balance, holds and live grants at TENANT.")
@click.argument("tenant")
@click.argument("customer")
@click.pass_context
def balance(ctx: click.Context, tenant: str, customer: str) -> None:
    runtime = runtime_for(ctx)
    run_async(_show_balance(runtime, tenant, customer), runtime)


@credits_group.command(
    "expire", help="Expire lapsed grants and holds now (the scheduled job's work), tenant by tenant."
)
@click.argument("tenants", nargs=-1)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=EXPIRE_BATCH_SIZE,
    show_default=True,
    help="Accounts settled per transaction.",
)
@click.pass_context
def expire(ctx: click.Context, tenants: tuple[str, ...], batch_size: int) -> None:
    runtime = runtime_for(ctx)
    chosen = [runtime.tenants.get(slug) for slug in tenants] if tenants else list(runtime.tenants)

    async def run() -> None:
        total = 0
        with Progress(console=console) as progress:
            bar = progress.add_task("expiring", total=len(chosen))
            for tenant in chosen:
                progress.update(bar, description=f"expiring {tenant.slug}")
                while True:
                    async with session_scope(runtime.sessions) as session:
                        done = await Ledger(session, tenant).settle_due(batch_size)
                    total += done
                    if done < batch_size:
                        break
                progress.advance(bar)
        console.print(f"settled {total} account(s) across {len(chosen)} tenant(s)")

    run_async(run(), runtime)


async def _show_balance(runtime: object, tenant: str, customer: str) -> None:
    from core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    async with session_scope(runtime.sessions) as session:
        answer = await Ledger(session, runtime.tenants.get(tenant)).balance(customer)
    console.print(
        f"[bold]{tenant}/{customer}[/]: balance {answer.balance}, held {answer.held}, debt {answer.debt}"
        + (", unlimited" if answer.unlimited else "")
    )
    for g in answer.grants:
        expiry = g.expires_at.isoformat() if g.expires_at else "never"
        console.print(f"  grant {g.id} ({g.source}): {g.remaining} left, expires {expiry}")


@click.group("ledger", help="The ledger as a whole: verify its invariants.")
def ledger_group() -> None:
    pass


@ledger_group.command(
    "verify",
    help="Check every invariant of the ledger for every account of TENANT... (all tenants when none is named). "
    "Exit status 0: clean; 1: violations (the first ones are named); 2: a usage error.",
)
@click.argument("tenants", nargs=-1)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=500, show_default=True, help="Accounts read per batch."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@click.option("--show", type=click.IntRange(min=1), default=10, show_default=True, help="Violators named at most.")
@click.pass_context
def verify(ctx: click.Context, tenants: tuple[str, ...], batch_size: int, as_json: bool, show: int) -> None:
    from core.ledger.sources import grant_sources
    from core.ledger.verify import CHECKS, verify_ledger

    runtime = runtime_for(ctx)
    named_tenants(runtime, tenants)
    sources = grant_sources(runtime.plugins)

    async def run() -> Report:
        if as_json:
            return await verify_ledger(runtime.engine, sources=sources, tenants=tenants, batch_size=batch_size)
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("verifying accounts", total=None)
            return await verify_ledger(
                runtime.engine,
                sources=sources,
                tenants=tenants,
                batch_size=batch_size,
                on_batch=lambda done, total: progress.update(bar, completed=done, total=total),
            )

    report = run_async(run(), runtime)
    if as_json:
        click.echo(msgspec.json.encode(report).decode())
    else:
        table = Table(title=f"{report.accounts} accounts, {report.grants} grants, {report.entries} entries")
        table.add_column("check")
        table.add_column("what must hold")
        table.add_column("violators", justify="right")
        for name, count in report.counts.items():
            table.add_row(name, CHECKS[name], f"[red]{count}[/]" if count else "0")
        console.print(table)
        for violation in report.first(show):
            console.print(f"✗ {violation.line()}", soft_wrap=True, markup=False, highlight=False)
        console.print("[green]ledger verified: every invariant holds[/]" if report.clean else "[red]ledger broken[/]")
    if not report.clean:
        ctx.exit(1)
