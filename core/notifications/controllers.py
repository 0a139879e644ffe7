"""Admin routes for the outbox: `GET /t/{tenant}/v1/admin/notifications`, `GET .../{id}`, `POST .../{id}/replay`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, QueryParameter

from core.access import ADMIN, access
from core.deps import CurrentTenant, DbSession, RuntimeDep
from core.notifications import schemas
from core.notifications.models import Notification
from core.notifications.services import NotificationService
from core.retries import FAILED, PENDING, error_line


def to_schema(row: Notification) -> schemas.Notification:
    return schemas.Notification(
        id=str(row.id),
        type=row.event_type,
        status=row.status,  # type: ignore[arg-type]
        attempts=row.attempts,
        data=row.data,
        dedupe_key=row.dedupe_key,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at if row.status in (PENDING, FAILED) else None,
        delivered_at=row.delivered_at,
        last_status_code=row.last_status_code,
        last_error=error_line(row.last_error) if row.last_error else None,
    )


class NotificationController(Controller):
    path = "/admin/notifications"
    tags = ["notifications"]

    @get("/", summary="List notifications to the tenant app, newest first", **access(ADMIN))
    async def list_notifications(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        status: FromQuery[schemas.NotificationStatus | None] = None,
        event_type: Annotated[str | None, QueryParameter(name="type")] = None,
        before: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.NotificationPage:
        rows, cursor = await NotificationService(db_session, tenant, runtime.jobs).page(
            status=status, event_type=event_type, before=before, limit=limit
        )
        return schemas.NotificationPage(items=[to_schema(r) for r in rows], next_cursor=cursor)

    @get("/{notification_id:str}", summary="Read one notification", **access(ADMIN))
    async def read_notification(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, notification_id: FromPath[str]
    ) -> schemas.Notification:
        return to_schema(await NotificationService(db_session, tenant, runtime.jobs).get(notification_id))

    @post(
        "/{notification_id:str}/replay",
        status_code=202,
        summary="Send a notification again (dead or not)",
        **access(ADMIN),
    )
    async def replay_notification(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, notification_id: FromPath[str]
    ) -> schemas.Notification:
        return to_schema(await NotificationService(db_session, tenant, runtime.jobs).replay(notification_id))
