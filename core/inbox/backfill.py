"""The Stripe event backfill: each tenant's events read back from Stripe's API and stored as deliveries would be.

A delivery Stripe never makes (an outage longer than its three days of retries, an endpoint it disabled,
a secret that no longer verifies) would otherwise be lost for good. Every `stripe_backfill.interval_seconds`
the scheduled task (`inbox.backfill`, core/inbox/tasks.py) lists each tenant's events (`GET /v1/events`,
`created[gte]` = the tenant's watermark minus `overlap_seconds`, `types[]` = the types its handlers
apply, 20 a request, every page) and stores each one the inbox lacks through `store_fetched`: the same
dedupe key (tenant, event id), the same routing and processing as a delivery, marked `source=backfill`.
`tollgate stripe backfill TENANT` and `POST /admin/stripe/backfill` run it at once.

- **Watermark.** Stripe lists newest first, so nothing older than a failed page has been read: the
  watermark moves only once a listing has completed, to the newest `created` it found stored (by it or
  by a delivery). A run stopped by a failure or by its page limit stores what it read and leaves the
  watermark where it was.
- **Deliveries under way.** The schedule leaves an event Stripe is still delivering (`pending_webhooks`
  > 0) and that was created less than `DELIVERY_GRACE_SECONDS` ago to its next run, whose overlap reads
  it again: its delivery most likely arrives meanwhile, and a backfilled event counts as a lost delivery.
  A run an operator starts stores everything it lists.
- **One run per tenant at a time.** A run holds a lease on the tenant's row (`stripe_backfill_states`),
  renewed after every page; a second worker (or an operator) finds it taken. Storing is idempotent.
- **Warnings.** After each run: the watermark's lag (from the start of the last complete listing) above
  `behind_warning_seconds`, the tenant's webhook endpoint disabled or gone, or `signature_failures_warning`
  deliveries in a row refused their signature. Each sets a gauge, logs, and notifies (`stripe.*`) when
  it starts and once a day while it lasts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import msgspec
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import audit_trail, clock, metrics
from core.db import after_commit, retrying_conflicts, scoped, session_scope
from core.errors import Conflict
from core.inbox import notices, schemas
from core.inbox.endpoint import event_types, webhook_url
from core.inbox.models import BACKFILL, DELIVERY, BackfillState, WebhookEvent
from core.inbox.repository import ensure_state, read_state
from core.inbox.services import store_fetched
from core.notifications.services import notify
from core.retries import describe_error
from tenants.registry import Tenant

if TYPE_CHECKING:
    import stripe

    from core.kernel import Kernel
    from core.settings import StripeBackfillConfig

logger = logging.getLogger("tollgate.inbox.backfill")

# Stripe takes at most 20 `types[]` a request, and 100 events a page.
TYPES_PER_REQUEST: Final = 20
PAGE_SIZE: Final = 100
# A run's lease on its tenant, renewed after every page: a worker that dies frees the tenant this soon.
LEASE_SECONDS: Final = 300
# An event still being delivered, created this recently, waits for the schedule's next run (see above).
DELIVERY_GRACE_SECONDS: Final = 60
# Events dated further ahead than this come from a clock other than ours (a test clock): never held back.
CLOCK_SKEW_SECONDS: Final = 300
# Tenants read at once by the scheduled task.
CONCURRENCY: Final = 4

SCHEDULE, ADMIN, CLI = "schedule", "admin", "cli"
OK, PARTIAL, FAILED = "ok", "partial", "failed"
EVENTS_BEHIND, ENDPOINT_DISABLED, SIGNATURE_FAILURES = "events_behind", "endpoint_disabled", "signature_failures"
WARNING_KINDS: Final = (EVENTS_BEHIND, ENDPOINT_DISABLED, SIGNATURE_FAILURES)
# Each warning: its notification type and the row's column saying since when it holds.
_WARNINGS: Final = {
    EVENTS_BEHIND: (notices.EVENTS_BEHIND, "behind_warned_since"),
    ENDPOINT_DISABLED: (notices.ENDPOINT_DISABLED, "endpoint_warned_since"),
    SIGNATURE_FAILURES: (notices.SIGNATURE_FAILURES, "signature_warned_since"),
}
# Endpoint statuses that mean Stripe delivers nothing.
_DEAD_ENDPOINT = ("disabled", "missing")


@dataclasses.dataclass
class BackfillRun:
    """One run's figures, as it goes (`on_page` sees them after every page) and once it has finished."""

    tenant: str
    trigger: str
    started_at: dt.datetime
    # The listing's `created[gte]`.
    since: dt.datetime
    event_types: int
    pages: int = 0
    # Events listed; of them, stored (the inbox lacked them) and left for the next run (being delivered).
    seen: int = 0
    stored: int = 0
    deferred: int = 0
    stored_by_type: Counter[str] = dataclasses.field(default_factory=Counter)
    status: str = "running"
    error: str | None = None
    finished_at: dt.datetime | None = None
    watermark_before: int | None = None
    watermark: int | None = None
    # The watermark moved (or was set) by this run.
    advanced: bool = False
    # The warnings holding after the run.
    warnings: list[str] = dataclasses.field(default_factory=list)


class LeaseLost(Exception):
    """Another run took the tenant's lease (this one outlived it): this run stops where it is."""


class _Endpoint(NamedTuple):
    id: str | None
    status: str | None


class _Listing(NamedTuple):
    complete: bool
    newest: int | None  # the newest `created` listed and in the inbox
    oldest_deferred: int | None  # the oldest `created` left for the next run


def _timestamp(when: dt.datetime) -> int:
    return int((when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)).timestamp())


def _moment(seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


# ---------------------------------------------------------------------------------------------
# The tenant's row
# ---------------------------------------------------------------------------------------------


async def _lease(
    kernel: Kernel, tenant: Tenant, token: str, *, trigger: str, now: dt.datetime, due_before: dt.datetime | None
) -> BackfillState | None:
    """Take the tenant's lease (and, for the schedule, only when a run is due); the row as it was, or None."""
    model = BackfillState
    async with session_scope(kernel.sessions) as session:
        await ensure_state(session, tenant.slug)
        statement: Any = scoped(update(model), model, tenant.slug).where(
            or_(model.leased_until.is_(None), model.leased_until < now)
        )
        if due_before is not None:
            statement = statement.where(or_(model.run_started_at.is_(None), model.run_started_at <= due_before))
        taken = await session.execute(
            statement.values(
                lease_token=token,
                leased_until=now + dt.timedelta(seconds=LEASE_SECONDS),
                run_trigger=trigger,
                run_started_at=now,
                updated_at=now,
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        state = await read_state(session, tenant.slug)
        if trigger != SCHEDULE:
            # An operator's run (the admin route, the CLI) is audited; the schedule's, the inbox's own, is not.
            await audit_trail.record(session, tenant.slug, "stripe_backfill.run", f"tenant:{tenant.slug}")
        return state


async def _renew(kernel: Kernel, tenant: Tenant, token: str) -> None:
    model = BackfillState
    now = clock.now()
    async with session_scope(kernel.sessions) as session:
        statement: Any = scoped(update(model), model, tenant.slug).where(model.lease_token == token)
        renewed = await session.execute(
            statement.values(leased_until=now + dt.timedelta(seconds=LEASE_SECONDS), updated_at=now)
        )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            raise LeaseLost(f"the backfill of {tenant.slug} lost its lease to another run")


# ---------------------------------------------------------------------------------------------
# A run
# ---------------------------------------------------------------------------------------------


def default_start(state: BackfillState | None, config: StripeBackfillConfig, now: dt.datetime) -> int:
    """Where a scheduled run reads from: the watermark minus the overlap, or `first_lookback_seconds` ago."""
    if state is not None and state.watermark is not None:
        return state.watermark - config.overlap_seconds
    return _timestamp(now) - config.first_lookback_seconds


async def backfill(
    kernel: Kernel,
    tenant: Tenant,
    *,
    trigger: str,
    since: dt.datetime | None = None,
    max_pages: int | None = None,
    on_page: Callable[[BackfillRun], None] | None = None,
) -> BackfillRun:
    """Read the tenant's Stripe events back now and store what the inbox lacks; the run's figures.

    `since` reads from then instead of the watermark (the watermark moves only when that starts at or
    before where a scheduled run would); `max_pages` stops the run there (`partial`); `on_page` sees the
    figures after every page. A failure of Stripe or of the database ends the run `failed` (what it
    stored stays stored), its warnings checked all the same. A run in progress is 409
    `stripe_backfill_in_progress`.
    """
    run = await _run(kernel, tenant, trigger, since=since, max_pages=max_pages, on_page=on_page, due_only=False)
    if run is None:
        raise Conflict(
            "A backfill of this tenant's Stripe events is running; try again when it ends.",
            code="stripe_backfill_in_progress",
        )
    return run


async def _run(
    kernel: Kernel,
    tenant: Tenant,
    trigger: str,
    *,
    since: dt.datetime | None,
    max_pages: int | None,
    on_page: Callable[[BackfillRun], None] | None,
    due_only: bool,
) -> BackfillRun | None:
    """One run under the tenant's lease; None when another run holds it (or, `due_only`, it is not due)."""
    config = kernel.config.stripe_backfill
    token = uuid.uuid4().hex
    now = clock.now()
    due_before = now - dt.timedelta(seconds=config.interval_seconds) if due_only else None
    state = await _lease(kernel, tenant, token, trigger=trigger, now=now, due_before=due_before)
    if state is None:
        return None
    scheduled_start = default_start(state, config, now)
    start = scheduled_start if since is None else _timestamp(since)
    types = event_types(kernel, tenant)
    run = BackfillRun(
        tenant=tenant.slug,
        trigger=trigger,
        started_at=now,
        since=dt.datetime.fromtimestamp(start, dt.UTC),
        event_types=len(types),
        watermark_before=state.watermark,
        watermark=state.watermark,
    )
    listing = _Listing(complete=False, newest=None, oldest_deferred=None)
    client: stripe.StripeClient | None = None
    try:
        if not (await kernel.secrets.get(tenant)).stripe_secret_key:
            raise ValueError("the tenant's secrets hold no stripe_secret_key")
        client = await kernel.stripe.for_tenant(tenant)
        listing = await _read(
            kernel,
            tenant,
            client,
            run,
            start=start,
            types=types,
            token=token,
            max_pages=max_pages,
            on_page=on_page,
            defer=trigger == SCHEDULE,
        )
        run.status = OK if listing.complete else PARTIAL
    except Exception as exc:
        run.status, run.error = FAILED, describe_error(exc)
        logger.warning("the Stripe event backfill of %s failed: %s", tenant.slug, run.error, exc_info=exc)
    if listing.complete and start <= scheduled_start:
        run.watermark = _watermark(state.watermark, listing)
        run.advanced = True
    endpoint = await _check_endpoint(kernel, tenant, client) if client is not None else None
    await _finish(kernel, tenant, run, token, endpoint)
    return run


def _watermark(before: int | None, listing: _Listing) -> int | None:
    """The watermark after a complete listing: its newest event in the inbox, never past an event held back."""
    if listing.oldest_deferred is not None:
        held = listing.oldest_deferred - 1
        return held if listing.newest is None else min(listing.newest, held)
    if listing.newest is None:
        return before
    return listing.newest if before is None else max(before, listing.newest)


async def _read(
    kernel: Kernel,
    tenant: Tenant,
    client: stripe.StripeClient,
    run: BackfillRun,
    *,
    start: int,
    types: Sequence[str],
    token: str,
    max_pages: int | None,
    on_page: Callable[[BackfillRun], None] | None,
    defer: bool,
) -> _Listing:
    """List every event of `types` created at `start` or later, page by page, storing each page (`defer`:
    but the ones still being delivered)."""
    newest: int | None = None
    oldest_deferred: int | None = None
    now = _timestamp(run.started_at)
    for first in range(0, len(types), TYPES_PER_REQUEST):
        params: dict[str, Any] = {
            "created": {"gte": start},
            "types": list(types[first : first + TYPES_PER_REQUEST]),
            "limit": PAGE_SIZE,
        }
        while True:
            if max_pages is not None and run.pages >= max_pages:
                return _Listing(False, newest, oldest_deferred)
            page = await client.v1.events.list_async(params)  # type: ignore[arg-type]
            run.pages += 1
            events = [event.to_dict(for_json=True) for event in page.data]
            kept = []
            for event in events:
                created = int(event["created"])
                if defer and _being_delivered(event, now):
                    run.deferred += 1
                    oldest_deferred = created if oldest_deferred is None else min(oldest_deferred, created)
                else:
                    kept.append(event)
                    newest = created if newest is None else max(newest, created)
            stored = await _store(kernel, tenant, kept)
            run.seen += len(kept)
            run.stored += len(stored)
            run.stored_by_type.update(stored)
            await _renew(kernel, tenant, token)
            if on_page is not None:
                on_page(run)
            if not page.has_more or not events:
                break
            params["starting_after"] = events[-1]["id"]
    return _Listing(True, newest, oldest_deferred)


def _being_delivered(event: Mapping[str, Any], now: int) -> bool:
    created = int(event["created"])
    pending = int(event.get("pending_webhooks") or 0)
    return pending > 0 and now - DELIVERY_GRACE_SECONDS < created <= now + CLOCK_SKEW_SECONDS


async def _store(kernel: Kernel, tenant: Tenant, events: Sequence[Mapping[str, Any]]) -> list[str]:
    """Store one page's events the inbox lacks, oldest first, in one transaction; the stored ones' types.

    A page that loses a deadlock to the ingest's group commit (both insert into the inbox) runs again.
    """

    async def store_page(session: AsyncSession) -> list[str]:
        stored = []
        for event in reversed(events):
            if await store_fetched(kernel, session, tenant, event) is not None:
                stored.append(str(event["type"]))
                after_commit(session, metrics.event_backfilled(tenant.slug, str(event["type"])))
        return stored

    if not events:
        return []
    return await retrying_conflicts(kernel.sessions, store_page)


async def _check_endpoint(kernel: Kernel, tenant: Tenant, client: stripe.StripeClient) -> _Endpoint | None:
    """The tenant's webhook endpoint in Stripe: the one `tollgate stripe connect` recorded (`missing` when
    Stripe no longer has it), else the one at the tenant's webhook URL (unknown when none is); None when it
    could not be read."""
    import stripe

    try:
        known = (await kernel.secrets.get(tenant)).stripe_webhook_endpoint_id
        if known:
            try:
                found = await client.v1.webhook_endpoints.retrieve_async(known)
            except stripe.InvalidRequestError as exc:
                if exc.http_status == 404:
                    return _Endpoint(known, "missing")
                raise
            return _Endpoint(known, str(found.status))
        url = webhook_url(kernel.config.server.public_url, tenant.slug)
        listed = await client.v1.webhook_endpoints.list_async({"limit": 100})
        at_url = [endpoint async for endpoint in listed.auto_paging_iter() if endpoint.url == url]
        if not at_url:
            return _Endpoint(None, None)
        chosen = next((e for e in at_url if e.status == "enabled"), at_url[0])
        return _Endpoint(str(chosen.id), str(chosen.status))
    except Exception as exc:
        logger.warning("reading %s's webhook endpoint from Stripe failed: %s", tenant.slug, describe_error(exc))
        return None


async def _finish(kernel: Kernel, tenant: Tenant, run: BackfillRun, token: str, endpoint: _Endpoint | None) -> None:
    """Record the run, check the warnings and release the lease, in one transaction."""
    config = kernel.config.stripe_backfill
    run.finished_at = now = clock.now()
    lag: float | None = None
    async with session_scope(kernel.sessions) as session:
        row = await read_state(session, tenant.slug, lock=True)
        if row is None or row.lease_token != token:
            logger.warning(
                "the backfill of %s lost its lease before it finished; its figures are not kept", tenant.slug
            )
            return
        row.run_finished_at, row.run_status, row.run_error = now, run.status, run.error
        row.run_pages, row.run_seen, row.run_stored = run.pages, run.seen, run.stored
        row.seen_total += run.seen
        row.stored_total += run.stored
        if run.advanced:
            row.watermark, row.listed_through = run.watermark, run.started_at
        if endpoint is not None:
            row.endpoint_id, row.endpoint_status, row.endpoint_checked_at = endpoint.id, endpoint.status, now
        holding = await _warn(session, tenant, row, config, now)
        run.warnings = [kind for kind in WARNING_KINDS if kind in holding]
        row.lease_token, row.leased_until, row.updated_at = None, None, now
        lag = (now - (row.listed_through or row.created_at)).total_seconds()
    metrics.backfill_ran(tenant.slug, run.status, lag, {kind: kind in holding for kind in WARNING_KINDS})
    if run.stored:
        logger.warning(
            "backfilled %d Stripe event(s) of %s whose delivery never came: %s",
            run.stored,
            tenant.slug,
            dict(run.stored_by_type),
        )


def warnings_of(row: BackfillState, config: StripeBackfillConfig, now: dt.datetime) -> dict[str, msgspec.Struct]:
    """The warnings the row's state calls for, each with its notice's data."""
    found: dict[str, msgspec.Struct] = {}
    uncovered = row.listed_through or row.created_at
    lag = int((now - uncovered).total_seconds())
    if lag > config.behind_warning_seconds:
        failed = row.run_error if row.run_status == FAILED else None
        found[EVENTS_BEHIND] = notices.EventsBehind(uncovered, lag, config.behind_warning_seconds, failed)
    if row.endpoint_status in _DEAD_ENDPOINT and row.endpoint_id:
        since = row.endpoint_warned_since or row.endpoint_checked_at or now
        found[ENDPOINT_DISABLED] = notices.EndpointDisabled(row.endpoint_id, row.endpoint_status, since)
    failed_at, passed_at = row.signature_failed_at, row.signature_passed_at
    if (
        row.signature_failures >= config.signature_failures_warning
        and failed_at is not None
        and (passed_at is None or failed_at > passed_at)
    ):
        found[SIGNATURE_FAILURES] = notices.SignatureFailures(
            failures=row.signature_failures,
            threshold=config.signature_failures_warning,
            failing_since=row.signature_failing_since or failed_at,
            last_failure_at=failed_at,
            last_success_at=passed_at,
        )
    return found


async def _warn(
    session: AsyncSession, tenant: Tenant, row: BackfillState, config: StripeBackfillConfig, now: dt.datetime
) -> dict[str, msgspec.Struct]:
    """Start, keep or end each warning on the row; notify when one starts and once a day while it holds."""
    holding = warnings_of(row, config, now)
    for kind, (notice, column) in _WARNINGS.items():
        since: dt.datetime | None = getattr(row, column)
        data = holding.get(kind)
        if data is None:
            if since is not None:
                logger.info("%s of %s: the warning no longer holds (since %s)", kind, tenant.slug, since.isoformat())
                setattr(row, column, None)
            continue
        if since is None:
            since = now
            setattr(row, column, now)
        day = int((now - since).total_seconds() // 86400)
        logger.warning(
            "%s of %s (since %s): %s", kind, tenant.slug, since.isoformat(), msgspec.json.encode(data).decode()
        )
        await notify(
            session,
            tenant,
            notice,
            msgspec.structs.asdict(data),
            dedupe_key=f"{notice}:{since.strftime('%Y%m%dT%H%M%SZ')}:{day}",
        )
    return holding


# ---------------------------------------------------------------------------------------------
# The schedule, and what operators read
# ---------------------------------------------------------------------------------------------


async def backfill_due(kernel: Kernel) -> int:
    """Run the backfill of every tenant that is due (with a Stripe key); returns how many ran.

    Safe to run twice and side by side: a tenant read by another run, or read less than
    `interval_seconds` ago, is skipped. One tenant's failure does not stop the others.
    """
    if not kernel.config.stripe_backfill.enabled:
        return 0
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(tenant: Tenant) -> bool:
        async with limit:
            try:
                if not (await kernel.secrets.get(tenant)).stripe_secret_key:
                    return False
                run = await _run(kernel, tenant, SCHEDULE, since=None, max_pages=None, on_page=None, due_only=True)
                return run is not None
            except Exception:
                logger.exception("the scheduled Stripe event backfill of %s failed", tenant.slug)
                return False

    return sum(await asyncio.gather(*(one(tenant) for tenant in kernel.tenants)))


async def events_by_source(
    session: AsyncSession, tenant: str, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> dict[str, int]:
    """How many of the tenant's events each way brought (`delivery`, `backfill`), stored within `[since, until)`."""
    model = WebhookEvent
    statement = scoped(select(model.source, func.count()), model, tenant).group_by(model.source)
    if since is not None:
        statement = statement.where(model.created_at >= since)
    if until is not None:
        statement = statement.where(model.created_at < until)
    return {str(source): int(count) for source, count in (await session.execute(statement)).all()}


def run_schema(run: BackfillRun) -> schemas.StripeBackfillRun:
    return schemas.StripeBackfillRun(
        tenant=run.tenant,
        trigger=run.trigger,  # type: ignore[arg-type]
        status=run.status,  # type: ignore[arg-type]
        started_at=run.started_at,
        finished_at=run.finished_at,
        since=run.since,
        event_types=run.event_types,
        pages=run.pages,
        seen=run.seen,
        stored=run.stored,
        deferred=run.deferred,
        stored_by_type=dict(run.stored_by_type),
        watermark_before=_moment(run.watermark_before),
        watermark=_moment(run.watermark),
        advanced=run.advanced,
        error=run.error,
        warnings=list(run.warnings),  # type: ignore[arg-type]
    )


async def status_of(kernel: Kernel, session: AsyncSession, tenant: Tenant) -> schemas.StripeBackfillStatus:
    """What `GET /admin/stripe/backfill` answers: the tenant's row (or nothing yet) and its events by source."""
    config = kernel.config.stripe_backfill
    row = await read_state(session, tenant.slug)
    by_source = await events_by_source(session, tenant.slug)
    events = schemas.StripeEventCounts(delivered=by_source.get(DELIVERY, 0), backfilled=by_source.get(BACKFILL, 0))
    now = clock.now()
    if row is None:
        return schemas.StripeBackfillStatus(
            enabled=config.enabled,
            interval_seconds=config.interval_seconds,
            watermark=None,
            listed_through=None,
            lag_seconds=None,
            running=False,
            last_run=None,
            seen_total=0,
            stored_total=0,
            events=events,
            endpoint=schemas.StripeEndpointState(id=None, status=None, checked_at=None),
            signature_checks=schemas.StripeSignatureChecks(
                failures_in_row=0, failing_since=None, last_failure_at=None, last_success_at=None
            ),
            warnings=[],
        )
    running = row.lease_token is not None and row.leased_until is not None and row.leased_until > now
    last_run = None
    if row.run_started_at is not None:
        last_run = schemas.StripeBackfillLastRun(
            trigger=row.run_trigger,  # type: ignore[arg-type]
            status="running" if running else (row.run_status or FAILED),  # type: ignore[arg-type]
            started_at=row.run_started_at,
            finished_at=None if running else row.run_finished_at,
            pages=row.run_pages,
            seen=row.run_seen,
            stored=row.run_stored,
            error=None if running else row.run_error,
        )
    ever_run = row.listed_through or (row.created_at if row.run_started_at is not None else None)
    return schemas.StripeBackfillStatus(
        enabled=config.enabled,
        interval_seconds=config.interval_seconds,
        watermark=_moment(row.watermark),
        listed_through=row.listed_through,
        lag_seconds=None if ever_run is None else max(0, int((now - ever_run).total_seconds())),
        running=running,
        last_run=last_run,
        seen_total=row.seen_total,
        stored_total=row.stored_total,
        events=events,
        endpoint=schemas.StripeEndpointState(
            id=row.endpoint_id, status=row.endpoint_status, checked_at=row.endpoint_checked_at
        ),
        signature_checks=schemas.StripeSignatureChecks(
            failures_in_row=row.signature_failures,
            failing_since=row.signature_failing_since,
            last_failure_at=row.signature_failed_at,
            last_success_at=row.signature_passed_at,
        ),
        warnings=[
            schemas.StripeBackfillWarning(kind=kind, since=since)  # type: ignore[arg-type]
            for kind, (_, column) in _WARNINGS.items()
            if (since := getattr(row, column)) is not None
        ],
    )
