"""`tollgate customers export`: everything held on one customer, as the admin route answers it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click
import msgspec
from rich.console import Console
from rich.progress import Progress

from core.cli import named_tenants, run_async, runtime_for
from core.customers.export import CustomerExporter
from core.customers.tables import tables_of

console = Console(stderr=True)


@click.group("customers", help="A tenant's customers: export what Tollgate holds on one.")
def customers_group() -> None:
    pass


@customers_group.command(
    "export",
    help="Export everything Tollgate holds on CUSTOMER (the app's id) of TENANT: one JSON document, or a ZIP "
    "of one JSON file per table (`--format zip`). Written to --output, or to standard output.",
)
@click.argument("tenant")
@click.argument("customer")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The file.")
@click.option("--format", "export_format", type=click.Choice(["json", "zip"]), default="json", show_default=True)
@click.pass_context
def export(ctx: click.Context, tenant: str, customer: str, output: Path | None, export_format: str) -> None:
    runtime = runtime_for(ctx)
    (slug,) = named_tenants(runtime, [tenant])
    tables = [table for table in tables_of(runtime) if table.export]

    async def run(target: BinaryIO) -> int:
        rows = 0
        with Progress(console=console, transient=True) as progress:
            bar = progress.add_task("reading tables", total=len(tables))

            def read(name: str, count: int) -> None:
                nonlocal rows
                rows += count
                progress.update(bar, advance=1, description=f"{name}: {count} rows")

            async with runtime.sessions() as session:
                exporter = CustomerExporter(session, slug, tables)
                if export_format == "zip":
                    async for chunk in exporter.zip_chunks(await exporter.customer(customer), read):
                        target.write(chunk)
                else:
                    target.write(msgspec.json.encode(await exporter.document(customer, read)))
        return rows

    if output is None:
        rows = run_async(run(sys.stdout.buffer), runtime)
    else:
        try:
            with output.open("wb") as target:
                rows = run_async(run(target), runtime)
        except click.ClickException:
            output.unlink(missing_ok=True)  # no half-written export (an unknown customer)
            raise
    console.print(f"[green]exported {rows} rows of {len(tables)} tables[/]" + (f" to {output}" if output else ""))
