"""The payg plugin's hook implementations: routes, event handlers, settings validation, tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.error_codes import ErrorCode
from core.hookspecs import EventHandler, hookimpl


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from plugins.payg.controllers import CreditPurchaseController, credit_prices

    return [credit_prices, CreditPurchaseController]


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, EventHandler]:
    from plugins.payg.webhooks import HANDLERS

    return HANDLERS


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    from core.settings import StructValidator
    from plugins.payg.schemas import PaygConfig

    return [StructValidator(key, PaygConfig)]


@hookimpl
def tollgate_models() -> Sequence[type]:
    from plugins.payg.models import CreditPurchase

    return [CreditPurchase]


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any, series: Any) -> Any:
    from plugins.payg.figures import payg_figures, payg_part

    return payg_figures(session, tenant, since, until) if series is None else payg_part(tenant, series)


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("plugins.payg")


@hookimpl
def tollgate_error_codes() -> Mapping[str, ErrorCode]:
    return {
        "invalid_purchase": ErrorCode(400, "Send either `credits` or `price` (with `quantity`)."),
        "currency_required": ErrorCode(400, "Say which `currency` to pay in."),
        "unsupported_currency": ErrorCode(400, "Credits are not sold in this currency."),
        "quantity_out_of_range": ErrorCode(400, "`quantity` is above the tenant's maximum."),
        "currency_mismatch": ErrorCode(400, "The price is in another currency than the one asked."),
        "credits_out_of_range": ErrorCode(400, "The purchase is outside the tenant's minimum and maximum credits."),
        "price_without_credits": ErrorCode(400, "The Stripe price has no `credit_amount` metadata."),
        "unknown_price": ErrorCode(400, "No credit price by this name is on sale."),
        "purchase_not_found": ErrorCode(404, "No such credit purchase for this customer."),
    }


@hookimpl
def tollgate_grant_sources() -> Mapping[str, Any]:
    from core.ledger.sources import GrantSource, stripe_id
    from plugins.payg.services import GRANT_SOURCE

    return {GRANT_SOURCE: GrantSource("stripe", "a succeeded PaymentIntent (pi_...)", stripe_id("pi_"))}


@hookimpl
async def tollgate_money_audit(tenant: Any, session: Any, stripe_objects: Any) -> Any:
    from plugins.payg.audit import audit

    return await audit(tenant, session, stripe_objects)


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from core.customers.tables import CustomerTable
    from plugins.payg.models import CreditPurchase

    return [
        CustomerTable(
            CreditPurchase,
            lambda c: CreditPurchase.customer_id == c.id,
            customer_ids=("customer",),
            texts=("failure_message",),
            # Stripe's receipt page shows the customer's name and email: an erasure drops the link.
            personal=("receipt_url",),
        )
    ]


@hookimpl
def tollgate_customer_payments(tenant: Any, customer: Any) -> Sequence[Any]:
    from plugins.payg.timeline import payment_statements

    return payment_statements(tenant, customer)
