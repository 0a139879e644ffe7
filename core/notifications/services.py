"""Rules of the notifications outbox: what may be sent, how it is written, signed, delivered and retried."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from core import clock
from core.db import commit
from core.kernel import kernel_of
from core.notifications.models import DELIVERED, Notification
from core.notifications.repository import NotificationRepository
from core.notifications.types import checked_data
from core.retries import DEAD, Claim, LeasedService, describe_error
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.notifications")

DELIVER_TASK = "notifications.deliver"
SWEEP_TASK = "notifications.sweep"
USER_AGENT = "Tollgate-Notifications/1"
RESPONSE_EXCERPT = 500


async def notify(
    session: AsyncSession,
    tenant: Tenant,
    event_type: str,
    data: Mapping[str, Any],
    *,
    dedupe_key: str | None = None,
) -> None:
    """Write a notice to the tenant app in the caller's transaction; it is sent once that commits.

    `data` becomes the payload's `data` (datetimes and UUIDs turn into strings); it must match the
    type's declared Struct (`tollgate_notification_types`), or this raises `ValueError`. With a
    `dedupe_key`, a second notice with the same key for this tenant is dropped, so a cause that
    runs twice (a replayed webhook) notifies once. Tenants without `notifications.url` get none.
    """
    kernel = kernel_of(session)
    declared = kernel.notification_types.get(event_type)
    if declared is None:
        raise ValueError(
            f"unknown notification type {event_type!r}: register it with tollgate_notification_types; "
            f"known: {sorted(kernel.notification_types)}"
        )
    built = checked_data(event_type, declared, data)
    if not tenant.core.notifications.url:
        return
    repo = NotificationRepository(session=session, tenant_id=tenant.slug)
    row_id = await repo.insert_new(event_type, built, dedupe_key, clock.now())
    if row_id is not None:
        kernel.jobs.enqueue(session, DELIVER_TASK, tenant=tenant.slug, notification_id=str(row_id))


class NotificationService(LeasedService[Notification]):
    """Operators' view of one tenant's notifications: list, read, replay."""

    repository_type = NotificationRepository
    task_name = DELIVER_TASK
    id_kwarg = "notification_id"
    noun = "notification"


class Payload(msgspec.Struct):
    """The body a tenant app receives (the Standard Webhooks convention: type, timestamp, data)."""

    id: str
    type: str
    timestamp: dt.datetime
    tenant: str
    data: dict[str, Any]


class DeliveryFailed(Exception):
    """One delivery attempt did not reach a 2xx; the message (one line) is what operators read on the row."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def signed_request(payload: Payload, secret: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery, signed with the tenant's Standard Webhooks secret.

    `webhook-id` (the payload's id) stays the same across retries, so the app can drop a notice it
    already handled; `webhook-timestamp` is the time of this attempt.
    """
    body = msgspec.json.encode(payload)
    now = clock.now()
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": payload.id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(payload.id, now, body.decode()),
    }
    return body, headers


class NotificationDelivery:
    """Sends one notice per attempt: claim it, post it outside any transaction, record the outcome."""

    def __init__(self, runtime: Kernel) -> None:
        self.runtime = runtime
        self.policy = runtime.config.outbox

    async def deliver(self, tenant_slug: str, notification_id: uuid.UUID) -> str | None:
        """One attempt; returns the row's new status, or None when there was nothing to do."""
        tenant = self.runtime.tenants.get(tenant_slug)
        max_attempts = tenant.core.notifications.max_attempts
        async with self.runtime.sessions() as session:
            repo = NotificationRepository(session=session, tenant_id=tenant.slug)
            claim = await repo.claim(
                notification_id,
                lease_seconds=self.policy.lease_seconds,
                max_attempts=max_attempts,
                returning=("event_type", "created_at", "data"),
            )
            # Committed before the request goes out: the connection is back in the pool while the app answers.
            await commit(session)
            if claim is None:
                return None
            try:
                status_code = await self._post(tenant, notification_id, claim)
            except Exception as exc:  # every failure of an attempt is recorded on the row and retried
                status = await self._record_failure(
                    repo, tenant, notification_id, claim, exc, max_attempts=max_attempts
                )
            else:
                settled = await repo.settle(
                    notification_id,
                    claim,
                    DELIVERED,
                    delivered_at=clock.now(),
                    last_status_code=status_code,
                    last_error=None,
                )
                status = DELIVERED if settled else None
            await commit(session)
            return status

    async def _post(self, tenant: Tenant, notification_id: uuid.UUID, claim: Claim) -> int:
        url = tenant.core.notifications.url
        if not url:
            raise DeliveryFailed(f"tenants.{tenant.slug}.notifications.url is not set")
        secret = (await self.runtime.secrets.get(tenant)).notification_secret
        if not secret:
            raise DeliveryFailed(f"the secrets of tenant {tenant.slug!r} have no notification_secret")
        row = claim.row
        payload = Payload(
            id=str(notification_id), type=row.event_type, timestamp=row.created_at, tenant=tenant.slug, data=row.data
        )
        body, headers = signed_request(payload, secret)
        async with httpx.AsyncClient(timeout=self.policy.timeout_seconds) as http:
            response = await http.post(url, content=body, headers=headers)
        if not response.is_success:
            # On one line: the row keeps the first line of an error only.
            excerpt = " ".join(response.text[:RESPONSE_EXCERPT].split())
            raise DeliveryFailed(f"HTTP {response.status_code} from {url}: {excerpt}", response.status_code)
        return response.status_code

    async def _record_failure(
        self,
        repo: NotificationRepository,
        tenant: Tenant,
        notification_id: uuid.UUID,
        claim: Claim,
        exc: Exception,
        *,
        max_attempts: int,
    ) -> str | None:
        error = describe_error(exc)
        status_code = exc.status_code if isinstance(exc, DeliveryFailed) else None
        status = await repo.fail(
            notification_id, claim, error, max_attempts=max_attempts, policy=self.policy, last_status_code=status_code
        )
        # The row keeps one line; the traceback is for operators, in the log.
        log = logger.error if status == DEAD else logger.warning
        log(
            "notification %s of %s: attempt %d failed (%s): %s",
            notification_id,
            tenant.slug,
            claim.attempts,
            status,
            error,
            exc_info=exc,
        )
        return status
