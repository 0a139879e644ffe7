"""A minimal third-party plugin: one route, one setting, one CLI command, found through its entry point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
import msgspec
from litestar import get

from core.deps import CurrentTenant
from core.hookspecs import hookimpl
from core.settings import StructValidator


class ExampleConfig(msgspec.Struct, forbid_unknown_fields=True):
    greeting: str = "hello"


@get("/example/hello", tags=["example"])
async def hello(tenant: CurrentTenant) -> dict[str, str]:
    return {"greeting": tenant.plugin_config("example", ExampleConfig).greeting, "tenant": tenant.slug}


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    return [hello]


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    return [StructValidator(key, ExampleConfig, required=False)]


@click.command("example-hello", help="Say hello (the example plugin's CLI command).")
def hello_command() -> None:
    click.echo("hello from the example plugin")


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    return [hello_command]
