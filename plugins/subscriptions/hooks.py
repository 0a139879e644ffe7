"""The subscriptions plugin's hook implementations: routes, event handlers, tasks, schedules, entitlements,
settings validation and the new tenant's starter block, its Stripe prices, tables and the CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.error_codes import ErrorCode
from core.hookspecs import EventHandler, NotificationType, Schedule, hookimpl

if TYPE_CHECKING:
    import click
    import stripe
    from sqlalchemy.ext.asyncio import AsyncSession
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

    from core.catalog import CatalogRead
    from core.customers.models import Customer
    from core.entitlement_parts import EntitlementsRead
    from core.kernel import Kernel
    from core.stripe_prices import StripePrice
    from tenants.registry import Tenant


@hookimpl
def tollgate_plan_tiers(tenant: Tenant) -> Sequence[str]:
    from plugins.subscriptions.config import config_of

    return [tier.id for tier in config_of(tenant).tiers]


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    from core.notifications.types import PaymentFailed
    from plugins.subscriptions.notices import SubscriptionPastDue, SubscriptionTrialWillEnd, SubscriptionUpdated

    return {
        "subscription.updated": NotificationType(
            "A customer's plan, status or period changed.", data=SubscriptionUpdated
        ),
        "subscription.past_due": NotificationType(
            "A renewal payment failed; the grace period has started.", data=SubscriptionPastDue
        ),
        "subscription.trial_will_end": NotificationType(
            "A trial ends in three days (Stripe's notice).", data=SubscriptionTrialWillEnd
        ),
        "payment.failed": NotificationType("A payment for a subscription or an order failed.", data=PaymentFailed),
    }


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from plugins.subscriptions.controllers import SubscriptionController, list_tiers, reconcile
    from plugins.subscriptions.invoices import read_invoices

    return [list_tiers, SubscriptionController, reconcile, read_invoices]


@hookimpl
def tollgate_event_claims() -> Mapping[str, Any]:
    from plugins.subscriptions.webhooks import CLAIMS

    return CLAIMS


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, EventHandler]:
    from plugins.subscriptions.webhooks import HANDLERS

    return HANDLERS


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    from plugins.subscriptions.tasks import register

    return register(broker)


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    from plugins.subscriptions.tasks import SCHEDULES

    return SCHEDULES


@hookimpl
async def tollgate_entitlements(
    tenant: Tenant, customer: Customer, session: AsyncSession, kernel: Kernel
) -> Mapping[str, Any]:
    from plugins.subscriptions.services import SubscriptionService

    return await SubscriptionService(session, tenant, kernel).entitlements(customer)


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    from core.settings import StructValidator
    from plugins.subscriptions.config import SubscriptionsConfig

    return [StructValidator(key, SubscriptionsConfig)]


@hookimpl
def tollgate_tenant_template() -> Mapping[str, Any]:
    from plugins.subscriptions.config import STARTER

    return STARTER


@hookimpl
async def tollgate_stripe_prices(tenant: Tenant, client: stripe.StripeClient) -> Sequence[StripePrice]:
    from core.stripe_prices import ensure_prices
    from plugins.subscriptions.prices import wanted_prices

    return await ensure_prices(client, wanted_prices(tenant))


@hookimpl
def tollgate_models() -> Sequence[type]:
    from plugins.subscriptions.models import (
        Allowance,
        Subscription,
        SubscriptionChange,
        SubscriptionCheckout,
        SubscriptionInvoice,
        SubscriptionReversal,
    )

    return [
        Subscription,
        SubscriptionCheckout,
        Allowance,
        SubscriptionChange,
        SubscriptionInvoice,
        SubscriptionReversal,
    ]


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    from plugins.subscriptions.cli import subscriptions

    return [subscriptions]


@hookimpl
async def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any, series: Any) -> Any:
    if series is not None:
        from plugins.subscriptions.metrics import subscription_part, subscription_series

        return subscription_part(tenant, series, await subscription_series(session, tenant, series))
    from plugins.subscriptions.figures import subscription_figures

    return await subscription_figures(session, tenant, since, until)


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("plugins.subscriptions")


@hookimpl
def tollgate_error_codes() -> Mapping[str, ErrorCode]:
    return {
        "unknown_tier": ErrorCode(400, "No tier with this id; `detail.tiers` lists them."),
        "tier_not_for_sale": ErrorCode(400, "The free tier needs no subscription."),
        "price_not_configured": ErrorCode(400, "No price is configured for this tier, interval and currency."),
        "one_change_at_a_time": ErrorCode(400, "Change the plan and resume the subscription in two requests."),
        "payment_pending": ErrorCode(402, "The plan change waits for its invoice to be paid (in the portal)."),
        "subscription_not_found": ErrorCode(404, "The customer has no subscription."),
        "subscription_exists": ErrorCode(409, "The customer already subscribes; change the plan instead."),
        "subscription_active": ErrorCode(
            409, "The customer still holds a subscription; erase with `?cancel=true` to cancel it first."
        ),
        "subscription_not_changeable": ErrorCode(409, "The subscription is not in good standing; settle it first."),
        "trial_not_available": ErrorCode(409, "The tier has no trial, or only a first subscription has one."),
        "plan_unchanged": ErrorCode(400, "The customer is already on this tier and interval."),
    }


@hookimpl
def tollgate_grant_sources() -> Mapping[str, Any]:
    from core.ledger.sources import GrantSource, stripe_id
    from plugins.subscriptions.allowances import SOURCE_CHANGE, SOURCE_FREE, SOURCE_INVOICE, SOURCE_MONTH

    subscription = stripe_id("sub_")
    return {
        SOURCE_INVOICE: GrantSource("stripe", "a paid subscription invoice (in_...)", stripe_id("in_")),
        SOURCE_MONTH: GrantSource(
            "plan", "a month of a paid yearly subscription (sub_...:YYYY-MM)", rf"{subscription}:\d{{4}}-\d{{2}}"
        ),
        SOURCE_FREE: GrantSource("plan", "the free tier's month (customer:YYYY-MM)", r".+:\d{4}-\d{2}"),
        SOURCE_CHANGE: GrantSource(
            "plan", "an upgrade's prorated credits (sub_...:period start:tier)", rf"{subscription}:\d+:.+"
        ),
    }


@hookimpl
async def tollgate_money_audit(tenant: Any, session: Any, stripe_objects: Any, kernel: Any) -> Any:
    from plugins.subscriptions.audit import audit

    return await audit(tenant, session, stripe_objects, kernel)


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.tables import CustomerTable
    from plugins.subscriptions.models import Allowance, Subscription, SubscriptionCheckout

    return [
        CustomerTable(Subscription, lambda c: Subscription.customer_id == c.id, customer_ids=("customer",)),
        CustomerTable(
            SubscriptionCheckout, lambda c: SubscriptionCheckout.customer_id == c.id, customer_ids=("customer",)
        ),
        # Allowances name the customer by the app's id alone; the free tier's reference starts with it.
        CustomerTable(
            Allowance,
            lambda c: Allowance.customer == c.external_id,
            customer_ids=("customer",),
            embedded=("source_ref",),
        ),
        *history_tables(),
    ]


def history_tables() -> Sequence[Any]:
    """The subscriptions' history and billing history: amounts, Stripe ids and Stripe's URLs only, linked to the
    customer's row."""
    from core.customers.tables import CustomerTable
    from plugins.subscriptions.models import SubscriptionChange, SubscriptionInvoice, SubscriptionReversal

    return [
        CustomerTable(SubscriptionChange, lambda c: SubscriptionChange.customer_id == c.id),
        # Stripe's invoice pages and receipts show the customer's name and address: an erasure drops the links.
        CustomerTable(
            SubscriptionInvoice,
            lambda c: SubscriptionInvoice.customer_id == c.id,
            personal=("hosted_invoice_url", "invoice_pdf", "receipt_url"),
        ),
        CustomerTable(
            SubscriptionReversal, lambda c: SubscriptionReversal.customer_id == c.id, personal=("receipt_url",)
        ),
    ]


@hookimpl
def tollgate_customer_payments(tenant: Tenant, customer: Customer) -> Sequence[Any]:
    from plugins.subscriptions.timeline import payment_statements

    return payment_statements(tenant, customer)


@hookimpl
async def tollgate_customer_erasing(
    tenant: Tenant, session: AsyncSession, customer: Customer, cancel: bool, kernel: Kernel
) -> Mapping[str, Any] | None:
    from plugins.subscriptions.services import SubscriptionService

    return await SubscriptionService(session, tenant, kernel).end_for_erasure(customer, cancel=cancel)


@hookimpl
def tollgate_entitlements_read(catalog: CatalogRead) -> EntitlementsRead:
    from plugins.subscriptions.entitlements import entitlements_read

    return entitlements_read(catalog)
