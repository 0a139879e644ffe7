"""Rules of the inbox: verify and store a Stripe delivery, process a stored event once, let operators replay.

Ingest answers as soon as the event is stored (the task is sent after commit); processing claims the
row for a lease, applies every enabled plugin's handler in one transaction and settles the row, or
records the failure for a retry after backoff, `dead` after the last attempt.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import msgspec
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock, logs, metrics
from core.batching import GroupCommit
from core.cursors import uuid_position
from core.customers.erasure import scrubbed_payload
from core.db import (
    after_commit,
    commit,
    driver_transaction,
    is_conflict,
    pinned_session,
    rollback,
    session_scope,
)
from core.errors import BadRequest, Conflict, SecretsUnavailable, ServiceUnavailable
from core.hookspecs import EventHandler
from core.inbox.context import EventContext
from core.inbox.dispatch import dispatch, route, routes_by_type
from core.inbox.models import BACKFILL, IGNORED, PROCESSED, WebhookEvent
from core.inbox.repository import InboxRepository, NewEvent
from core.inbox.schemas import Receipt, StripeEventEnvelope, WebhookEventStatus
from core.inbox.signature import signature_matches
from core.inbox.signature_watch import SignatureWatch
from core.inbox.writer import InboxWriter, Salted
from core.lists import Page, PageRequest
from core.retries import DEAD, PENDING, Claim, LeasedService, describe_error
from tenants.registry import Tenant
from tenants.secrets import TenantSecrets

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.inbox")
T = TypeVar("T")

PROCESS_TASK = "inbox.process_event"
SWEEP_TASK = "inbox.sweep"


class InboxService:
    """Stripe's deliveries, for every tenant of the process: verify, store once, hand to a worker.

    On PostgreSQL the events are stored by the process's group commit (`InboxWriter`); on SQLite
    (the embedded default) each request stores its own in a session.
    """

    def __init__(self, runtime: Kernel) -> None:
        self.runtime = runtime
        self.writer: InboxWriter | None = None
        # Failed signature checks per tenant, for the backfill's warning (written a few times a minute at most).
        self.signatures = SignatureWatch(runtime)
        # Each tenant's digest key for erased customers, once it has one (`_as_stored`).
        self._salts: dict[str, str] = {}
        if runtime.engine.dialect.name == "postgresql":
            self.writer = InboxWriter(runtime.engine, runtime.jobs, PROCESS_TASK)

    async def receive(self, tenant_slug: str, body: bytes, signature: str | None) -> Receipt:
        """Verify the delivery and store it; a duplicate is acknowledged and otherwise ignored.

        An event no handler takes (none enabled for its type, or of the other mode than the tenant's
        Stripe key) is stored `ignored` and still acknowledged, so Stripe stops sending it.
        """
        tenant = self.runtime.tenants.get(tenant_slug)
        payload, secrets = await self._verified(tenant, body, signature)
        try:
            envelope = msgspec.json.decode(body, type=StripeEventEnvelope)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"The body is not a Stripe event: {exc}", code="invalid_event") from None
        logs.bind(tenant=tenant.slug, stripe_event_id=envelope.id)
        payload = await self._as_stored(tenant, payload)
        event = new_event(self.runtime, tenant, envelope, payload, live_key=secrets.livemode)
        status: WebhookEventStatus = PENDING if event.status == PENDING else IGNORED
        if self.writer is not None:
            row_id = await self._store_in_batch(tenant, event)
        else:
            row_id = await self._store_alone(event)
        metrics.event_received(tenant.slug, envelope.type, duplicate=row_id is None, ignored=status == IGNORED)
        if row_id is None:
            return Receipt(received=True, duplicate=True)
        return Receipt(received=True, duplicate=False, id=str(row_id), status=status)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()
        await self.signatures.close()

    async def _store_in_batch(self, tenant: Tenant, event: NewEvent) -> uuid.UUID | None:
        """Store the event by the group commit; one naming a customer of a tenant that has (just) erased
        customers comes back `Salted`, and is stored scrubbed."""
        check = "cus_" in event.payload and tenant.slug not in self._salts
        try:
            return (await self.writer.store(event, unless_salted=check)).row_id  # type: ignore[union-attr]
        except Salted as salted:
            # Once made, a tenant's digest key never changes: the process keeps it.
            self._salts[tenant.slug] = salted.salt
        scrubbed = event._replace(payload=await self._as_stored(tenant, event.payload))
        return (await self.writer.store(scrubbed)).row_id  # type: ignore[union-attr]

    async def _as_stored(self, tenant: Tenant, payload: str) -> str:
        """The body to store: scrubbed when it names an erased customer (`core.customers.erasure`).

        On PostgreSQL a tenant not known to have erased customers is checked by the group commit
        (`InboxWriter.store(unless_salted=True)`), not by a read of each delivery's own.
        """
        if "cus_" not in payload:
            return payload
        salt = self._salts.get(tenant.slug)
        if salt is None and self.writer is not None:
            return payload
        try:
            async with self.runtime.sessions() as session:
                return await scrubbed_payload(session, tenant.slug, payload, salt)
        except (SQLAlchemyError, OSError):
            logger.exception("reading %s's erasures failed; the event is answered 503 (Stripe retries)", tenant.slug)
            raise ServiceUnavailable("The event could not be stored; try again.", code="inbox_unavailable") from None

    async def _store_alone(self, event: NewEvent) -> uuid.UUID | None:
        """One event in its own transaction, its task sent after the commit."""
        async with session_scope(self.runtime.sessions) as session:
            row_id = await InboxRepository(session=session, tenant_id=event.tenant_id).insert_new(event, clock.now())
            if row_id is not None and event.status == PENDING:
                self.runtime.jobs.enqueue(session, PROCESS_TASK, tenant=event.tenant_id, event_id=str(row_id))
            return row_id

    async def _verified(self, tenant: Tenant, body: bytes, signature: str | None) -> tuple[str, TenantSecrets]:
        """The body as text and the tenant's secrets, once a signature of this tenant's matches.

        Refreshes the secrets once when none matches (rotation). Each check's outcome is counted for the
        tenant (`SignatureWatch`: in memory, written behind the requests, never one write per request).
        """
        if not signature:
            raise BadRequest("The Stripe-Signature header is missing.", code="missing_signature")
        try:
            payload = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The body is not UTF-8 text.", code="invalid_event") from None
        tolerance = self.runtime.config.inbox.tolerance_seconds
        known = await self.runtime.secrets.get(tenant)
        if signature_matches(payload, signature, known.stripe_webhook_secrets, tolerance):
            self.signatures.passed(tenant.slug)
            return payload, known
        # The tenant may have rolled its secret since we cached it: read the secrets once more.
        refreshed = await self.runtime.secrets.get(tenant, refresh=True)
        rolled = refreshed.stripe_webhook_secrets != known.stripe_webhook_secrets
        if rolled and signature_matches(payload, signature, refreshed.stripe_webhook_secrets, tolerance):
            self.signatures.passed(tenant.slug)
            return payload, refreshed
        self.signatures.failed(tenant.slug)
        raise BadRequest(
            "The Stripe-Signature does not match this tenant's webhook secrets, "
            f"or its time is more than {tolerance} s before or after now.",
            code="invalid_signature",
        )


def new_event(
    kernel: Kernel, tenant: Tenant, envelope: StripeEventEnvelope, payload: str, *, live_key: bool
) -> NewEvent:
    """A verified event as the inbox stores it: `pending` for its handlers, or `ignored` (and why)."""
    routing = route(kernel, tenant, envelope.type, livemode=envelope.livemode, live_key=live_key)
    return NewEvent(
        tenant_id=tenant.slug,
        stripe_event_id=envelope.id,
        event_type=envelope.type,
        object_id=envelope.data.object.id,
        event_created=envelope.created,
        payload=payload,
        status=PENDING if routing.handlers else IGNORED,
        last_error=routing.ignored_because,
    )


async def store_fetched(
    kernel: Kernel, session: AsyncSession, tenant: Tenant, event: Mapping[str, Any], *, source: str = BACKFILL
) -> uuid.UUID | None:
    """Store an event read from Stripe's API (`GET /v1/events`) as a delivery of it would be stored: same
    dedupe key (tenant, event id), same routing; its processing task is sent once the caller commits.

    None when the inbox already has it. The event came over the tenant's authenticated API connection,
    so it needs no signature; the caller has already checked it belongs to the tenant's account.
    """
    payload = await scrubbed_payload(session, tenant.slug, msgspec.json.encode(event).decode())
    envelope = msgspec.json.decode(payload, type=StripeEventEnvelope)
    secrets = await kernel.secrets.get(tenant)
    stored = new_event(kernel, tenant, envelope, payload, live_key=secrets.livemode)
    row_id = await InboxRepository(session=session, tenant_id=tenant.slug).insert_new(
        stored, clock.now(), source=source
    )
    if row_id is not None and stored.status == PENDING:
        kernel.jobs.enqueue(session, PROCESS_TASK, tenant=tenant.slug, event_id=str(row_id))
    return row_id


class WebhookEventService(LeasedService[WebhookEvent]):
    """Operators' view of one tenant's inbox: list, read (by our id or Stripe's `evt_...`), replay."""

    repository_type = InboxRepository
    task_name = PROCESS_TASK
    id_kwarg = "event_id"
    noun = "webhook_event"

    async def page(
        self,
        page: PageRequest,
        show: Callable[[WebhookEvent], T],
        *,
        status: str | None,
        event_type: str | None,
        source: str | None = None,
    ) -> Page[T]:
        """A page of events, newest first, of one source (`delivery`, `backfill`) when asked."""
        rows = await InboxRepository(session=self.session, tenant_id=self.tenant.slug).page(
            statuses=[status] if status else [],
            event_type=event_type,
            source=source,
            before=page.position(self.noun, uuid_position),
            limit=page.fetch,
        )
        return page.page(rows, self.noun, lambda row: row.id, (show(row) for row in rows[: page.limit]))

    async def find(self, ref: str) -> WebhookEvent | None:
        if ref.startswith("evt_"):
            return await InboxRepository(session=self.session, tenant_id=self.tenant.slug).by_stripe_id(ref)
        return await super().find(ref)

    async def replay(self, ref: str) -> WebhookEvent:
        """Process the event again, unless retention dropped its body: 409 `payload_pruned` (nothing to apply)."""
        row = await self.get(ref)
        _refuse_pruned(row)
        try:
            return await super().replay(ref)
        except Conflict:
            await self.session.refresh(row)
            _refuse_pruned(row)  # pruned between the read and the reopen
            raise


def _refuse_pruned(row: WebhookEvent) -> None:
    if row.payload_pruned_at is not None:
        raise Conflict(
            f"Stripe event {row.stripe_event_id}'s body was dropped on {row.payload_pruned_at:%Y-%m-%d} by the "
            "retention policy (docs/privacy.md#retention): there is nothing left to process again.",
            code="payload_pruned",
        )


class Outcome(NamedTuple):
    """What a batched first attempt did to one event: `taken` False when it was not at its first attempt."""

    taken: bool
    status: str | None = None
    # The handler's error when the event's first attempt failed (and its batch was rolled back).
    failure: Exception | None = None


# A batch that failed was rolled back whole: its other events are attempted again, each on its own.
_ALONE = Outcome(taken=False, status="alone")


# Deadlock, serialization failure (`is_conflict`): batches lock many rows, so two of them (in this process or
# in another worker) can wait on each other. Not the event's fault: each of the batch's events runs again alone.
# How often an event run alone goes again after a conflict before the conflict is its failed attempt.
ALONE_CONFLICT_RETRIES = 3


class _EventFailed(Exception):
    def __init__(self, event_id: uuid.UUID, cause: Exception) -> None:
        super().__init__(str(cause))
        self.event_id = event_id
        self.cause = cause


class _Rerouted(Exception):
    """An event the batch's statement settled by its type, which `route` sends elsewhere (its mode)."""

    def __init__(self, event_id: uuid.UUID) -> None:
        super().__init__(str(event_id))
        self.event_id = event_id


class InboxProcessor:
    """Applies one stored event: claim, run the handlers and settle in one transaction; or record the failure.

    An event's first attempt is one transaction from claim to settle: a worker that dies in it leaves
    the row as it was (pending), and the sweeper sends it again. Every later attempt (a retry, a
    replay, an event the sweeper re-sent) commits its claim first, so that a worker dying in the
    handlers still uses up an attempt: an event that kills its worker ends `dead`, never loops.

    On PostgreSQL first attempts are committed in groups (one processor per worker process): the
    events waiting are taken and settled by one UPDATE, their handlers run one event after the other
    in that transaction, and one COMMIT ends it. A batch whose handlers fail is rolled back whole and
    each of its events is attempted again in a transaction of its own, where a failure is recorded
    as on the general path. Any other attempt, and every attempt on SQLite, takes the general path.
    """

    def __init__(self, runtime: Kernel, *, max_batch: int = 64, flushes: int = 2) -> None:
        self.runtime = runtime
        self.policy = runtime.config.inbox
        self.on_driver = runtime.engine.dialect.name == "postgresql"
        # Tenant -> its handlers by event type (JSON), as the first-attempt statement reads them.
        self._handlers_by_type: dict[str, str] = {}
        # `flushes`: batches in flight at once; while one waits on the database, the other runs its handlers.
        self._batches: GroupCommit[tuple[Tenant, uuid.UUID], Outcome] = GroupCommit(
            self._first_attempts, max_batch=max_batch, flushes=flushes
        )

    async def process(self, tenant_slug: str, event_id: uuid.UUID) -> str | None:
        """One attempt; returns the row's new status, or None when there was nothing to do (safe to repeat)."""
        tenant = self.runtime.tenants.get(tenant_slug)
        if self.on_driver:
            outcome = await self._first_attempt(tenant, event_id)
            if outcome is _ALONE:
                outcome = await self._first_attempt_alone(tenant, event_id)
            if outcome.failure is not None:
                return await self._first_attempt_failed(tenant, event_id, outcome.failure)
            if outcome.taken:
                return outcome.status
        async with pinned_session(self.runtime.engine, self.runtime.sessions) as session:
            repo = InboxRepository(session=session, tenant_id=tenant.slug)
            claim = await self._claim(repo, event_id)
            if claim is None:
                await rollback(session)
                return None
            # Never attempted, never re-sent: ingest wrote both times at once.
            first = claim.attempts == 1 and claim.row.next_attempt_at == claim.row.created_at
            if not first:
                await commit(session)
            try:
                status = await self._apply(session, repo, tenant, event_id, claim)
                await commit(session)
            except Exception as exc:  # every failure of an attempt is recorded on the row and retried
                await rollback(session)
                if first:
                    # The claim was rolled back with the handlers' writes: take it again, to count the attempt.
                    return await self._claim_and_fail(session, repo, tenant, event_id, exc)
                return await self._record_failure(session, repo, tenant, event_id, claim=claim, exc=exc)
            return status

    async def _first_attempt(self, tenant: Tenant, event_id: uuid.UUID) -> Outcome:
        """Join the next batch of first attempts (PostgreSQL); returns once it is committed or rolled back."""
        return await self._batches.submit((tenant, event_id))

    async def _first_attempts(self, batch: list[tuple[Tenant, uuid.UUID]]) -> list[Outcome]:
        """One batch's outcomes. A batch that failed was rolled back whole: a failing handler's event
        records its failure, an event routed elsewhere than its type says takes the general path, and
        the others run again alone; any other error sends them all alone.

        Anything that stops the worker mid-batch (a cancellation, an exit) is no error of the batch:
        it reaches each of its tasks as it is, and nothing of the batch was committed.
        """
        try:
            return await self._apply_batch(batch)
        except _EventFailed as failed:
            if is_conflict(failed.cause):
                return [_ALONE] * len(batch)
            return self._one_left_out(batch, failed.event_id, Outcome(taken=False, failure=failed.cause))
        except _Rerouted as rerouted:
            return self._one_left_out(batch, rerouted.event_id, Outcome(taken=False))
        except Exception:
            return [_ALONE] * len(batch)

    async def _apply_batch(self, batch: list[tuple[Tenant, uuid.UUID]]) -> list[Outcome]:
        """Take, settle and apply the batch's first attempts in one transaction; raises if any handler does."""
        taken: dict[uuid.UUID, Any] = {}
        by_tenant: dict[str, list[uuid.UUID]] = {}
        key_modes: dict[str, bool | None] = {}
        for tenant, event_id in batch:
            by_tenant.setdefault(tenant.slug, []).append(event_id)
            if tenant.slug not in key_modes:
                key_modes[tenant.slug] = await self._key_mode(tenant)
        async with driver_transaction(self.runtime.engine, self.runtime.sessions) as transaction:
            now = clock.now()
            for slug, event_ids in by_tenant.items():
                repo = InboxRepository(session=transaction.session, tenant_id=slug)
                handlers_by_type = self._handlers_json(self.runtime.tenants.get(slug))
                rows = await repo.settle_first_attempts(
                    event_ids, handlers_by_type, now, max_attempts=self.policy.max_attempts
                )
                taken.update((row["id"], row) for row in rows)
            outcomes = []
            for tenant, event_id in batch:
                # A task sent twice is in the batch twice: the first copy applies it, the other finds it settled.
                row = taken.pop(event_id, None)
                if row is None:
                    outcomes.append(Outcome(taken=False))
                    continue
                event = msgspec.json.decode(row["payload"])
                key_mode = key_modes[tenant.slug]
                # Unknown key mode (secrets unreadable): the event's mode stays as ingest checked it.
                livemode = None if key_mode is None else event.get("livemode")
                routing = route(self.runtime, tenant, row["event_type"], livemode=livemode, live_key=bool(key_mode))
                if routing.ignored_because is not None:
                    # Ingest stored it pending for the tenant's mode then: the tenant's key has changed mode since.
                    raise _Rerouted(event_id)
                try:
                    await self._dispatch(transaction.session, tenant, event, routing.handlers)
                    await transaction.session.flush()
                except Exception as exc:
                    raise _EventFailed(event_id, exc) from exc
                after_commit(
                    transaction.session,
                    metrics.event_settled(tenant.slug, row["event_type"], row["status"], row["created_at"]),
                )
                outcomes.append(Outcome(taken=True, status=row["status"]))
            await transaction.commit()
        return outcomes

    @staticmethod
    def _one_left_out(batch: list[tuple[Tenant, uuid.UUID]], left_out: uuid.UUID, outcome: Outcome) -> list[Outcome]:
        """The batch rolled back for `left_out`'s sake: it ends as `outcome` says; the others run again alone."""
        outcomes = []
        answered = False
        for _, event_id in batch:
            if event_id != left_out:
                outcomes.append(_ALONE)
            elif not answered:
                answered = True
                outcomes.append(outcome)
            else:
                outcomes.append(Outcome(taken=False))  # a second copy of the task: the general path finds it settled
        return outcomes

    async def _first_attempt_alone(self, tenant: Tenant, event_id: uuid.UUID) -> Outcome:
        """One first attempt in a transaction of its own (its batch was rolled back for another event's sake).

        Alone, it can still deadlock with another worker's batch: that is no failure of the event either,
        so it runs again (a few times, a moment apart) before a conflict counts as its failed attempt.
        """
        conflicts = 0
        while True:
            try:
                (outcome,) = await self._apply_batch([(tenant, event_id)])
            except _EventFailed as failed:
                if is_conflict(failed.cause) and conflicts < ALONE_CONFLICT_RETRIES:
                    conflicts += 1
                    await asyncio.sleep(random.uniform(0, 0.05 * conflicts))  # noqa: S311 - jitter, not a secret
                    continue
                return Outcome(taken=False, failure=failed.cause)
            except _Rerouted:
                return Outcome(taken=False)
            return outcome

    async def _first_attempt_failed(self, tenant: Tenant, event_id: uuid.UUID, failure: Exception) -> str | None:
        # The claim was rolled back with the handlers' writes: take it again, to count the attempt.
        async with pinned_session(self.runtime.engine, self.runtime.sessions) as session:
            repo = InboxRepository(session=session, tenant_id=tenant.slug)
            return await self._claim_and_fail(session, repo, tenant, event_id, failure)

    def _handlers_json(self, tenant: Tenant) -> str:
        handlers = self._handlers_by_type.get(tenant.slug)
        if handlers is None:
            handlers = msgspec.json.encode(routes_by_type(self.runtime, tenant)).decode()
            self._handlers_by_type[tenant.slug] = handlers
        return handlers

    async def _key_mode(self, tenant: Tenant) -> bool | None:
        """Whether the tenant's Stripe key is live, for `route`; None while its secrets cannot be read.

        A first attempt need not wait for them: ingest checked the event's mode when it stored it
        pending, so processing goes on through an outage of the secrets backend.
        """
        try:
            return (await self.runtime.secrets.get(tenant)).livemode
        except SecretsUnavailable:
            return None

    async def _claim(self, repo: InboxRepository, event_id: uuid.UUID) -> Claim | None:
        return await repo.claim(
            event_id,
            lease_seconds=self.policy.lease_seconds,
            max_attempts=self.policy.max_attempts,
            returning=("event_type", "payload", "next_attempt_at", "created_at"),
        )

    async def _apply(
        self, session: AsyncSession, repo: InboxRepository, tenant: Tenant, event_id: uuid.UUID, claim: Claim
    ) -> str | None:
        event = msgspec.json.decode(claim.row.payload)
        # Routed again, as a replay may reopen an event ingest ignored for its mode.
        live_key = (await self.runtime.secrets.get(tenant)).livemode
        routing = route(self.runtime, tenant, claim.row.event_type, livemode=event.get("livemode"), live_key=live_key)
        status: WebhookEventStatus = PROCESSED if routing.handlers else IGNORED
        # Settling first locks the row for the rest of the transaction (no other claim can succeed
        # meanwhile) and proves the lease is still ours; a failing handler rolls it back with the rest.
        settled = await repo.settle(
            event_id,
            claim,
            status,
            processed_at=clock.now(),
            handlers=[p for p, _ in routing.handlers],
            last_error=routing.ignored_because,
        )
        if not settled:
            return None  # the lease ran out and another worker took the event
        await self._dispatch(session, tenant, event, routing.handlers)
        after_commit(session, metrics.event_settled(tenant.slug, claim.row.event_type, status, claim.row.created_at))
        return status

    async def _dispatch(
        self, session: AsyncSession, tenant: Tenant, event: Mapping[str, Any], handlers: list[tuple[str, EventHandler]]
    ) -> None:
        ctx = EventContext(tenant=tenant, event=event, session=session, runtime=self.runtime)
        logs.bind(tenant=tenant.slug, stripe_event_id=ctx.event.get("id"), event_type=ctx.type)
        # Finish well inside the lease, so no other worker takes the event while this one still runs.
        async with asyncio.timeout(self.policy.lease_seconds / 2):
            await dispatch(ctx, handlers)

    async def _claim_and_fail(
        self, session: AsyncSession, repo: InboxRepository, tenant: Tenant, event_id: uuid.UUID, exc: Exception
    ) -> str | None:
        """Record a failed first attempt, whose claim was rolled back with the handlers' writes."""
        claim = await self._claim(repo, event_id)
        if claim is None:
            await rollback(session)
            return None  # another worker took the event meanwhile
        return await self._record_failure(session, repo, tenant, event_id, claim=claim, exc=exc)

    async def _record_failure(
        self,
        session: AsyncSession,
        repo: InboxRepository,
        tenant: Tenant,
        event_id: uuid.UUID,
        *,
        claim: Claim,
        exc: Exception,
    ) -> str | None:
        error = describe_error(exc)
        status = await repo.fail(event_id, claim, error, max_attempts=self.policy.max_attempts, policy=self.policy)
        await commit(session)
        metrics.event_failed(tenant.slug, claim.row.event_type, status)
        # The row keeps one line; the traceback is for operators, in the log.
        log = logger.error if status == DEAD else logger.warning
        log(
            "event %s of %s: attempt %d failed (%s): %s",
            event_id,
            tenant.slug,
            claim.attempts,
            status,
            error,
            exc_info=exc,
        )
        return status
