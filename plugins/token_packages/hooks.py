"""The token_packages plugin's hook implementations: routes, event handlers, tasks, schedule, settings, tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from taskiq import AsyncBroker

from core.error_codes import ErrorCode
from core.hookspecs import EventHandler, NotificationType, Schedule, hookimpl


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    from core.notifications.types import PaymentFailed
    from plugins.token_packages.notices import OrderPaid, OrderRefunded

    return {
        "order.paid": NotificationType("A package order was paid; its credits are granted.", data=OrderPaid),
        "order.refunded": NotificationType(
            "An order was refunded, fully or in part; its credits are clawed back.", data=OrderRefunded
        ),
        "payment.failed": NotificationType("A payment for a subscription or an order failed.", data=PaymentFailed),
    }


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from plugins.token_packages.controllers import OrderController, RefundController, packages

    return [packages, OrderController, RefundController]


@hookimpl
def tollgate_event_claims() -> Mapping[str, Any]:
    from plugins.token_packages.webhooks import CLAIMS

    return CLAIMS


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, EventHandler]:
    from plugins.token_packages.webhooks import HANDLERS

    return HANDLERS


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[Any]:
    from plugins.token_packages.tasks import RESUME_TASK, resume_refunds

    return [broker.register_task(resume_refunds, task_name=RESUME_TASK)]


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from plugins.token_packages.tasks import RESUME_TASK

    return [Schedule(task_name=RESUME_TASK, interval_seconds=300)]


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    from core.settings import StructValidator
    from plugins.token_packages.config import TokenPackagesConfig

    return [StructValidator(key, TokenPackagesConfig)]


@hookimpl
def tollgate_tenant_template() -> Mapping[str, Any]:
    from plugins.token_packages.config import STARTER

    return STARTER


@hookimpl
def tollgate_models() -> Sequence[type]:
    from plugins.token_packages.models import Order, Payment, Refund

    return [Order, Payment, Refund]


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any, series: Any) -> Any:
    from plugins.token_packages.figures import token_package_figures, token_package_part

    if series is None:
        return token_package_figures(session, tenant, since, until)
    return token_package_part(tenant, series)


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("plugins.token_packages")


@hookimpl
def tollgate_error_codes() -> Mapping[str, ErrorCode]:
    return {
        "unknown_package": ErrorCode(400, "No package with this id is on sale."),
        "currency_required": ErrorCode(400, "Say which `currency` to pay in."),
        "unsupported_currency": ErrorCode(400, "The package is not sold in this currency."),
        "saved_card_not_supported": ErrorCode(400, "A recurring pack is bought through Checkout, not a saved card."),
        "success_url_required": ErrorCode(400, "Checkout needs a `success_url`; a saved `payment_method` does not."),
        "amount_exceeds_refundable": ErrorCode(400, "The refund asks for more than can still be refunded."),
        "order_not_found": ErrorCode(404, "No such order."),
        "payment_not_found": ErrorCode(404, "No such payment on this order."),
        "refund_not_found": ErrorCode(404, "No such refund."),
        "order_not_paid": ErrorCode(409, "Only paid orders can be refunded."),
        "nothing_to_refund": ErrorCode(409, "Everything paid for this order (or payment) was already refunded."),
        "refund_in_progress": ErrorCode(409, "Another refund of this payment is still being made."),
        "credits_already_spent": ErrorCode(409, "Credits of the order were spent and the refund policy refuses it."),
        "payment_disputed": ErrorCode(409, "The payment is disputed; the card network decides what is returned."),
        "refund_rejected": ErrorCode(409, "Stripe refused the refund."),
    }


@hookimpl
def tollgate_grant_sources() -> Mapping[str, Any]:
    from core.ledger.sources import GrantSource, stripe_id
    from plugins.token_packages.disputes import DISPUTE_SOURCE
    from plugins.token_packages.payments import GRANT_SOURCE

    order = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    # A payment's grant is named by its order (a Checkout Session's), or its order and paid invoice
    # (a recurring package); the payment row beside it holds the PaymentIntent. Refunds only claw back.
    return {
        GRANT_SOURCE: GrantSource(
            "stripe", "an order paid in Stripe (order id, or order id:in_...)", f"{order}(?::{stripe_id('in_')})?"
        ),
        DISPUTE_SOURCE: GrantSource("stripe", "a dispute won (dp_...)", stripe_id("dp_", "du_")),
    }


@hookimpl
async def tollgate_money_audit(tenant: Any, session: Any, stripe_objects: Any) -> Any:
    from plugins.token_packages.audit import audit

    return await audit(tenant, session, stripe_objects)


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from sqlalchemy import select

    from core.customers.tables import CustomerTable
    from plugins.token_packages.models import Order, Payment, Refund

    def orders(customer: Any) -> Any:
        return select(Order.id).where(Order.customer_id == customer.id).scalar_subquery()

    return [
        CustomerTable(
            Order, lambda c: Order.customer_id == c.id, customer_ids=("customer",), texts=("failure_message",)
        ),
        # Stripe's receipt page shows the customer's name and email: an erasure drops the link.
        CustomerTable(
            Payment, lambda c: Payment.order_id.in_(orders(c)), customer_ids=("customer",), personal=("receipt_url",)
        ),
        CustomerTable(
            Refund,
            lambda c: Refund.order_id.in_(orders(c)),
            customer_ids=("customer",),
            keys=("idempotency_key",),
            texts=("reason", "failure_message"),
        ),
    ]


@hookimpl
def tollgate_customer_payments(tenant: Any, customer: Any) -> Sequence[Any]:
    from plugins.token_packages.timeline import payment_statements

    return payment_statements(tenant, customer)
