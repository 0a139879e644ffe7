"""The inbox's hook implementations: its tables, the admin routes, the processing tasks, sweeper and CLI.

The ingest route itself is mounted by `core/app.py` outside the tenant API, since Stripe signs it
instead of presenting an API key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import Schedule, hookimpl

if TYPE_CHECKING:
    import click
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.inbox.models import ObjectVersion, WebhookEvent

    return [WebhookEvent, ObjectVersion]


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.inbox.controllers import WebhookEventController

    return [WebhookEventController]


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.inbox.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from core.inbox.tasks import SCHEDULES

    return SCHEDULES


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from core.inbox.cli import webhooks

    return [webhooks]
