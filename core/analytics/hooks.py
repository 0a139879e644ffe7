"""The metrics' hook implementations: the rollup's tables, its tasks and its daily schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import Schedule, hookimpl

if TYPE_CHECKING:
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

    from core.kernel import Kernel


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.analytics.models import MetricsRollup, MetricsRollupChange, MetricsRollupState

    return [MetricsRollup, MetricsRollupChange, MetricsRollupState]


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.analytics.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules(kernel: Kernel) -> Sequence[Schedule]:
    from core.analytics.tasks import schedules

    return schedules(kernel)
