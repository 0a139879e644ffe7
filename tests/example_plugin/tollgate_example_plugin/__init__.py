"""A minimal third-party plugin, found through its entry point; it implements every hook once.

The test-suite installs it with pip into build/test-plugins (see the Makefile) and enables it for
a tenant to prove that a plugin outside this repository plugs into each part of the kernel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar

import click
import msgspec
from litestar import get
from taskiq import AsyncBroker, TaskiqDepends

from core.access import ADMIN, SERVICE, access
from core.catalog import CatalogPrice, CatalogQuery
from core.customers.schemas import CustomerUpsert
from core.customers.services import CustomerService
from core.db import session_scope
from core.deps import CurrentTenant
from core.fields import Examples
from core.hookspecs import NotificationType, Schedule, hookimpl
from core.inbox.dispatch import claims_by_metadata
from core.kernel import Kernel
from core.ledger.services import Ledger
from core.notifications import notify
from core.settings import StructValidator


class ExampleConfig(msgspec.Struct, forbid_unknown_fields=True):
    greeting: str = "hello"
    feature: bool = True


@get(
    "/example/hello",
    tags=["example"],
    operation_id="get_example_greeting",
    summary="A greeting from the tenant's settings",
    **access(SERVICE, ADMIN),
)
async def hello(tenant: CurrentTenant) -> dict[str, str]:
    return {"greeting": tenant.plugin_config("example", ExampleConfig).greeting, "tenant": tenant.slug}


@get("/example/admin", tags=["example"], operation_id="get_example_admin", summary="Admin keys only", **access(ADMIN))
async def admin_only(tenant: CurrentTenant) -> dict[str, str]:
    return {"admin": "yes", "tenant": tenant.slug}


@get(
    "/example/boom",
    tags=["example"],
    operation_id="raise_example_error",
    summary="Fails on purpose",
    **access(SERVICE, ADMIN),
)
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    return [hello, admin_only, boom]


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    return [StructValidator(key, ExampleConfig, required=False)]


async def touch_customer(kernel: Annotated[Kernel, TaskiqDepends()], tenant: str, customer: str, email: str) -> None:
    """Upsert a customer from a worker: proves a task receives the kernel, its settings and database."""
    async with session_scope(kernel.sessions) as session:
        await CustomerService(session, kernel.tenants.get(tenant)).upsert(customer, CustomerUpsert(email=email))


@hookimpl
def tollgate_tasks(broker: AsyncBroker) -> Sequence[Any]:
    return [broker.register_task(touch_customer, task_name="example.touch_customer")]


@hookimpl
def tollgate_schedules() -> Sequence[Schedule]:
    return [
        Schedule(
            task_name="example.touch_customer",
            cron="0 3 * * *",
            kwargs={"tenant": "alpha", "customer": "cron", "email": "cron@example.com"},
        )
    ]


async def on_customer_updated(ctx: Any) -> None:
    ctx.session.info.setdefault("example_events", []).append(ctx.id)


WELCOME_CREDITS = 5


async def on_customer_created(ctx: Any) -> None:
    """A referral-style bonus: a customer that Tollgate created in Stripe gets welcome credits, once.

    Proves the plugin's own Stripe event, a ledger grant keyed by the Stripe object (a replay grants
    nothing more) and the plugin's own notification type, all in the event's transaction.
    """
    customer = (ctx.event["data"]["object"].get("metadata") or {}).get("tollgate_customer")
    if not customer:
        return
    grant = await Ledger(ctx.session, ctx.tenant).grant(
        customer, WELCOME_CREDITS, source="example.welcome", source_ref=ctx.event["data"]["object"]["id"]
    )
    await notify(
        ctx.session,
        ctx.tenant,
        "example.welcome_granted",
        {"customer": customer, "credits": WELCOME_CREDITS, "grant": grant.id},
        dedupe_key=f"example.welcome:{grant.id}",
    )


@hookimpl
def tollgate_customer_tables() -> Sequence[Any]:
    from sqlalchemy import or_

    from core.customers.tables import CustomerTable
    from tollgate_example_plugin.models import Referral

    def referrals(customer: Any) -> Any:
        return or_(Referral.customer == customer.external_id, Referral.referred_by == customer.external_id)

    return [CustomerTable(Referral, referrals, customer_ids=("customer", "referred_by"))]


@hookimpl
def tollgate_customer_erasing(customer: Any) -> Mapping[str, Any]:
    return {"said_goodbye_to": str(customer.id)}


@hookimpl
def tollgate_grant_sources() -> Mapping[str, Any]:
    from core.ledger.sources import GrantSource, stripe_id

    return {"example.welcome": GrantSource("stripe", "a customer created in Stripe (cus_...)", stripe_id("cus_"))}


@hookimpl
def tollgate_webhook_handlers(kernel: Kernel) -> Mapping[str, Any]:
    assert kernel.tenants is not None
    return {"customer.updated": on_customer_updated, "customer.created": on_customer_created}


EXAMPLE_PRICE = CatalogPrice(
    id="price_example_referral",
    product="prod_example",
    product_name="Referral bonus",
    currency="usd",
    unit_amount=0,
    type="one_time",
    interval=None,
    interval_count=None,
    lookup_key=None,
    nickname=None,
    active=True,
    price_active=True,
    product_active=True,
    is_default=True,
    credit_amount=WELCOME_CREDITS,
    credit_type="payg",
    plan_tier=None,
    feature_flags=[],
    metadata={},
)


@hookimpl
def tollgate_catalog_prices(tenant: Any, session: Any, query: CatalogQuery) -> Sequence[CatalogPrice]:
    return [EXAMPLE_PRICE] if query.price_id == EXAMPLE_PRICE.id else []


@hookimpl
def tollgate_plan_tiers(tenant: Any) -> Sequence[str]:
    return ["example-tier"]


@hookimpl
def tollgate_event_claims() -> Mapping[str, Any]:
    return claims_by_metadata("example", ["customer.created"])


class WelcomeGranted(msgspec.Struct, forbid_unknown_fields=True):
    """`example.welcome_granted`: a new customer received the example plugin's welcome credits."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    credits: Annotated[int, msgspec.Meta(description="Credits granted.")]
    grant: Annotated[str, msgspec.Meta(description="The ledger grant's id.")]

    schema_examples: ClassVar[Examples] = (
        {"customer": "acme", "credits": 5, "grant": "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
    )


@hookimpl
def tollgate_notification_types() -> Mapping[str, NotificationType]:
    return {
        "example.welcome_granted": NotificationType(
            "A new customer received the example plugin's welcome credits.", data=WelcomeGranted
        )
    }


def _entitlements(tenant: Any, referrals: int) -> Mapping[str, Any]:
    config = tenant.plugin_config("example", ExampleConfig)
    features = {"example": config.feature, "referrer": referrals > 0}
    return {"features": features, "models": ["example-model"], "limits": {"examples": 3}}


def _referrals(tenant_id: Any, referrer: Any) -> Any:
    """How many customers `referrer` referred, in one tenant (a scalar subquery)."""
    from sqlalchemy import func, select

    from core.db import scoped
    from tollgate_example_plugin.models import Referral

    return scoped(select(func.count(Referral.id)), Referral, tenant_id).where(Referral.referred_by == referrer)


@hookimpl
def tollgate_entitlements(tenant: Any, customer: Any, session: Any, kernel: Kernel) -> Any:
    async def answer() -> Mapping[str, Any]:
        referrals = await session.scalar(_referrals(tenant.slug, customer.external_id))
        return _entitlements(tenant, referrals or 0)

    return answer()


@hookimpl
def tollgate_entitlements_read() -> Any:
    """The same answer read beside the customer: the referral count as a LATERAL subquery."""
    from core.customers.models import Customer
    from core.entitlement_parts import TENANT, EntitlementsRead

    counted = _referrals(TENANT, Customer.external_id).lateral("example_referrals_made")
    return EntitlementsRead(
        answer=lambda values, tenant, customer, now: _entitlements(tenant, values[0]),
        joins=(counted,),
        columns=tuple(counted.c),
    )


@hookimpl
def tollgate_models() -> Sequence[type]:
    from tollgate_example_plugin.models import Referral

    return [Referral]


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("tollgate_example_plugin")


@click.command("example-hello", help="Say hello (the example plugin's CLI command).")
def hello_command() -> None:
    click.echo("hello from the example plugin")


@hookimpl
def tollgate_cli_commands() -> Sequence[click.Command]:
    return [hello_command]


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any) -> Mapping[str, Any]:
    return {"examples_sold": 7, "window": [str(since), str(until)]}


@hookimpl
def tollgate_customer_payments(tenant: Any, customer: Any) -> Sequence[Any]:
    """A referrer is paid a 1.00 usd fee per referral (the payments timeline's hook, exercised)."""
    from sqlalchemy import literal

    from core.customers.models import Customer
    from core.db import scoped
    from core.payments.rows import payment_rows
    from tollgate_example_plugin.models import Referral

    fees = payment_rows(
        customer_id=literal(customer.id, Customer.id.type),
        currency=literal("usd"),
        at=Referral.created_at,
        amount=literal(100),
        kind="refund",
        stream="example",
        id=Referral.code,
        status=literal("succeeded"),
        reference=Referral.customer,
        description=literal("referral fee"),
        receipt_url=literal(None),
    ).where(Referral.referred_by == customer.external_id)
    return [scoped(fees, Referral, tenant.slug)]
