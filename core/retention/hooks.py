"""Retention's hook implementations: its tasks, its daily schedule and its CLI (no tables of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import Schedule, hookimpl

if TYPE_CHECKING:
    import click
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

    from core.kernel import Kernel


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.retention.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules(kernel: Kernel) -> Sequence[Schedule]:
    from core.retention.tasks import schedules

    return schedules(kernel)


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from core.retention.cli import retention_group

    return [retention_group]
