"""The kernel's contract with plugins: every hook a plugin may implement, typed and documented.

A plugin is a module (or package) with functions marked `@hookimpl`; the kernel calls them through
pluggy (`TOLLGATE_TRACE_PLUGINS=1` traces every call; hook wrappers see them) at the moments
described below and decides where their results go. Plugins return data; the kernel mounts it.
Hooks that run once the kernel exists receive it as `kernel` (`core.kernel.Kernel`: sessions, jobs,
Stripe clients, settings, tenants); an implementation takes only the arguments it needs. Hooks that
run once at start-up may return plain values; per-request hooks may return an awaitable. No hook
here is `firstresult`: every plugin that implements a hook contributes, because several plugins may
serve one tenant at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from core.jobs import Schedule
from core.notifications.types import NotificationType

__all__ = ["PROJECT", "EventHandler", "NotificationType", "Schedule", "hookimpl", "hookspec"]

if TYPE_CHECKING:
    import click
    import stripe
    from dynaconf import Validator
    from litestar.types import ControllerRouterHandler
    from sqlalchemy.ext.asyncio import AsyncSession
    from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

    from core.analytics.parts import MetricsPart
    from core.analytics.series import Series
    from core.catalog import CatalogPart, CatalogPrice, CatalogQuery, CatalogRead
    from core.customers.models import Customer
    from core.customers.tables import CustomerTable
    from core.entitlement_parts import EntitlementsRead
    from core.error_codes import ErrorCode
    from core.inbox.context import EventContext
    from core.kernel import EventClaim, Kernel
    from core.ledger.sources import GrantSource
    from core.money_audit.findings import AuditAnswer, StripeObjects
    from core.stripe_prices import StripePrice
    from tenants.registry import Tenant

PROJECT = "tollgate"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

EventHandler = Callable[["EventContext"], Awaitable[None]]


# ---------------------------------------------------------------------------------------------
# Web
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_route_handlers(kernel: Kernel) -> Sequence[ControllerRouterHandler]:
    """Return the plugin's route handlers and controllers. Called once while the app is built.

    The kernel mounts them under `/t/{tenant}/v1`, behind tenant resolution, authentication and a
    guard that answers 404 `plugin_not_enabled` for tenants that have not enabled this plugin.
    Every handler declares who may call it, `**access(SERVICE, ADMIN, END_USER)` from core.access
    (service keys only when it does not); a `{customer_id}` path parameter names the tenant app's
    customer (end-user tokens reach only their own). Return `[]` for none.
    """
    raise NotImplementedError


@hookspec
def tollgate_error_codes() -> Mapping[str, ErrorCode]:
    """Return the error codes this plugin raises, `{code: ErrorCode(status, meaning)}`. Called once at start-up.

    The runtime's registry (`kernel.error_codes`) is the kernel's codes (`core.error_codes`: the
    error classes' defaults, authentication, input, `customer_not_found`, `idempotency_key_reused`,
    `stripe_error`, ...) and every plugin's: a raised `TollgateError` answers its code's status, and
    the OpenAPI document lists the meaning under each route that declares the code
    (`**access(..., errors=("code", ...))`). Register only codes the plugin raises; several plugins
    may register one code, with one status (a different status stops start-up).
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Stripe events
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_webhook_handlers(kernel: Kernel) -> Mapping[str, EventHandler]:
    """Return `{stripe_event_type: handler}`. Called once at start-up.

    When a verified Stripe event is processed for a tenant, the kernel awaits the handler of every
    plugin that the tenant has enabled and that handles the event's type, in one transaction.
    Handlers receive an `EventContext` (tenant, event, session, Stripe client) and must be
    idempotent: events arrive duplicated and out of order (`ctx.mark_applied()` refuses an event
    older than the last one applied to the object; `ctx.refetch()` re-reads it from Stripe).
    """
    raise NotImplementedError


@hookspec
def tollgate_event_claims(kernel: Kernel) -> Mapping[str, EventClaim]:
    """Return `{stripe_event_type: predicate(event) -> bool}` for event types this plugin handles
    beside others, saying which events are its own. Called once at start-up.

    When an enabled plugin's predicate claims an event, the handlers of the other plugins that
    declared claims on that type do not run (plugins that declared none still do); when nobody
    claims it, every handler runs. Claim by what the plugin stamped on the Stripe objects it made:
    `core.inbox.dispatch.metadata_owner(obj) == "<plugin>"` reads the `tollgate_plugin` metadata.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_tasks(broker: AsyncBroker, kernel: Kernel) -> Sequence[AsyncTaskiqDecoratedTask[Any, Any]]:
    """Register the plugin's taskiq tasks on `broker` and return them. Called once per process.

    Give each task a stable `task_name` prefixed with the plugin's name
    (`broker.register_task(fn, task_name="payg.expire_purchases")`). Tasks take ids, not objects,
    open their own session, and are safe to run twice (the Redis broker delivers at least once).
    A task receives the kernel by declaring `kernel: Annotated[Kernel, TaskiqDepends()]` (taskiq
    injects it; a test passes it by hand).
    """
    raise NotImplementedError


@hookspec
def tollgate_schedules(kernel: Kernel) -> Sequence[Schedule]:
    """Return the recurring jobs this plugin needs (cron, UTC). Called by the scheduler at start.

    A schedule the settings configure reads them from `kernel.config` (the money audit's cron).

    Each schedule names a task registered through `tollgate_tasks`; the scheduler process
    (`taskiq scheduler core.worker:scheduler`, or the embedded loop in `make run`) sends it.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Customers
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_entitlements(
    tenant: Tenant, customer: Customer, session: AsyncSession, kernel: Kernel
) -> Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None:
    """Return what this plugin grants `customer` (features, models, limits, tier), or None.

    Called on `GET /customers/{customer_id}/entitlements` for each plugin the tenant has enabled;
    the kernel awaits awaitables and merges the mappings under the plugin's name.
    """
    raise NotImplementedError


@hookspec
def tollgate_entitlements_read(catalog: CatalogRead) -> EntitlementsRead | None:
    """Optionally, this plugin's part of the entitlements read in one statement (PostgreSQL).

    Tenant apps ask `GET /customers/{customer_id}/entitlements` before every request their users
    make. On PostgreSQL the kernel reads the customer and every enabled plugin's part (LATERAL
    subqueries correlated with `customers`, bound to the `scope_tenant` parameter) in one prepared
    statement outside any transaction; each part's `answer` turns its columns into the plugin's
    answer, or None when it needs its session (a write): then the kernel calls
    `tollgate_entitlements` for that plugin. `catalog` holds the parts of the catalogs the tenant
    enables (`core.catalog.CatalogRead.by_id`: the laterals for a price by its id, and the prices
    they read), for a part whose answer depends on a price; when it is not `readable`, such a part
    answers None. Called once per set of plugins and catalogs; the part must not depend on a tenant.
    """
    raise NotImplementedError


@hookspec
def tollgate_catalog_read() -> CatalogPart | None:
    """Optionally, this catalog's part of a one-statement read: one price by its Stripe id (PostgreSQL).

    For a plugin that answers `tollgate_catalog_prices`: `core.catalog.CatalogPart`, a LATERAL
    subquery for the price whose id is a given column, and the function turning its columns into the
    `CatalogPrice` that `tollgate_catalog_prices` answers for that id. Without it, parts that read
    prices (the subscriptions plugin's entitlements, for a plan in good standing) answer through
    their session while the catalog is enabled. Called once; the part must not depend on a tenant.
    """
    raise NotImplementedError


@hookspec
def tollgate_admin_figures(  # noqa: PLR0917 - pluggy reads positional names only; callers pass them by name
    tenant: Tenant,
    session: AsyncSession,
    since: dt.datetime | None,
    until: dt.datetime | None,
    kernel: Kernel,
    series: Series | None,
) -> Mapping[str, Any] | MetricsPart | Awaitable[Mapping[str, Any] | MetricsPart | None] | None:
    """Return this plugin's financial figures for one tenant over `[since, until)`, or None.

    Called for each plugin the tenant has enabled (and the kernel's domains); the kernel awaits
    awaitables. On `GET /admin/figures` (`series` None) return a mapping: the route answers it under
    the plugin's name. Money is integers in minor units keyed by currency; credits are integers.
    On `GET /admin/metrics` (`series`: the window, its day/week/month buckets and the currency asked
    for) return a `core.analytics.parts.MetricsPart`: SQL for the revenue, checkouts and prepaid
    credits the plugin holds (the kernel combines every plugin's in one statement), and series it
    computes itself. A mapping answered then is left out of the metrics.
    """
    raise NotImplementedError


@hookspec
def tollgate_customer_tables() -> Sequence[CustomerTable]:
    """Return where this plugin's tables hold a customer's data: one `core.customers.tables.CustomerTable`
    per table. Called whenever a customer is exported or erased, for every loaded plugin (a plugin a tenant
    has since disabled may still hold its customers' rows).

    Each declaration names the model, which of a tenant's rows are the customer's (a where-clause built
    from the `Customer` row), and what its columns hold: the app's customer id (an erasure puts the
    pseudonym in its place), free text and metadata (tombstoned), JSON documents (scrubbed of the
    customer's personal data). The kernel exports and erases every declared table the same way, in one
    transaction; a plugin writes no export or erasure code of its own. Financial columns are left as
    they are, so every ledger invariant and every figure holds after an erasure.
    """
    raise NotImplementedError


@hookspec
def tollgate_customer_payments(tenant: Tenant, customer: Customer, kernel: Kernel) -> Sequence[Any] | None:
    """Return SQL statements of the money `customer` paid or got back through this plugin, or None.

    Called on `GET /customers/{customer_id}/payments` for each plugin the tenant enables. Build each
    statement's columns with `core.payments.rows.payment_rows` (a revenue row of `core.analytics.parts`
    and the timeline's `id`, `status`, `reference`, `description`, `receipt_url`), scoped to the tenant
    (`core.db.scoped`) and to the customer's row. The kernel puts every plugin's rows in one `UNION ALL`,
    newest first, and pages it; read from the plugin's own tables, never from Stripe.
    """
    raise NotImplementedError


@hookspec
def tollgate_customer_erasing(
    tenant: Tenant, session: AsyncSession, customer: Customer, cancel: bool, kernel: Kernel
) -> Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None:
    """Settle what this plugin still runs for `customer` before the customer is erased, or refuse.

    Called on `DELETE /customers/{customer_id}` for each plugin the tenant enables, in the erasure's
    transaction, before anything is changed and before the Stripe customer is deleted. Refuse with a
    `TollgateError` (the subscriptions plugin: 409 `subscription_active` while a plan is held) unless
    `cancel` is true, in which case end it now (at Stripe with an idempotency key, then in the plugin's
    rows as its own cancel path does). Return what was done, for the erasure's answer (`{"canceled":
    [...]}`), or None. Keep personal data out of the answer: it is stored as the erasure's result.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# What plugins offer each other
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_catalog_prices(
    tenant: Tenant, session: AsyncSession, query: CatalogQuery, kernel: Kernel
) -> Sequence[CatalogPrice] | Awaitable[Sequence[CatalogPrice]] | None:
    """Return the prices this plugin's catalog holds for `query` (see `core.catalog.CatalogQuery`).

    Called (through `core.catalog.catalog_prices`) when a plugin that sells from catalogs needs a
    price: payg for credit packs, subscriptions for plan tiers; only for plugins the tenant enables.
    Return `[]` or None when the catalog has none.
    """
    raise NotImplementedError


@hookspec
def tollgate_plan_tiers(tenant: Tenant, kernel: Kernel) -> Sequence[str] | None:
    """Return the plan tier ids this plugin sells to `tenant`, or None.

    Called when another plugin checks a `plan_tier` it was given (product_sync flags catalog prices
    naming a tier that no plan sells); only for plugins the tenant enables.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_notification_types() -> Mapping[str, NotificationType | str]:
    """Return the notification types this plugin sends to tenant apps,
    `{type: NotificationType(what it means, data=Struct)}`.

    Called once at start-up. `core.notifications.notify` refuses a type nobody registered, so a
    typo fails in tests, not in a tenant app, and data that does not match the type's Struct (a
    msgspec Struct with field descriptions and `schema_examples`, which the OpenAPI document shows
    under the type's webhook). A plain string is the meaning alone: the data stays undescribed and
    unchecked. Several plugins may register one type with one Struct (both subscriptions and token
    packages send `payment.failed`, `core.notifications.types.PaymentFailed`); two different Structs
    stop start-up. The kernel registers its own (`credits.*`).
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Validator]:
    """Return dynaconf validators for this plugin's block of one tenant's settings.

    Called at start-up for every tenant that enables the plugin; `key` is the dotted settings path
    of the block (`tenants.<slug>.<plugin>`). A failed validator stops start-up, and its message
    must name the key (use `core.settings.StructValidator` to check the block against a Struct).
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Onboarding
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_tenant_template(tenant: str) -> Mapping[str, Any] | None:
    """Return a small valid block of this plugin's settings for a new tenant, or None when an empty
    block is valid.

    Called by `tollgate tenants add` for each plugin the new tenant enables; `tenant` is its slug. The
    block is written under `tenants.<slug>.<plugin>` for the operator to edit, and must pass this
    plugin's `tollgate_settings_validators` as it is (a plugin with required keys offers a starter:
    subscriptions a free tier).
    """
    raise NotImplementedError


@hookspec
def tollgate_stripe_prices(
    tenant: Tenant, client: stripe.StripeClient, kernel: Kernel
) -> Sequence[StripePrice] | Awaitable[Sequence[StripePrice]] | None:
    """Find or create in the tenant's Stripe account the prices this plugin sells from its settings.

    Called by `tollgate stripe connect --prices` (and the demo) for each plugin the tenant enables,
    with a client for the tenant's own account. Build the wanted prices from the plugin's block
    (`core.stripe_prices.WantedPrice`, lookup keys from `core.stripe_prices.lookup_key`) and return
    `await core.stripe_prices.ensure_prices(client, wanted)`: found by lookup key, so a second run
    creates nothing. Each price's `key` is its name in the tenant's secrets (`prices`), where the
    kernel stores its id. Return `[]` or None when the plugin sells nothing from settings.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_models() -> Sequence[type]:
    """Return the plugin's SQLAlchemy model classes. Called when the metadata must be complete.

    Importing them registers their tables with the shared metadata that Alembic migrates and
    the schema test compares against.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Migrations
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_migrations() -> str | Path | None:
    """Return the directory of the plugin's Alembic revisions, or None when it has no tables.

    Called whenever the kernel builds the migration history: `tollgate db upgrade` (every branch,
    or `--plugin <name>` for one), `tollgate run`, `core.migrate.upgrade`. The directory ships
    inside the plugin's package (package data; `core.migrate.versions_in(package)` finds
    `<package>/migrations/versions`) and holds one Alembic branch labelled with the plugin's name:
    its first revision has `down_revision = None`, `branch_labels = ("<plugin>",)` and `depends_on`
    the kernel revision whose tables it needs. Revision ids are unique across every branch.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_cli_commands() -> Sequence[click.Command]:
    """Return click commands to add to the `tollgate` CLI. Called once when the CLI starts.

    Long-running commands show progress; each command has help text.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Ledger
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_grant_sources() -> Mapping[str, GrantSource]:
    """Return the ledger grant sources this plugin grants under, `{source: GrantSource(kind, description,
    ref_pattern)}` (`core.ledger.sources`).

    Called by `tollgate ledger verify` (`core.ledger.verify`), which reports every grant whose
    `source` nobody declared, or whose `source_ref` does not fully match its source's `ref_pattern`.
    The kind says what the grant traces to: `stripe` (a payment; `ref_pattern` required, e.g.
    `core.ledger.sources.stripe_id("in_")`), `plan` (a plan's own allowance) or `admin` (an
    operator's act). The kernel declares its own (`admin`, `adjustment`); one source declared twice
    differently stops the verifier.
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Money audit
# ---------------------------------------------------------------------------------------------


@hookspec
def tollgate_money_audit(
    tenant: Tenant, session: AsyncSession, stripe_objects: StripeObjects, kernel: Kernel
) -> AuditAnswer | Awaitable[AuditAnswer | None] | None:
    """Explain the Stripe objects this plugin owns among one tenant's period, and report what differs.

    Called by the money audit (`core.money_audit`, `tollgate audit stripe`, daily) for each plugin the
    tenant enables, with the period's paid invoices, succeeded PaymentIntents, complete Checkout
    Sessions, refunds and disputes (`core.money_audit.findings.StripeObjects`, Stripe's shapes). Return
    an `AuditAnswer`: the ids of the objects the plugin accounts for (`explained`), the grant sources it
    grants for Stripe payments and the (source, source_ref) grants those objects explain, and a
    `Finding` for each difference (paid but not granted, a refund not clawed back, an amount or credit
    count that disagrees with the plugin's record or the tenant's configuration). A finding names the
    Stripe event types that would have left no difference (`repair_events`): the audit's repair
    stores that event through the inbox. Read only; never write money here. The kernel reports the
    objects a plugin stamped that nobody explains, and the grants of the declared sources made in
    the period that nobody explains.
    """
    raise NotImplementedError
