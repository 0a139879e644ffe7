"""The `tollgate` command for operators: serve, migrate, check tenants, run workers; plugins add more.

Every command has help (`tollgate --help`, `tollgate <command> --help`); long runs show progress.
Plugins contribute commands through the `tollgate_cli_commands` hook.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Coroutine, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from core.migrate import Branch

console = Console(stderr=False)
T = TypeVar("T")
# The worker's broker shutdown on SIGTERM (acknowledgements, task sends, connections): taskiq's default.
BROKER_SHUTDOWN_SECONDS = 5
# `stripe backfill --wait`: how often it asks again whether the run holding the tenant has ended.
BACKFILL_WAIT_POLL_SECONDS = 1.0


class SettingsProblem(click.ClickException):
    """Settings that cannot run: one line (or one list of problems) after `tollgate:`, not a traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"tollgate: {self.format_message()}", file=file, err=True)


class TollgateGroup(click.Group):
    """The `tollgate` group: any command that reads the settings stops on a SettingsError the same way."""

    def invoke(self, ctx: click.Context) -> Any:
        from core.errors import SettingsError

        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            raise SettingsProblem(str(exc)) from None


def build_runtime() -> Any:
    from core.errors import SettingsError
    from core.runtime import Runtime

    try:
        return Runtime.build()
    except SettingsError as exc:
        raise SettingsProblem(str(exc)) from None


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
        from core import heap

        heap.settle()  # a long job's transactions would wait on full collections of the start-up heap
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


def named_tenants(runtime: Any, slugs: Sequence[str], param_hint: str = "TENANT") -> list[Any]:
    """The tenants named on the command line; a usage error (exit 2) naming the unknown ones and the known."""
    known = runtime.tenants.slugs()
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise click.BadParameter(
            f"no tenant {', '.join(unknown)} on this deployment (tenants: {', '.join(sorted(known)) or 'none'})",
            param_hint=param_hint,
        )
    return [runtime.tenants.get(slug) for slug in slugs]


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A `click.DateTime()` option's value in UTC: a time without a zone is read as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def tenants_enabling(runtime: Any, plugin: str, slugs: Sequence[str]) -> list[Any]:
    """The named tenants, each of which must enable `plugin`; every tenant that enables it when none is named."""
    if not slugs:
        return [tenant for tenant in runtime.tenants if tenant.enabled(plugin)]
    chosen = named_tenants(runtime, slugs)
    disabled = [tenant.slug for tenant in chosen if not tenant.enabled(plugin)]
    if disabled:
        raise click.BadParameter(f"{', '.join(disabled)} does not enable {plugin}", param_hint="TENANT")
    return chosen


@click.group(
    cls=TollgateGroup,
    help="Tollgate: one billing deployment that many apps share. Settings: $TOLLGATE_SETTINGS, else "
    "./settings.toml, else /etc/tollgate/settings.toml.",
)
@click.option("--env", "env", default=None, help="Settings environment (sets TOLLGATE_ENV).")
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level.")
def main(env: str | None, verbose: bool) -> None:
    if env:
        os.environ["TOLLGATE_ENV"] = env
    from core import logs

    logs.configure_from_settings(level="INFO" if verbose else None, default_level="WARNING")


@main.command(help="Migrate the database, then serve the API with uvicorn.")
@click.option("--host", default=None, help="Bind address (settings: server.host).")
@click.option("--port", default=None, type=int, help="Port (settings: server.port).")
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="Run migrations first.")
@click.option("--workers", default=1, show_default=True, help="uvicorn worker processes.")
def run(host: str | None, port: int | None, migrate: bool, workers: int) -> None:
    import uvicorn

    from core import logs, tracing
    from core.migrate import upgrade

    runtime = build_runtime()
    logs.configure(runtime.config.logging, runtime.config.env)
    tracing.install(runtime.config.tracing)
    if migrate:
        console.print(f"[bold]Migrating[/] {_safe_url(runtime.config.database.url)} ...")
        upgrade(runtime.config.database.url)
    host = host or runtime.config.server.host
    port = port or runtime.config.server.port
    _serve_metrics(runtime.config.metrics, workers)
    console.print(
        f"[bold green]Tollgate[/] on http://{host}:{port}  (env {runtime.config.env}, "
        f"tenants: {', '.join(runtime.tenants.slugs())}; docs at /schema)"
    )
    # On SIGTERM uvicorn stops accepting, lets requests finish for this long, then runs the app's
    # shutdown (core/app.py); with --workers the parent forwards SIGTERM to each worker process.
    graceful = runtime.config.server.graceful_shutdown_seconds
    # uvicorn finds the client behind `server.trusted_proxies`: the audit trail records its address.
    proxies = runtime.config.server.uvicorn_proxy_options()
    if workers > 1:
        uvicorn.run(
            "core.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            timeout_graceful_shutdown=graceful,
            timeout_worker_healthcheck=runtime.config.server.worker_healthcheck_seconds,
            **proxies,
            # Each worker process logs as core/asgi.py configures it; the request lines are Tollgate's own.
            log_config=None,
            access_log=False,
        )
        return
    from core.app import create_app

    # Once shut down, uvicorn raises the SIGTERM again to die of it; a stop asked for and done exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        create_app(runtime),
        host=host,
        port=port,
        log_level="info",
        timeout_graceful_shutdown=graceful,
        **proxies,
        log_config=None,  # logging is configured above; each request's line is Tollgate's (core/logs.py)
        access_log=False,
    )


def _stopped(signum: int, frame: Any) -> None:
    sys.exit(0)


@main.command(help="Write the OpenAPI document the API serves for these settings, without serving it.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: standard output); `make clients` writes clients/openapi.json.",
)
@click.pass_context
def openapi(ctx: click.Context, output: Path | None) -> None:
    from core.openapi_export import export

    text = export(runtime_for(ctx), output)
    if output is None:
        click.echo(text, nl=False)


@main.group(help="Database migrations (Alembic).")
def db() -> None:
    pass


@db.command(
    "upgrade",
    help="Migrate the kernel and every installed plugin to their heads (or to REVISION). "
    "--plugin NAME migrates that plugin's branch alone, as when a plugin is enabled later.",
)
@click.argument("revision", default="heads")
@click.option("--plugin", default=None, help="Migrate only this plugin's branch (and the kernel revisions it needs).")
def db_upgrade(revision: str, plugin: str | None) -> None:
    from core import migrate
    from core.plugins import load_plugins

    if plugin and revision != "heads":
        raise click.UsageError("give REVISION or --plugin, not both")
    url = _database_url()
    plugins = load_plugins()
    with _migration_errors():
        before = {branch.name: branch.applied for branch in migrate.branches(url, plugins)}
        console.print(f"Migrating {_safe_url(url)} to {f'{plugin}@head' if plugin else revision} ...")
        adopted = migrate.upgrade_plugin(url, plugin, plugins) if plugin else migrate.upgrade(url, revision, plugins)
        after = migrate.branches(url, plugins)
    if adopted:
        console.print(
            f"Adopted the linear history (from before plugins had branches): stamped {', '.join(adopted)}; "
            "no table touched.",
            soft_wrap=True,
        )
    console.print(_branch_table(after, before))
    console.print("[green]done[/]")


@db.command("current", help="Show each branch's applied revision (the kernel's is `core`) and its head.")
def db_current() -> None:
    from core import migrate

    with _migration_errors():
        console.print(_branch_table(migrate.branches(_database_url())))


@db.command(
    "revision",
    help="Write a new migration in PLUGIN's branch (`core`: the kernel's), in the directory its "
    "tollgate_migrations hook names; a plugin's first one starts its branch.",
)
@click.argument("plugin")
@click.option("-m", "--message", required=True, help="What the revision does (also its file name).")
@click.option(
    "--autogenerate",
    is_flag=True,
    help="Fill it with the differences between PLUGIN's models and the database (migrated to the heads).",
)
@click.option("--rev-id", default=None, help="The revision id (default: a random one; ids are unique across branches).")
def db_revision(plugin: str, message: str, autogenerate: bool, rev_id: str | None) -> None:
    from core import migrate

    with _migration_errors():
        migrate.revision(_database_url(), plugin, message, autogenerate=autogenerate, rev_id=rev_id)


def _database_url() -> str:
    from core.settings import database_url, load_dynaconf

    return database_url(load_dynaconf())


@contextlib.contextmanager
def _migration_errors() -> Iterator[None]:
    """Migration errors an operator can act on become one line, not a traceback."""
    from alembic.util import CommandError

    from core.errors import MigrationError

    try:
        yield
    except (MigrationError, CommandError) as exc:
        raise click.ClickException(str(exc)) from None


def _branch_table(branches: Sequence[Branch], before: dict[str, str | None] | None = None) -> Table:
    table = Table("branch", *(["before"] if before is not None else []), "applied", "head", box=None)
    for branch in branches:
        was = [(before or {}).get(branch.name) or "-"] if before is not None else []
        mark = "" if branch.applied == branch.head else " [yellow](behind)[/]"
        table.add_row(branch.name, *was, (branch.applied or "-") + mark, branch.head)
    return table


@main.group(help="Tenants declared in the settings.")
def tenants() -> None:
    pass


@tenants.command(
    "list",
    help="List tenants: name, enabled plugins, where their notices go; then where each tenant's Stripe account "
    "posts its events (under server.public_url).",
)
@click.pass_context
def tenants_list(ctx: click.Context) -> None:
    runtime = runtime_for(ctx)
    table = Table("slug", "name", "plugins", "notifications")
    for tenant in runtime.tenants:
        table.add_row(tenant.slug, tenant.name, ", ".join(tenant.plugins) or "-", tenant.core.notifications.url or "-")
    console.print(table)
    endpoint = f"{runtime.config.server.public_url.rstrip('/')}/t/<slug>/webhooks/stripe"
    console.print(f"Stripe webhook endpoints: {endpoint} (server.public_url)", soft_wrap=True)


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
    selected = named_tenants(runtime, slugs, "SLUGS") if slugs else list(runtime.tenants)
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


@tenants.command(
    "add",
    help="Onboard tenant SLUG: append its settings block (each plugin's starter block) to the settings file and "
    "load it again, then make its API keys, end-user JWT secret and notification secret and write its secrets "
    "document to Vault. The keys are printed once. A document already in Vault is left alone unless --force, which "
    "replaces its Tollgate credentials and keeps its Stripe key, webhook secrets and prices.",
)
@click.argument("slug")
@click.option("--name", required=True, help="The tenant's display name.")
@click.option(
    "--plugins", "plugin_list", default="", help="Product plugins to enable, comma-separated (payg,subscriptions)."
)
@click.option("--notifications-url", default=None, help="Where signed notices to the tenant app go.")
@click.option(
    "--stripe-secret-key-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file holding the tenant's Stripe secret key (else $TOLLGATE_NEW_STRIPE_SECRET_KEY; else none yet).",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The settings file to read and append to (default: the one Tollgate reads).",
)
@click.option("--print", "print_only", is_flag=True, help="Print the settings block instead of appending it.")
@click.option("--force", is_flag=True, help="Replace the credentials of a secrets document already in Vault.")
@click.option("--token", envvar="VAULT_TOKEN", required=True, help="A Vault token allowed to write the tenant path.")
def tenants_add(
    *,
    slug: str,
    name: str,
    plugin_list: str,
    notifications_url: str | None,
    stripe_secret_key_file: Path | None,
    settings_file: Path | None,
    print_only: bool,
    force: bool,
    token: str,
) -> None:
    from rich.markup import escape

    from core.onboarding import Credentials, append_block
    from core.settings import SETTINGS_VAR, load_dynaconf, settings_files
    from tenants.vault import TenantDocuments, vault_config

    if settings_file is not None and print_only:
        raise click.UsageError("give --settings or --print, not both")
    if settings_file is not None:
        os.environ[SETTINGS_VAR] = str(settings_file.resolve())
    target = settings_files()[0]
    if not print_only and target.suffix != ".toml":
        raise click.ClickException(f"{target} is not a TOML file: give --print and add the block yourself")
    settings = load_dynaconf()
    block = _new_tenant_block(slug, name, plugin_list, notifications_url, settings=settings, target=target)
    stripe_key = _new_stripe_key(stripe_secret_key_file)

    vault = TenantDocuments(vault_config(settings), token)
    path = vault.path(slug)
    with _vault_errors(vault.config.url):
        existing = vault.read(path)
    if existing is not None and not force:
        raise click.ClickException(
            f"a secrets document for {slug} is already in Vault at {vault.where(path)}: nothing written "
            "(--force replaces its credentials)"
        )
    restore = None if print_only else append_block(target, block, lambda: _check_new_tenant(slug))
    credentials = Credentials.new(slug)
    document = credentials.document(slug, stripe_key, existing.data if existing else None)
    try:
        with _vault_errors(vault.config.url):
            vault.write(path, document, over=existing, new=existing is None)
    except BaseException:
        if restore is not None:
            restore()
        raise
    if print_only:
        click.echo(block)
    else:
        table = escape(f"[default.tenants.{slug}]")
        console.print(f"[green]✓[/] settings: {table} appended to {target}", soft_wrap=True)
    console.print(f"[green]✓[/] secrets: {vault.where(path)} in {vault.config.url}", soft_wrap=True)
    _show_new_credentials(slug, credentials, document, settings)


def _new_tenant_block(
    slug: str, name: str, plugin_list: str, notifications_url: str | None, *, settings: Any, target: Path
) -> str:
    """The new tenant's settings block, refused (nothing written) when the slug or the plugins are wrong or
    the settings with it do not validate."""
    from core.onboarding import settings_block
    from core.plugins import load_plugins
    from core.settings import to_plain
    from tenants.registry import slug_problem

    if (problem := slug_problem(slug)) is not None:
        raise click.ClickException(f"{problem}: nothing written")
    declared = to_plain(settings.get("tenants")) or {}
    if slug in declared:
        raise click.ClickException(f"tenant {slug} is already declared in {target}: nothing written")
    plugins = load_plugins()
    chosen = list(dict.fromkeys(p.strip() for p in plugin_list.split(",") if p.strip()))
    if unknown := [p for p in chosen if p not in plugins.product_plugins()]:
        installed = ", ".join(sorted(plugins.product_plugins()))
        raise click.ClickException(f"no plugin {', '.join(unknown)} (installed: {installed}): nothing written")
    templates = {plugin: plugins.call_one("tollgate_tenant_template", plugin, tenant=slug) for plugin in chosen}
    block = settings_block(slug, name, chosen, templates, notifications_url)
    _check_new_tenant(slug, {**declared, slug: _parsed_tenant(block, slug)})
    return block


def _new_stripe_key(key_file: Path | None) -> str | None:
    """The new tenant's Stripe key, from the file or the environment (never a command line's argument)."""
    from core.onboarding import stripe_key_problem

    raw = key_file.read_text() if key_file is not None else os.environ.get("TOLLGATE_NEW_STRIPE_SECRET_KEY", "")
    key = raw.strip() or None
    if key and (problem := stripe_key_problem(key)) is not None:
        raise click.ClickException(f"the Stripe secret key is {problem}: nothing written")
    return key


def _parsed_tenant(block: str, slug: str) -> Any:
    import tomllib

    return tomllib.loads(block)["default"]["tenants"][slug]


def _check_new_tenant(slug: str, tenants: dict[str, Any] | None = None) -> None:
    """The settings (with `tenants` in place of the files' tenants, when given) validate and declare `slug`."""
    from core.runtime import Runtime

    try:
        runtime = Runtime.build(overrides={"tenants": tenants} if tenants is not None else None)
    except Exception as exc:  # a settings problem, or a file that no longer parses
        raise SettingsProblem(f"with tenant {slug} the settings do not load: nothing written\n{exc}") from None
    if slug not in runtime.tenants.slugs():
        raise SettingsProblem(f"the settings do not declare tenant {slug} once the block is added (TOLLGATE_ENV?)")


def _show_new_credentials(slug: str, credentials: Any, document: dict[str, Any], settings: Any) -> None:
    if not document.get("stripe_secret_key"):
        console.print(
            f"[yellow]![/] no Stripe secret key yet: add one to the document (stripe_secret_key), then run "
            f"`tollgate stripe connect {slug} --prices`",
            soft_wrap=True,
        )
    else:
        console.print(f"Next: `tollgate stripe connect {slug} --prices` (webhook endpoint and prices in Stripe)")
    if str(settings.get("secrets.backend") or "settings") != "vault":
        console.print("[yellow]![/] secrets.backend is not vault here: Tollgate reads the secrets file, not Vault")
    console.print(
        f"[bold]{slug}'s credentials, shown this once[/] (Vault keeps only the API keys' hashes; "
        "give them to the tenant app now):",
        soft_wrap=True,
    )
    click.echo(f"  service API key:      {credentials.service_key}")
    click.echo(f"  admin API key:        {credentials.admin_key}")
    click.echo(f"  JWT secret:           {credentials.jwt_secret}")
    click.echo(f"  notification secret:  {credentials.notification_secret}")


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
    from core.settings import load_dynaconf, settings_files, to_plain
    from tenants.vault import TenantDocuments, declared_secret_path, vault_config

    settings = load_dynaconf()
    read = ", ".join(str(path) for path in settings_files())
    documents: dict[str, Any] = to_plain(settings.get("tenant_secrets")) or {}
    if not documents:
        raise click.ClickException(
            f"no [tenant_secrets.<slug>] in {read}: nothing to push "
            "(the secrets file is $TOLLGATE_SECRETS_FILE, else .secrets.toml beside the settings file)"
        )
    vault = TenantDocuments(vault_config(settings), token)
    console.print(f"Pushing tenant secrets from {read} to {vault.config.url}", soft_wrap=True)
    for slug in slugs or tuple(documents):
        if slug not in documents:
            raise click.ClickException(f"no [tenant_secrets.{slug}] in the settings")
        path = vault.path(slug, declared_secret_path(settings, slug))
        with _vault_errors(vault.config.url):
            vault.write(path, documents[slug])
        console.print(f"[green]✓[/] {slug} → {vault.where(path)}")


@contextlib.contextmanager
def _vault_errors(url: str) -> Iterator[None]:
    """Vault refusing or not answering becomes one line an operator can act on."""
    import hvac.exceptions
    import requests

    try:
        yield
    except requests.exceptions.ConnectionError:
        raise click.ClickException(f"Vault at {url} cannot be reached") from None
    except hvac.exceptions.Forbidden:
        raise click.ClickException(f"Vault at {url} refused the token (permission denied)") from None
    except hvac.exceptions.InvalidRequest as exc:
        raise click.ClickException(f"Vault at {url} refused the write: {exc}") from None


@main.group("stripe", help="Each tenant's own Stripe account: what Tollgate needs there.")
def stripe_group() -> None:
    pass


@stripe_group.command(
    "connect",
    help="Create or update tenant SLUG's webhook endpoint at <server.public_url>/t/SLUG/webhooks/stripe, subscribed "
    "to exactly the event types its plugins handle, using the Stripe key in its Vault document; store the signing "
    "secret there (newest first, older ones kept for deliveries in flight). An endpoint whose secret the document "
    "does not hold is deleted and made again. --prices also finds or creates the prices its plugins sell from the "
    "settings (by lookup key) and stores their ids under `prices`.",
)
@click.argument("slug")
@click.option("--prices", "with_prices", is_flag=True, help="Also set up the prices the settings give (tiers' prices).")
@click.option(
    "--token", envvar="VAULT_TOKEN", required=True, help="A Vault token allowed to read and write the document."
)
@click.pass_context
def stripe_connect(ctx: click.Context, slug: str, with_prices: bool, token: str) -> None:
    import stripe
    from rich.markup import escape

    from core.inbox.endpoint import connect_endpoint, event_types, webhook_url
    from core.stripe_prices import StripePrice, stripe_prices
    from tenants.vault import TenantDocuments

    runtime = runtime_for(ctx)
    [tenant] = named_tenants(runtime, [slug], "SLUG")
    vault = TenantDocuments(runtime.config.vault, token)
    path = vault.path(slug, tenant.core.secret_path)
    with _vault_errors(vault.config.url):
        stored = vault.read(path)
    if stored is None:
        raise click.ClickException(f"no secrets document for {slug} at {vault.where(path)}: run `tollgate tenants add`")
    document = dict(stored.data)
    if not document.get("stripe_secret_key"):
        raise click.ClickException(f"the document at {vault.where(path)} holds no stripe_secret_key")
    client = runtime.stripe.build(document["stripe_secret_key"], tenant)
    url = webhook_url(runtime.config.server.public_url, slug)
    known = list(document.get("stripe_webhook_secrets") or [])

    async def set_up() -> tuple[Any, list[StripePrice]]:
        endpoint = await connect_endpoint(
            client,
            url,
            event_types(runtime, tenant),
            known_id=document.get("stripe_webhook_endpoint_id"),
            has_secret=bool(known),
        )
        return endpoint, await stripe_prices(runtime, tenant, client) if with_prices else []

    try:
        endpoint, prices = run_async(set_up(), runtime)
    except stripe.StripeError as exc:
        raise click.ClickException(f"Stripe refused: {exc.user_message or exc}") from None
    if endpoint.secret:
        document["stripe_webhook_secrets"] = [endpoint.secret, *(s for s in known if s != endpoint.secret)]
    document["stripe_webhook_endpoint_id"] = endpoint.id
    if prices:
        document["prices"] = {**(document.get("prices") or {}), **{price.key: price.id for price in prices}}
    with _vault_errors(vault.config.url):
        vault.write(path, document, over=stored)
    removed = f"; {endpoint.removed} other endpoint(s) at that URL deleted" if endpoint.removed else ""
    console.print(
        f"[green]✓[/] webhook endpoint {endpoint.id} {endpoint.outcome}: {endpoint.url}, "
        f"{len(endpoint.enabled_events)} event types{removed}",
        soft_wrap=True,
    )
    if endpoint.secret:
        kept = len(document["stripe_webhook_secrets"]) - 1
        console.print(f"  new signing secret stored first in {vault.where(path)} ({kept} older kept)", soft_wrap=True)
    for price in prices:
        every = f"/{price.interval}" if price.interval else ""
        amount = f"{price.unit_amount} {price.currency}{every}"
        console.print(
            f"[green]✓[/] price {escape(price.key)} {price.outcome}: {price.id} ({amount}, {price.lookup_key})"
        )
    if with_prices and not prices:
        console.print("  no prices in the settings for this tenant's plugins (subscriptions: tiers' `prices`)")


@stripe_group.command(
    "backfill",
    help="Read tenant SLUG's Stripe events back now (GET /v1/events, the types its handlers apply) and store every "
    "event the inbox lacks, as its delivery would have been (processed by the workers). From the tenant's watermark "
    "(minus the overlap) unless --since says; Stripe keeps events 30 days. Shows progress and what was stored "
    "(docs/webhooks.md#backfill).",
)
@click.argument("slug")
@click.option(
    "--since",
    metavar="WHEN",
    default=None,
    help="Read the events created since then: an ISO date or time (2026-03-01, 2026-03-01T12:00:00Z) or an age "
    "(2d, 12h, 30m).",
)
@click.option(
    "--max-pages", type=click.IntRange(min=1), default=None, help="Stop after this many pages (100 events each)."
)
@click.option(
    "--wait",
    "wait_seconds",
    metavar="SECONDS",
    type=click.IntRange(min=0),
    default=120,
    show_default=True,
    help="If another run is reading the tenant (the schedule, a worker, another operator), wait up to this long "
    "for it to end, then run. 0 gives up at once.",
)
@click.pass_context
def stripe_backfill(ctx: click.Context, slug: str, since: str | None, max_pages: int | None, wait_seconds: int) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from core.errors import Conflict
    from core.inbox.backfill import CLI, FAILED, PARTIAL, BackfillRun, backfill

    runtime = runtime_for(ctx)
    [tenant] = named_tenants(runtime, [slug], "SLUG")
    start = _since(since) if since else None

    async def body() -> BackfillRun:
        await runtime.start()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task(f"Reading {slug}'s Stripe events", total=None)

                def on_page(run: BackfillRun) -> None:
                    progress.update(
                        task,
                        description=f"Reading {slug}'s Stripe events: {run.pages} page(s), {run.seen} event(s) "
                        f"read, {run.stored} stored",
                    )

                give_up = time.monotonic() + wait_seconds
                while True:
                    try:
                        run = await backfill(
                            runtime, tenant, trigger=CLI, since=start, max_pages=max_pages, on_page=on_page
                        )
                        break
                    except Conflict as exc:
                        if time.monotonic() >= give_up:
                            waited = f"; waited {wait_seconds} s (--wait)" if wait_seconds else ""
                            raise click.ClickException(
                                f"{exc.message} (another worker or operator is reading {slug}{waited})"
                            ) from None
                    progress.update(task, description=f"Waiting for the run already reading {slug} to end")
                    await asyncio.sleep(min(BACKFILL_WAIT_POLL_SECONDS, max(give_up - time.monotonic(), 0)))
            if runtime.jobs.embedded:
                # No worker in the embedded shape: this process applies the events it stored itself.
                await runtime.jobs.broker.wait_all()
            return run
        finally:
            await runtime.stop()

    run = run_async(body(), runtime)
    since_text = run.since.isoformat(timespec="seconds")
    console.print(
        f"{slug}: {run.pages} page(s), {run.seen} event(s) of {run.event_types} type(s) created since {since_text} "
        f"read, [bold]{run.stored}[/] the inbox lacked, stored"
        + (f", {run.deferred} still being delivered left for the next run" if run.deferred else ""),
        soft_wrap=True,
    )
    for event_type, count in sorted(run.stored_by_type.items()):
        console.print(f"  {count} x {event_type}")
    watermark = _iso(run.watermark) if run.watermark is not None else "none yet"
    console.print(f"  watermark: {watermark}" + ("" if run.advanced else " (unchanged)"))
    for kind in run.warnings:
        console.print(f"[yellow]![/] warning holding: {kind} (docs/webhooks.md#backfill)")
    if run.status == PARTIAL:
        console.print(
            f"[yellow]![/] stopped after {run.pages} page(s) (--max-pages): the schedule goes on from the watermark"
        )
    if run.status == FAILED:
        raise click.ClickException(f"the backfill of {slug} failed: {run.error}")


def _since(text: str) -> Any:
    """`--since`: an ISO date or time (UTC unless it says), or an age such as `2d`, `12h`, `30m`."""
    import datetime as dt
    import re

    from core import clock

    age = re.fullmatch(r"(\d+)\s*([dhms])", text.strip())
    if age:
        unit = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}[age.group(2)]
        return clock.now() - dt.timedelta(**{unit: int(age.group(1))})
    try:
        when = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is neither an ISO date or time (2026-03-01T12:00:00Z) nor an age (2d, 12h)", param_hint="--since"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _iso(seconds: int) -> str:
    """Unix seconds as an ISO time (UTC)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


@main.command(help="Run a taskiq worker for this deployment (production shape: jobs.broker = redis).")
@click.option("--workers", default=1, show_default=True, help="Worker processes (taskiq --workers).")
def worker(workers: int) -> None:
    jobs = build_runtime().config.jobs
    # On SIGTERM (or SIGINT) a worker stops reading, waits for its running tasks, then closes the
    # broker (core.worker); what has not finished stays unacknowledged, and another worker takes it.
    _exec_taskiq(
        "worker",
        "core.worker:broker",
        "--workers",
        str(workers),
        "--wait-tasks-timeout",
        str(jobs.shutdown_timeout_seconds),
        "--shutdown-timeout",
        str(BROKER_SHUTDOWN_SECONDS),
    )


@main.command(help="Run the taskiq scheduler that sends the cron schedules (exactly one per deployment).")
def scheduler() -> None:
    from taskiq.cli.scheduler.cmd import SchedulerCMD

    build_runtime()

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    # It holds nothing to drain: on SIGTERM it stops between two sends and exits 0, as on Ctrl-C.
    signal.signal(signal.SIGTERM, interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        SchedulerCMD().exec(["core.worker:scheduler"])


def _exec_taskiq(*args: str) -> None:
    """Become the worker's metrics parent (core.exporter), which runs `taskiq ARGS` with this interpreter:
    its script need not be on PATH (a venv not activated).

    The caller validates the settings first, so a bad file stops there in one line, not in taskiq's import.
    """
    os.execv(sys.executable, [sys.executable, "-m", "core.exporter", *args])  # noqa: S606


def _serve_metrics(config: Any, workers: int) -> None:
    """The metrics port of `tollgate run` (core/exporter.py): with several workers, their parent adds up
    the figures each one writes to the multiprocess directory; else the server's own registry."""
    from core.exporter import prepare_multiprocess, serve

    if not config.enabled:
        return
    if workers > 1:
        prepare_multiprocess(config.multiprocess_dir)
    serve(config.host, config.port)
    console.print(f"Metrics on http://{config.host}:{config.port}/metrics")


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
