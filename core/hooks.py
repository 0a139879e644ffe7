"""The kernel's own hook implementations: it contributes routes and tables like any plugin."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.analytics.controllers import read_admin_metrics
    from core.customers.controllers import CustomerController
    from core.entitlements import read_entitlements
    from core.figures import read_figures
    from core.index import tenant_index
    from core.payment_methods.controllers import PaymentMethodController
    from core.payments.controllers import list_customer_payments

    return [
        tenant_index,
        CustomerController,
        PaymentMethodController,
        read_entitlements,
        read_figures,
        read_admin_metrics,
        list_customer_payments,
    ]


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.customers.models import Customer, CustomerErasure, PrivacySalt
    from core.idempotency.models import IdempotencyRecord

    return [Customer, CustomerErasure, PrivacySalt, IdempotencyRecord]


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("core")


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.models import Customer, CustomerErasure
    from core.customers.tables import CustomerTable, mentioning
    from core.idempotency.models import IdempotencyRecord

    return [
        CustomerTable(
            Customer,
            lambda c: Customer.id == c.id,
            customer_ids=("external_id",),
            personal=("email", "name"),
            metadata=("metadata_",),
        ),
        # Stored answers that name the customer (a balance, a grant) are copies nobody needs once it is gone.
        CustomerTable(
            IdempotencyRecord,
            lambda c: mentioning(IdempotencyRecord.body, customer=c),
            documents=("body",),
            erase="delete",
            export=False,
        ),
        CustomerTable(CustomerErasure, lambda c: CustomerErasure.customer_row_id == c.id, erase="keep", export=False),
    ]


@hookimpl
def tollgate_tasks(broker: Any) -> Sequence[Any]:
    from core.customers.tasks import register

    return register(broker)


@hookimpl
def tollgate_cli_commands() -> Sequence[Any]:
    from core.customers.cli import customers_group

    return [customers_group]
