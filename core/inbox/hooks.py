"""The inbox's hook implementations: its tables, the admin routes, the processing tasks, sweeper, backfill and
CLI, the backfill's warnings (notification types) and its figures.

The ingest route itself is mounted by `core/app.py` outside the tenant API, since Stripe signs it
instead of presenting an API key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.hookspecs import NotificationType, Schedule, hookimpl

if TYPE_CHECKING:
    import click
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask


@hookimpl
def tollgate_models() -> Sequence[type]:
    from core.inbox.models import BackfillState, ObjectVersion, WebhookEvent

    return [WebhookEvent, ObjectVersion, BackfillState]


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from core.inbox.controllers import StripeBackfillController, WebhookEventController

    return [WebhookEventController, StripeBackfillController]


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    from core.inbox.notices import NOTIFICATION_TYPES

    return NOTIFICATION_TYPES


@hookimpl
async def tollgate_admin_figures(
    tenant: Any, session: Any, since: Any, until: Any, series: Any
) -> Mapping[str, Any] | None:
    """The tenant's Stripe events in the window by how they came: each backfilled one is a lost delivery."""
    if series is not None:  # the metrics read the inbox themselves (core.analytics.operations)
        return None
    from core.inbox.backfill import events_by_source
    from core.inbox.models import BACKFILL, DELIVERY

    counts = await events_by_source(session, tenant.slug, since, until)
    return {"stripe_events": {"delivered": counts.get(DELIVERY, 0), "backfilled": counts.get(BACKFILL, 0)}}


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


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.tables import CustomerTable, mentioning
    from core.inbox.models import WebhookEvent

    # Stripe's events about the customer: its Stripe customer, email or app id (`tollgate_customer` metadata).
    return [CustomerTable(WebhookEvent, lambda c: mentioning(WebhookEvent.payload, customer=c), documents=("payload",))]
