"""Operator commands over leased rows (Stripe events, notifications): list them and replay them, per tenant or all.

`tollgate webhooks list|replay` and `tollgate notifications list|replay` are both built here from the
domain's `LeasedService`, so the two read and behave the same.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from core.db import session_scope
from core.errors import Conflict
from core.lists import PageRequest
from core.retries import LeasedService, error_line

if TYPE_CHECKING:
    from core.kernel import Kernel
    from tenants.registry import Tenant

console = Console()
PAGE = 200


def _row(row: Any) -> Any:
    return row


Column = tuple[str, Callable[[Any], object]]


def summary(error: str | None, width: int = 100) -> str:
    """A row's error as it may be shown (`error_line`), cut to fit a table cell."""
    return error_line(error or "")[:width]


def _tenants(runtime: Kernel, slugs: Sequence[str]) -> list[Tenant]:
    if not slugs:
        return list(runtime.tenants)
    try:
        return [runtime.tenants.get(slug) for slug in slugs]
    except Exception as exc:
        raise click.BadParameter(str(exc), param_hint="--tenant") from None


async def _rows(
    runtime: Kernel, service: type[LeasedService[Any]], tenant: Tenant, status: str | None, event_type: str | None
) -> list[Any]:
    """Every matching row of one tenant, newest first, read page by page."""
    rows: list[Any] = []
    cursor: str | None = None
    while True:
        async with session_scope(runtime.sessions) as session:
            page = await service(session, tenant, runtime.jobs).page(
                PageRequest(limit=PAGE, cursor=cursor), _row, status=status, event_type=event_type
            )
        rows.extend(page.data)
        cursor = page.next_cursor
        if cursor is None:
            return rows


def leased_rows_commands(
    name: str, help_text: str, service: type[LeasedService[Any]], statuses: Sequence[str], columns: Sequence[Column]
) -> click.Group:
    """A click group `<name>` with `list` and `replay` for one domain's leased rows."""

    @click.group(name=name, help=help_text)
    def group() -> None:
        pass

    tenant_option = click.option(
        "--tenant", "tenants", multiple=True, metavar="SLUG", help="Only this tenant (repeatable); default: all."
    )
    status_option = click.option(
        "--status", type=click.Choice(list(statuses)), default="dead", show_default=True, help="Rows in this state."
    )
    type_option = click.option("--type", "event_type", default=None, help="Only this event type.")

    @group.command("list", help=f"List {name} rows (dead ones by default) for one tenant or all.")
    @tenant_option
    @status_option
    @type_option
    @click.option("--limit", default=50, show_default=True, help="Rows shown per tenant.")
    def list_rows(tenants: tuple[str, ...], status: str, event_type: str | None, limit: int) -> None:
        from core.cli import build_runtime

        async def run() -> None:
            runtime = build_runtime()
            table = Table("tenant", *(header for header, _ in columns), title=f"{name}: {status}")
            shown = 0
            try:
                for tenant in _tenants(runtime, tenants):
                    async with session_scope(runtime.sessions) as session:
                        rows = (
                            await service(session, tenant, runtime.jobs).page(
                                PageRequest(limit=limit), _row, status=status, event_type=event_type
                            )
                        ).data
                    for row in rows:
                        table.add_row(tenant.slug, *(str(value(row)) for _, value in columns))
                    shown += len(rows)
            finally:
                await runtime.engine.dispose()
            console.print(table if shown else f"No {name} rows in state {status!r}.")

        asyncio.run(run())

    @group.command("replay", help=f"Replay {name} rows (dead ones by default) for one tenant or all, with progress.")
    @tenant_option
    @status_option
    @type_option
    @click.option("--id", "ids", multiple=True, help="Only this row id (repeatable).")
    def replay_rows(tenants: tuple[str, ...], status: str, event_type: str | None, ids: tuple[str, ...]) -> None:
        from core.cli import build_runtime

        async def run() -> tuple[int, dict[str, int]]:
            runtime = build_runtime()
            await runtime.start()
            replayed = 0
            skipped: dict[str, int] = {}
            try:
                targets = [
                    (tenant, row.id)
                    for tenant in _tenants(runtime, tenants)
                    for row in await _rows(runtime, service, tenant, status, event_type)
                    if not ids or str(row.id) in ids
                ]
                replayed, skipped = await _replay(runtime, service, targets)
                if runtime.jobs.embedded:
                    # No worker in the embedded shape: this process runs the replayed tasks itself.
                    await runtime.jobs.broker.wait_all()  # type: ignore[attr-defined]
            finally:
                await runtime.stop()
            return replayed, skipped

        replayed, skipped = asyncio.run(run())
        refusals = ", ".join(f"{count} {code}" for code, count in sorted(skipped.items()))
        console.print(
            f"[green]Replayed {replayed}[/] {name} row(s)"
            + (f"; {sum(skipped.values())} skipped ({refusals})" if skipped else "")
        )

    return group


async def _replay(
    runtime: Kernel, service: type[LeasedService[Any]], targets: Sequence[tuple[Tenant, uuid.UUID]]
) -> tuple[int, dict[str, int]]:
    """Replay each row; returns how many were, and how many were refused by error code (in progress, pruned)."""
    replayed = 0
    skipped: dict[str, int] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Replaying", total=len(targets))
        for tenant, row_id in targets:
            progress.update(task, description=f"Replaying {tenant.slug}")
            try:
                async with session_scope(runtime.sessions) as session:
                    await service(session, tenant, runtime.jobs).replay(str(row_id))
                replayed += 1
            except Conflict as refused:
                skipped[refused.code] = skipped.get(refused.code, 0) + 1
            progress.advance(task)
    return replayed, skipped
