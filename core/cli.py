"""The `tollgate` command for operators: serve, migrate, check tenants, run workers; plugins add more.

Every command has help (`tollgate --help`, `tollgate <command> --help`); long runs show progress.
Plugins contribute commands through the `tollgate_cli_commands` hook.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

console = Console(stderr=False)
T = TypeVar("T")


def build_runtime() -> Any:
    from core.errors import SettingsError
    from core.runtime import Runtime

    try:
        return Runtime.build()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None


def runtime_for(ctx: click.Context) -> Any:
    """The runtime the caller handed the CLI as `obj` (tests do), else one built from the settings."""
    from core.runtime import Runtime

    return ctx.obj if isinstance(ctx.obj, Runtime) else build_runtime()


def run_async(coroutine: Coroutine[Any, Any, T], runtime: Any = None) -> T:
    """Run a command's async body in its own loop, then close `runtime`'s connections made in it.

    Errors an operator can act on become one clear line, not a traceback.
    """
    from sqlalchemy.exc import DBAPIError

    from core.errors import TollgateError

    async def body() -> T:
        try:
            return await coroutine
        finally:
            if runtime is not None:
                await runtime.engine.dispose()

    try:
        return asyncio.run(body())
    except TollgateError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from None
    except DBAPIError as exc:
        text = str(exc.orig).lower()
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise click.ClickException("The database is not migrated: run `tollgate db upgrade` first.") from None
        raise


def tenants_enabling(runtime: Any, plugin: str, slugs: Sequence[str]) -> list[Any]:
    """The named tenants, each of which must enable `plugin`; every tenant that enables it when none is named."""
    if not slugs:
        return [tenant for tenant in runtime.tenants if tenant.enabled(plugin)]
    unknown = [slug for slug in slugs if slug not in runtime.tenants.slugs()]
    if unknown:
        raise click.BadParameter(f"no tenant {', '.join(unknown)}", param_hint="TENANT")
    chosen = [runtime.tenants.get(slug) for slug in slugs]
    disabled = [tenant.slug for tenant in chosen if not tenant.enabled(plugin)]
    if disabled:
        raise click.BadParameter(f"{', '.join(disabled)} does not enable {plugin}", param_hint="TENANT")
    return chosen


@click.group(help="Tollgate: one billing deployment that many apps share.")
@click.option("--env", "env", default=None, help="Settings environment (sets TOLLGATE_ENV).")
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(env: str | None, verbose: bool) -> None:
    if env:
        os.environ["TOLLGATE_ENV"] = env
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@main.command(help="Migrate the database, then serve the API with uvicorn.")
@click.option("--host", default=None, help="Bind address (settings: server.host).")
@click.option("--port", default=None, type=int, help="Port (settings: server.port).")
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="Run migrations first.")
@click.option("--workers", default=1, show_default=True, help="uvicorn worker processes.")
def run(host: str | None, port: int | None, migrate: bool, workers: int) -> None:
    import uvicorn

    from core.migrate import upgrade

    runtime = build_runtime()
    if migrate:
        console.print(f"[bold]Migrating[/] {_safe_url(runtime.config.database.url)} ...")
        upgrade(runtime.config.database.url)
    host = host or runtime.config.server.host
    port = port or runtime.config.server.port
    console.print(
        f"[bold green]Tollgate[/] on http://{host}:{port}  (env {runtime.config.env}, "
        f"tenants: {', '.join(runtime.tenants.slugs())}; docs at /schema)"
    )
    if workers > 1:
        uvicorn.run("core.asgi:app", host=host, port=port, workers=workers, log_level="info")
        return
    from core.app import create_app

    uvicorn.run(create_app(runtime), host=host, port=port, log_level="info")


@main.group(help="Database migrations (Alembic).")
def db() -> None:
    pass


@db.command("upgrade", help="Apply migrations up to REVISION (default: every head).")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    from core.migrate import upgrade
    from core.settings import load_dynaconf

    url = str(load_dynaconf().get("database.url"))
    console.print(f"Migrating {_safe_url(url)} to {revision} ...")
    upgrade(url, revision)
    console.print("[green]done[/]")


@db.command("current", help="Show the applied revision.")
def db_current() -> None:
    from core.migrate import current
    from core.settings import load_dynaconf

    current(str(load_dynaconf().get("database.url")))


@main.group(help="Tenants declared in the settings.")
def tenants() -> None:
    pass


@tenants.command("list", help="List tenants: name, enabled plugins, where their notices go.")
@click.pass_context
def tenants_list(ctx: click.Context) -> None:
    runtime = runtime_for(ctx)
    table = Table("slug", "name", "plugins", "notifications")
    for tenant in runtime.tenants:
        table.add_row(tenant.slug, tenant.name, ", ".join(tenant.plugins) or "-", tenant.core.notifications.url or "-")
    console.print(table)


@tenants.command(
    "check",
    help="Validate the settings, then read each tenant's secrets (SLUGS, or every tenant) and check what they "
    "hold. Exits 1 when a tenant's secrets are unreadable or unusable.",
)
@click.argument("slugs", nargs=-1)
@click.pass_context
def tenants_check(ctx: click.Context, slugs: tuple[str, ...]) -> None:
    from rich.markup import escape

    from tenants.secrets import audit

    runtime = runtime_for(ctx)
    unknown = [slug for slug in slugs if slug not in runtime.tenants.slugs()]
    if unknown:
        raise click.BadParameter(f"no tenant {', '.join(unknown)}", param_hint="SLUGS")
    selected = [runtime.tenants.get(slug) for slug in slugs] if slugs else list(runtime.tenants)
    backend = runtime.secrets.backend.name
    console.print(f"[green]✓[/] settings valid: {len(runtime.tenants)} tenant(s); secrets from {backend}")

    async def check() -> int:
        failures = 0
        for tenant in selected:
            plugins = ", ".join(tenant.plugins) or "no plugins"
            try:
                secrets = await runtime.secrets.get(tenant)
            except Exception as exc:
                failures += 1
                cause = exc.__cause__ or exc
                console.print(
                    f"[red]✗[/] {tenant.slug} ({plugins}): secrets unreadable from {backend}: {escape(str(cause))}",
                    soft_wrap=True,
                )
                continue
            errors, warnings = audit(tenant, secrets)
            failures += bool(errors)
            mark = "[red]✗[/]" if errors else "[yellow]![/]" if warnings else "[green]✓[/]"
            console.print(f"{mark} {tenant.slug} ({plugins}): secrets readable")
            for problem in errors:
                console.print(f"    [red]error[/]: {problem}", soft_wrap=True)
            for problem in warnings:
                console.print(f"    [yellow]warning[/]: {problem}", soft_wrap=True)
        return failures

    failures = run_async(check(), runtime)
    if failures:
        console.print(f"[red]{failures} tenant(s) need attention[/]")
        sys.exit(1)


@main.group(help="Tenant secrets: API key hashes, and copying the settings' secrets into Vault.")
def secrets() -> None:
    pass


@secrets.command("hash-key", help="Print the SHA-256 of an API key, as stored in a tenant's `api_keys`.")
@click.argument("key")
def secrets_hash_key(key: str) -> None:
    from tenants.secrets import hash_api_key

    click.echo(hash_api_key(key))


@secrets.command("push", help="Write each tenant's secrets from the settings file into Vault (KV v2).")
@click.option("--token", envvar="VAULT_TOKEN", required=True, help="A Vault token allowed to write the tenant paths.")
@click.argument("slugs", nargs=-1)
def secrets_push(token: str, slugs: tuple[str, ...]) -> None:
    import hvac

    from core.settings import load_dynaconf, to_plain

    settings = load_dynaconf()
    documents: dict[str, Any] = to_plain(settings.get("tenant_secrets")) or {}
    vault = to_plain(settings.get("vault")) or {}
    tenants_block: dict[str, Any] = to_plain(settings.get("tenants")) or {}
    client = hvac.Client(url=vault.get("url", "http://127.0.0.1:8200"), token=token)
    for slug in slugs or tuple(documents):
        if slug not in documents:
            raise click.ClickException(f"no [tenant_secrets.{slug}] in the settings")
        path = (
            tenants_block.get(slug, {}).get("secret_path") or f"{vault.get('path_prefix', 'tollgate/tenants')}/{slug}"
        )
        client.secrets.kv.v2.create_or_update_secret(
            path=path, secret=documents[slug], mount_point=vault.get("mount", "secret")
        )
        console.print(f"[green]✓[/] {slug} → {vault.get('mount', 'secret')}/{path}")


@main.command(help="Run a taskiq worker for this deployment (production shape: jobs.broker = redis).")
@click.option("--workers", default=1, show_default=True, help="Worker processes (taskiq --workers).")
def worker(workers: int) -> None:
    os.execvp("taskiq", ["taskiq", "worker", "core.worker:broker", "--workers", str(workers)])  # noqa: S606, S607


@main.command(help="Run the taskiq scheduler that sends the cron schedules.")
def scheduler() -> None:
    os.execvp("taskiq", ["taskiq", "scheduler", "core.worker:scheduler"])  # noqa: S606, S607


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _add_plugin_commands() -> None:
    from core.plugins import load_plugins

    for _, commands in load_plugins().results_by_plugin("tollgate_cli_commands"):
        for command in commands or []:
            main.add_command(command)


if __name__ == "__main__":
    # `python -m core.cli`: plugins' commands import `core.cli`, so run that module's group, not this copy.
    import importlib

    importlib.import_module("core.cli").main()
else:
    _add_plugin_commands()
