"""HTTP routes of the inbox: Stripe's `POST /t/{tenant}/webhooks/stripe`, and the operators' admin routes.

The ingest route sits outside `/t/{tenant}/v1` and has no API-key guard: the Stripe signature is the
authentication. The admin routes (`/t/{tenant}/v1/admin/webhook-events`) need an admin key.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, QueryParameter

from core.deps import CurrentTenant, DbSession, RuntimeDep
from core.inbox import schemas
from core.inbox.models import WebhookEvent
from core.inbox.services import InboxService, WebhookEventService
from core.retries import FAILED, PENDING

INGEST_PATH = "/t/{tenant_slug:str}/webhooks/stripe"


@post(
    INGEST_PATH,
    status_code=200,
    tags=["webhooks"],
    summary="Receive a Stripe event for this tenant",
    description="Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.",
    security=[],
)
async def receive_stripe_event(
    request: Request[Any, Any, Any],
    tenant_slug: FromPath[str],
    stripe_signature: Annotated[str | None, HeaderParameter(name="stripe-signature")] = None,
) -> schemas.Receipt:
    # The process's inbox comes off the app state, not as a dependency (each one Litestar resolves
    # costs the hottest route measurably), and there is no database session: the inbox stores
    # events in batches, on its own connections.
    inbox: InboxService = request.app.state.inbox
    return await inbox.receive(tenant_slug, await request.body(), stripe_signature)


def to_schema(row: WebhookEvent) -> schemas.WebhookEvent:
    return schemas.WebhookEvent(**_fields(row))


def _fields(row: WebhookEvent) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "stripe_event_id": row.stripe_event_id,
        "type": row.event_type,
        "status": row.status,
        "attempts": row.attempts,
        "object_id": row.object_id,
        "event_created": dt.datetime.fromtimestamp(row.event_created, dt.UTC),
        "received_at": row.created_at,
        "next_attempt_at": row.next_attempt_at if row.status in (PENDING, FAILED) else None,
        "processed_at": row.processed_at,
        "handlers": list(row.handlers or []),
        "last_error": row.last_error,
    }


class WebhookEventController(Controller):
    path = "/admin/webhook-events"
    tags = ["webhooks"]

    @get("/", opt={"admin": True}, summary="List this tenant's Stripe events, newest first")
    async def list_events(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        status: FromQuery[schemas.WebhookEventStatus | None] = None,
        event_type: Annotated[str | None, QueryParameter(name="type")] = None,
        before: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.WebhookEventPage:
        rows, cursor = await WebhookEventService(db_session, tenant, runtime.jobs).page(
            status=status, event_type=event_type, before=before, limit=limit
        )
        return schemas.WebhookEventPage(items=[to_schema(r) for r in rows], next_cursor=cursor)

    @get("/{event_id:str}", opt={"admin": True}, summary="Read one event (our id or Stripe's evt_...)")
    async def read_event(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, event_id: FromPath[str]
    ) -> schemas.WebhookEventDetail:
        row = await WebhookEventService(db_session, tenant, runtime.jobs).get(event_id)
        return schemas.WebhookEventDetail(**_fields(row), payload=msgspec.json.decode(row.payload))

    @post("/{event_id:str}/replay", opt={"admin": True}, status_code=202, summary="Process an event again")
    async def replay_event(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, event_id: FromPath[str]
    ) -> schemas.WebhookEvent:
        return to_schema(await WebhookEventService(db_session, tenant, runtime.jobs).replay(event_id))
