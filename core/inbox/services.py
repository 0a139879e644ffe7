"""Rules of the inbox: verify and store a Stripe delivery, process a stored event once, let operators replay.

Ingest answers as soon as the event is stored (the task is sent after commit); processing claims the
row for a lease, applies every enabled plugin's handler in one transaction and settles the row, or
records the failure for a retry after backoff, `dead` after the last attempt.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.db import commit, pinned_session, rollback, session_scope
from core.errors import BadRequest
from core.inbox.context import EventContext
from core.inbox.dispatch import dispatch, handlers_for
from core.inbox.models import IGNORED, PROCESSED, WebhookEvent
from core.inbox.repository import InboxRepository, NewEvent
from core.inbox.schemas import Receipt, StripeEventEnvelope, WebhookEventStatus
from core.inbox.signature import signature_matches
from core.inbox.writer import InboxWriter
from core.retries import DEAD, PENDING, Claim, LeasedService, describe_error
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime

logger = logging.getLogger("tollgate.inbox")

PROCESS_TASK = "inbox.process_event"
SWEEP_TASK = "inbox.sweep"


class InboxService:
    """Stripe's deliveries, for every tenant of the process: verify, store once, hand to a worker.

    On PostgreSQL the events are stored by the process's group commit (`InboxWriter`); on SQLite
    (the embedded default) each request stores its own in a session.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.writer: InboxWriter | None = None
        if runtime.engine.dialect.name == "postgresql":
            self.writer = InboxWriter(runtime.engine, runtime.jobs, PROCESS_TASK)

    async def receive(self, tenant_slug: str, body: bytes, signature: str | None) -> Receipt:
        """Verify the delivery and store it; a duplicate is acknowledged and otherwise ignored."""
        tenant = self.runtime.tenants.get(tenant_slug)
        payload = await self._verified(tenant, body, signature)
        try:
            envelope = msgspec.json.decode(body, type=StripeEventEnvelope)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"The body is not a Stripe event: {exc}", code="invalid_event") from None
        handlers = handlers_for(self.runtime, tenant, envelope.type)
        status: WebhookEventStatus = PENDING if handlers else IGNORED
        event = NewEvent(
            tenant_id=tenant.slug,
            stripe_event_id=envelope.id,
            event_type=envelope.type,
            object_id=envelope.data.object.id,
            event_created=envelope.created,
            payload=payload,
            status=status,
        )
        if self.writer is not None:
            row_id = (await self.writer.store(event)).row_id
        else:
            row_id = await self._store_alone(event)
        if row_id is None:
            return Receipt(received=True, duplicate=True)
        return Receipt(received=True, duplicate=False, id=str(row_id), status=status)

    async def close(self) -> None:
        if self.writer is not None:
            await self.writer.close()

    async def _store_alone(self, event: NewEvent) -> uuid.UUID | None:
        """One event in its own transaction, its task sent after the commit."""
        async with session_scope(self.runtime.sessions) as session:
            row_id = await InboxRepository(session=session, tenant_id=event.tenant_id).insert_new(event, clock.now())
            if row_id is not None and event.status == PENDING:
                self.runtime.jobs.enqueue(session, PROCESS_TASK, tenant=event.tenant_id, event_id=str(row_id))
            return row_id

    async def _verified(self, tenant: Tenant, body: bytes, signature: str | None) -> str:
        """The body as text once a signature of this tenant's matches; refreshes the secrets once (rotation)."""
        if not signature:
            raise BadRequest("The Stripe-Signature header is missing.", code="missing_signature")
        try:
            payload = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The body is not UTF-8 text.", code="invalid_event") from None
        tolerance = self.runtime.config.inbox.tolerance_seconds
        known = (await self.runtime.secrets.get(tenant)).stripe_webhook_secrets
        if signature_matches(payload, signature, known, tolerance):
            return payload
        # The tenant may have rolled its secret since we cached it: read the secrets once more.
        refreshed = (await self.runtime.secrets.get(tenant, refresh=True)).stripe_webhook_secrets
        if refreshed != known and signature_matches(payload, signature, refreshed, tolerance):
            return payload
        raise BadRequest(
            f"The Stripe-Signature does not match this tenant's webhook secrets, or is older than {tolerance} s.",
            code="invalid_signature",
        )


class WebhookEventService(LeasedService[WebhookEvent]):
    """Operators' view of one tenant's inbox: list, read (by our id or Stripe's `evt_...`), replay."""

    repository_type = InboxRepository
    task_name = PROCESS_TASK
    id_kwarg = "event_id"
    noun = "webhook_event"

    async def find(self, ref: str) -> WebhookEvent | None:
        if ref.startswith("evt_"):
            return await InboxRepository(session=self.session, tenant_id=self.tenant.slug).by_stripe_id(ref)
        return await super().find(ref)


class InboxProcessor:
    """Applies one stored event: claim, run the handlers and settle in one transaction; or record the failure.

    An event's first attempt is one transaction from claim to settle: a worker that dies in it leaves
    the row as it was (pending), and the sweeper sends it again. Every later attempt (a retry, a
    replay, an event the sweeper re-sent) commits its claim first, so that a worker dying in the
    handlers still uses up an attempt: an event that kills its worker ends `dead`, never loops.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.policy = runtime.config.inbox

    async def process(self, tenant_slug: str, event_id: uuid.UUID) -> str | None:
        """One attempt; returns the row's new status, or None when there was nothing to do (safe to repeat)."""
        tenant = self.runtime.tenants.get(tenant_slug)
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
                    claim = await self._claim(repo, event_id)
                    if claim is None:
                        await rollback(session)
                        return None  # another worker took the event meanwhile
                return await self._record_failure(session, repo, tenant, event_id, claim=claim, exc=exc)
            return status

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
        handlers = handlers_for(self.runtime, tenant, claim.row.event_type)
        status: WebhookEventStatus = PROCESSED if handlers else IGNORED
        # Settling first locks the row for the rest of the transaction (no other claim can succeed
        # meanwhile) and proves the lease is still ours; a failing handler rolls it back with the rest.
        settled = await repo.settle(
            event_id, claim, status, processed_at=clock.now(), handlers=[p for p, _ in handlers], last_error=None
        )
        if not settled:
            return None  # the lease ran out and another worker took the event
        event = msgspec.json.decode(claim.row.payload)
        ctx = EventContext(tenant=tenant, event=event, session=session, runtime=self.runtime)
        # Finish well inside the lease, so no other worker takes the event while this one still runs.
        async with asyncio.timeout(self.policy.lease_seconds / 2):
            await dispatch(ctx, handlers)
        return status

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
        status = await repo.fail(
            event_id, claim, describe_error(exc), max_attempts=self.policy.max_attempts, policy=self.policy
        )
        await commit(session)
        log = logger.error if status == DEAD else logger.warning
        log("event %s of %s: attempt %d failed (%s): %s", event_id, tenant.slug, claim.attempts, status, exc)
        return status
