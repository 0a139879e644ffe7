"""Queries on the inbox and on the per-object ordering watermarks, always within one tenant."""

from __future__ import annotations

import datetime as dt
import uuid

from uuid_utils.compat import uuid7

from core.db import TenantRepository, conflict_insert
from core.inbox.models import IGNORED, ObjectVersion, WebhookEvent
from core.retries import LeasedRepository


class InboxRepository(LeasedRepository[WebhookEvent]):
    model_type = WebhookEvent

    async def insert_new(
        self,
        *,
        stripe_event_id: str,
        event_type: str,
        object_id: str | None,
        event_created: int,
        payload: str,
        status: str,
        now: dt.datetime,
    ) -> uuid.UUID | None:
        """Store the event; None when this tenant already has it (Stripe delivered it again)."""
        values = {
            "id": uuid7(),
            "tenant_id": self.tenant_id,
            "stripe_event_id": stripe_event_id,
            "event_type": event_type,
            "object_id": object_id,
            "event_created": event_created,
            "payload": payload,
            "status": status,
            "attempts": 0,
            "next_attempt_at": now,
            "processed_at": now if status == IGNORED else None,
            "handlers": [],
            "created_at": now,
            "updated_at": now,
        }
        statement = conflict_insert(WebhookEvent.__table__, tuple(values), ("tenant_id", "stripe_event_id"))
        row_id: uuid.UUID | None = (await self._run(statement, values)).scalar_one_or_none()
        return row_id

    async def by_stripe_id(self, stripe_event_id: str) -> WebhookEvent | None:
        statement = self.select().where(WebhookEvent.stripe_event_id == stripe_event_id)
        return (await self.session.execute(statement)).scalar_one_or_none()


class ObjectVersionRepository(TenantRepository[ObjectVersion]):
    model_type = ObjectVersion

    async def latest(self, object_id: str) -> ObjectVersion | None:
        statement = self.select().where(ObjectVersion.object_id == object_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def advance(self, object_id: str, event_created: int, event_id: str, now: dt.datetime) -> bool:
        """Make this event the object's newest applied one, unless a newer one is; True when it now is.

        One statement (an upsert guarded by `created`), so two workers racing on one object cannot
        both win, and the row stays locked until the caller's transaction ends.
        """
        values = {
            "id": uuid7(),
            "tenant_id": self.tenant_id,
            "object_id": object_id,
            "event_created": event_created,
            "event_id": event_id,
            "created_at": now,
            "updated_at": now,
        }
        statement = conflict_insert(
            ObjectVersion.__table__,
            tuple(values),
            ("tenant_id", "object_id"),
            update=("event_created", "event_id", "updated_at"),
            only_if="stripe_object_versions.event_created <= excluded.event_created",
        )
        return (await self.session.execute(statement, values)).scalar_one_or_none() is not None
