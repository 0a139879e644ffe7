"""A minimal third-party plugin, found through its entry point; it implements every hook once.

The test-suite installs it with pip into build/test-plugins (see the Makefile) and enables it for
a tenant to prove that a plugin outside this repository plugs into each part of the kernel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import msgspec
from litestar import get
from taskiq import AsyncBroker

from core.access import ADMIN, SERVICE, access
from core.customers.schemas import CustomerUpsert
from core.customers.services import CustomerService
from core.db import session_scope
from core.deps import CurrentTenant
from core.hookspecs import Schedule, hookimpl
from core.settings import StructValidator


class ExampleConfig(msgspec.Struct, forbid_unknown_fields=True):
    greeting: str = "hello"
    feature: bool = True


@get("/example/hello", tags=["example"], **access(SERVICE, ADMIN))
async def hello(tenant: CurrentTenant) -> dict[str, str]:
    return {"greeting": tenant.plugin_config("example", ExampleConfig).greeting, "tenant": tenant.slug}


@get("/example/admin", tags=["example"], **access(ADMIN))
async def admin_only(tenant: CurrentTenant) -> dict[str, str]:
    return {"admin": "yes", "tenant": tenant.slug}


@get("/example/boom", tags=["example"], **access(SERVICE, ADMIN))
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    return [hello, admin_only, boom]


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    return [StructValidator(key, ExampleConfig, required=False)]


async def touch_customer(tenant: str, customer: str, email: str) -> None:
    """Upsert a customer from a worker: proves a task reaches the runtime, settings and database."""
    from core.runtime import current

    runtime = current()
    async with session_scope(runtime.sessions) as session:
        await CustomerService(session, runtime.tenants.get(tenant)).upsert(customer, CustomerUpsert(email=email))


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[Any]:
    return [broker.register_task(touch_customer, task_name="example.touch_customer")]


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    return [
        Schedule(
            task_name="example.touch_customer",
            cron="0 3 * * *",
            kwargs={"tenant": "alpha", "customer": "cron", "email": "cron@example.com"},
        )
    ]


async def on_customer_updated(ctx: Any) -> None:
    ctx.session.info.setdefault("example_events", []).append(ctx.id)


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, Any]:
    return {"customer.updated": on_customer_updated}


@hookimpl
def tollgate_entitlements(tenant: Any, customer: Any, session: Any) -> Any:
    async def answer() -> Mapping[str, Any]:
        config = tenant.plugin_config("example", ExampleConfig)
        return {"features": {"example": config.feature}, "models": ["example-model"], "limits": {"examples": 3}}

    return answer()


@hookimpl
def tollgate_models() -> Sequence[type]:
    from tollgate_example_plugin.models import Referral

    return [Referral]


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("tollgate_example_plugin")


@click.command("example-hello", help="Say hello (the example plugin's CLI command).")
def hello_command() -> None:
    click.echo("hello from the example plugin")


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    return [hello_command]


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any) -> Mapping[str, Any]:
    return {"examples_sold": 7, "window": [str(since), str(until)]}
