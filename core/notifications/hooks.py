"""The outbox's hook implementations: its table, admin routes, delivery tasks, sweeper and CLI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import Schedule, hookimpl

if TYPE_CHECKING:
    import click
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.notifications.models import Notification

    return [Notification]


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.notifications.controllers import NotificationController

    return [NotificationController]


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.notifications.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from core.notifications.tasks import SCHEDULES

    return SCHEDULES


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from core.notifications.cli import notifications

    return [notifications]


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.tables import CustomerTable, mentioning
    from core.notifications.models import Notification

    return [
        CustomerTable(
            Notification,
            lambda c: mentioning(Notification.data, customer=c),
            keys=("dedupe_key",),
            documents=("data",),
        )
    ]
