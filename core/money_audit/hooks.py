"""The money audit's hook implementations: its tables, admin routes, tasks and daily schedule, CLI and notice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import NotificationType, Schedule, hookimpl

if TYPE_CHECKING:
    import click
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

    from core.kernel import Kernel


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.money_audit.models import MoneyAuditDifference, MoneyAuditRun

    return [MoneyAuditRun, MoneyAuditDifference]


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.money_audit.controllers import MoneyAuditController

    return [MoneyAuditController]


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.money_audit.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules(kernel: Kernel) -> Sequence[Schedule]:
    from core.money_audit.tasks import schedules

    return schedules(kernel.config.money_audit)


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from core.money_audit.cli import audit_group

    return [audit_group]


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    from core.money_audit.schemas import MoneyAuditDifferences

    return {
        "money_audit.differences": NotificationType(
            "The money audit found differences between the tenant's Stripe account and Tollgate's records "
            "that a person must look at (paid but not granted, a refund not clawed back, ...).",
            data=MoneyAuditDifferences,
        )
    }


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.tables import CustomerTable
    from core.money_audit.models import MoneyAuditDifference

    return [
        CustomerTable(
            MoneyAuditDifference,
            lambda c: MoneyAuditDifference.customer == c.external_id,
            customer_ids=("customer",),
            embedded=("description",),
        )
    ]
