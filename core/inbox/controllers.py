"""HTTP routes of the inbox: Stripe's `POST /t/{tenant}/webhooks/stripe`, and the operators' admin routes.

The ingest route sits outside `/t/{tenant}/v1` and has no API-key guard: the Stripe signature is the
authentication. The admin routes (`/t/{tenant}/v1/admin/webhook-events`, `/t/{tenant}/v1/admin/stripe/backfill`) need an
admin key.

Every Stripe event of every tenant arrives through ingest, so the deployment's tenants are served by
a bare ASGI route (`stripe_ingest`): Litestar's request and response machinery (the request object,
parameter parsing, the response object) cost about 90 µs a request there, as much as verifying and
storing the event. The typed route (`receive_stripe_event`) answers the same way for any other slug
(404 `tenant_not_found`) and documents the route in the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, cast

import msgspec
from litestar import Controller, Request, asgi, get, post
from litestar.enums import ScopeType
from litestar.exceptions import MethodNotAllowedException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import ASGIRouteHandler
from litestar.params import FromPath, HeaderParameter, QueryParameter
from litestar.types import HTTPReceiveMessage, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from core.access import ADMIN, ERRORS_KEY, access
from core.deps import CurrentTenant, DbSession, KernelDep, RuntimeDep
from core.inbox import schemas
from core.inbox.backfill import ADMIN as ADMIN_TRIGGER
from core.inbox.backfill import backfill, run_schema, status_of
from core.inbox.models import WebhookEvent
from core.inbox.services import InboxService, WebhookEventService
from core.lists import Page, PageQuery
from core.retries import FAILED, PENDING, error_line

INGEST_PATH = "/t/{tenant_slug:str}/webhooks/stripe"
# Stripe's events are far smaller; this only keeps a hostile sender from filling memory.
MAX_EVENT_BYTES = 1_000_000
_JSON_HEADERS = [(b"content-type", b"application/json")]
# `POST /admin/stripe/backfill` reads at most this many pages while the request waits.
DEFAULT_PAGES = 20
MAX_PAGES = 100


@post(
    INGEST_PATH,
    status_code=200,
    tags=["webhooks"],
    operation_id="receive_stripe_event",
    summary="Receive a Stripe event for this tenant",
    description="Verified with the tenant's webhook secrets, stored once, processed by a worker after the answer.",
    security=[],
    # No access(): the signature authenticates; what the route refuses is declared all the same.
    opt={
        ERRORS_KEY: (
            "missing_signature",
            "invalid_signature",
            "invalid_event",
            "tenant_not_found",
            "payload_too_large",
            "inbox_unavailable",
            "secrets_unavailable",
            "database_unavailable",
            "shutting_down",
        )
    },
)
async def receive_stripe_event(
    request: Request[Any, Any, Any],
    tenant_slug: FromPath[str],
    stripe_signature: Annotated[
        str | None,
        HeaderParameter(
            name="stripe-signature",
            description="Stripe's signature of the body (`t=...,v1=...`) with one of the tenant's webhook secrets.",
        ),
    ] = None,
) -> schemas.Receipt:
    # The process's inbox comes off the app state, not as a dependency (each one Litestar resolves
    # costs the hottest route measurably), and there is no database session: the inbox stores
    # events in batches, on its own connections.
    inbox: InboxService = request.app.state.inbox
    return await inbox.receive(tenant_slug, await request.body(), stripe_signature)


def stripe_ingest(tenant_slugs: Sequence[str]) -> ASGIRouteHandler:
    """`POST /t/<slug>/webhooks/stripe` for each of these tenants, as a bare ASGI route.

    One static path per tenant: Litestar 2 cannot route an ASGI handler whose path has parameters
    (its router looks the parameters up under the method, a KeyError), and a static path is its
    quickest lookup. Errors are raised as usual and rendered by the app's exception handlers.
    """

    # copy_scope=False: the handler reads the scope and changes nothing in it.
    @asgi(path=[f"/t/{slug}/webhooks/stripe" for slug in tenant_slugs], copy_scope=False)
    async def stripe_ingest_route(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "POST":
            raise MethodNotAllowedException(headers={"allow": "POST"})
        signature = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"stripe-signature"), None)
        inbox: InboxService = scope["app"].state.inbox
        receipt = await inbox.receive(scope["path"].split("/")[2], await _body(receive), signature)
        answer = msgspec.json.encode(receipt)
        headers = [*_JSON_HEADERS, (b"content-length", str(len(answer)).encode())]
        await send(HTTPResponseStartEvent(type="http.response.start", status=200, headers=headers))
        await send(HTTPResponseBodyEvent(type="http.response.body", body=answer, more_body=False))

    return stripe_ingest_route


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = cast("HTTPReceiveMessage", await receive())
        if message["type"] == "http.disconnect":
            raise ConnectionError("the client went away before sending the whole event")
        chunk = message["body"]
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            raise RequestEntityTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


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
        "last_error": error_line(row.last_error) if row.last_error else None,
        "source": row.source,
        "payload_pruned_at": row.payload_pruned_at,
    }


class WebhookEventController(Controller):
    path = "/admin/webhook-events"
    tags = ["webhooks"]

    @get(
        "/",
        operation_id="list_webhook_events",
        summary="List this tenant's Stripe events, newest first",
        **access(ADMIN),
    )
    async def list_events(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        page: PageQuery,
        status: Annotated[
            schemas.WebhookEventStatus | None,
            QueryParameter(description="Only the events in this status; none: every event."),
        ] = None,
        event_type: Annotated[
            str | None, QueryParameter(name="type", description="Only the events of this Stripe type (`invoice.paid`).")
        ] = None,
        source: Annotated[
            schemas.WebhookEventSource | None,
            QueryParameter(
                description="Only the events that came this way: `delivery` (posted by Stripe) or `backfill`."
            ),
        ] = None,
    ) -> Page[schemas.WebhookEvent]:
        return await WebhookEventService(db_session, tenant, runtime.jobs).page(
            page, to_schema, status=status, event_type=event_type, source=source
        )

    @get(
        "/{event_id:str}",
        operation_id="get_webhook_event",
        summary="Read one event (our id or Stripe's evt_...)",
        **access(ADMIN, errors=("webhook_event_not_found",)),
    )
    async def read_event(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, event_id: FromPath[str]
    ) -> schemas.WebhookEventDetail:
        row = await WebhookEventService(db_session, tenant, runtime.jobs).get(event_id)
        payload = None if row.payload_pruned_at is not None else msgspec.json.decode(row.payload)
        return schemas.WebhookEventDetail(**_fields(row), payload=payload)

    @post(
        "/{event_id:str}/replay",
        status_code=202,
        operation_id="replay_webhook_event",
        summary="Process an event again",
        **access(ADMIN, errors=("webhook_event_not_found", "webhook_event_in_progress", "payload_pruned")),
    )
    async def replay_event(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, event_id: FromPath[str]
    ) -> schemas.WebhookEvent:
        return to_schema(await WebhookEventService(db_session, tenant, runtime.jobs).replay(event_id))


class StripeBackfillController(Controller):
    """`/admin/stripe/backfill`: the tenant's Stripe event backfill, read or run at once (docs/webhooks.md#backfill)."""

    path = "/admin/stripe/backfill"
    tags = ["webhooks"]

    @get(
        "/",
        operation_id="get_stripe_backfill",
        summary="The Stripe event backfill of this tenant: watermark, last run, figures, warnings",
        description="Events stored by the backfill are deliveries Stripe never made: `events` shows them apart "
        "from the delivered ones.",
        **access(ADMIN),
    )
    async def read_backfill(
        self, tenant: CurrentTenant, db_session: DbSession, kernel: KernelDep
    ) -> schemas.StripeBackfillStatus:
        return await status_of(kernel, db_session, tenant)

    @post(
        "/",
        status_code=200,
        operation_id="run_stripe_backfill",
        summary="Read this tenant's Stripe events back now and store what the inbox lacks",
        description="Runs while the request waits, up to `max_pages` pages of Stripe's events (100 each): a run "
        "that stops there is `partial` and leaves the watermark (the schedule goes on from it). A run that "
        "fails is answered too, `failed` with its `error`.",
        **access(ADMIN, errors=("stripe_backfill_in_progress",)),
    )
    async def run_backfill(
        self,
        tenant: CurrentTenant,
        kernel: KernelDep,
        since: Annotated[
            dt.datetime | None,
            QueryParameter(
                description="Read the events created from then (RFC 3339) instead of from the watermark; Stripe "
                "keeps 30 days."
            ),
        ] = None,
        max_pages: Annotated[
            int, QueryParameter(ge=1, le=MAX_PAGES, description="Pages of Stripe's events to read at most.")
        ] = DEFAULT_PAGES,
    ) -> schemas.StripeBackfillRun:
        return run_schema(await backfill(kernel, tenant, trigger=ADMIN_TRIGGER, since=since, max_pages=max_pages))
