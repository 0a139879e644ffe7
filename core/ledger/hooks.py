"""The ledger's hook implementations: its tables, routes, expiry tasks and their schedules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import NotificationType, Schedule, hookimpl

if TYPE_CHECKING:
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, CreditHold, LedgerEntry

    return [CreditAccount, CreditGrant, LedgerEntry, CreditAllocation, CreditHold]


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    from core.ledger.notices import CreditsExpiringSoon, CreditsGranted, CreditsLow

    return {
        "credits.granted": NotificationType(
            "Credits were granted to a customer (a purchase, an allowance, an operator).", data=CreditsGranted
        ),
        "credits.low": NotificationType(
            "A spend took a customer's balance below the tenant's threshold.", data=CreditsLow
        ),
        "credits.expiring_soon": NotificationType(
            "A grant's credits expire within the tenant's warning window.", data=CreditsExpiringSoon
        ),
    }


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.ledger.controllers import LedgerController

    return [LedgerController]


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from core.ledger.tasks import register

    return register(broker)


@hookimpl
def tollgate_cli_commands() -> Sequence[Any]:
    from core.ledger.cli import credits_group, ledger_group

    return [credits_group, ledger_group]


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from core.ledger.tasks import SCHEDULES

    return SCHEDULES


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any, series: Any) -> Any:
    if series is not None:  # the metrics read the ledger themselves (core.analytics.credits)
        return None
    from core.ledger.figures import ledger_figures

    return ledger_figures(session, tenant, since, until)


@hookimpl
def tollgate_grant_sources() -> Mapping[str, Any]:
    from core.ledger.sources import KERNEL_SOURCES

    return KERNEL_SOURCES


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from sqlalchemy import select

    from core.customers.tables import CustomerTable
    from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, CreditHold, LedgerEntry

    def accounts(customer: Any) -> Any:
        return select(CreditAccount.id).where(CreditAccount.customer_id == customer.id).scalar_subquery()

    def entries(customer: Any) -> Any:
        return select(LedgerEntry.id).where(LedgerEntry.account_id.in_(accounts(customer))).scalar_subquery()

    return [
        CustomerTable(CreditAccount, lambda c: CreditAccount.customer_id == c.id, customer_ids=("customer",)),
        CustomerTable(
            CreditGrant,
            lambda c: CreditGrant.account_id.in_(accounts(c)),
            embedded=("source_ref",),
            texts=("reason",),
            metadata=("metadata_",),
        ),
        CustomerTable(
            LedgerEntry,
            lambda c: LedgerEntry.account_id.in_(accounts(c)),
            keys=("idempotency_key",),
            texts=("reason",),
            metadata=("metadata_",),
        ),
        CustomerTable(CreditAllocation, lambda c: CreditAllocation.entry_id.in_(entries(c))),
        CustomerTable(
            CreditHold, lambda c: CreditHold.account_id.in_(accounts(c)), texts=("reason",), metadata=("metadata_",)
        ),
    ]
