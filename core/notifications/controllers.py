"""The outbox's admin routes: `GET /admin/notifications`, `GET .../{notification_id}`, `POST .../replay`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from core.access import ADMIN, access
from core.deps import CurrentTenant, DbSession, RuntimeDep
from core.lists import Page, PageQuery
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

    @get(
        "/",
        operation_id="list_notifications",
        summary="List notifications to the tenant app, newest first",
        **access(ADMIN),
    )
    async def list_notifications(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        page: PageQuery,
        status: Annotated[
            schemas.NotificationStatus | None,
            QueryParameter(description="Only the notices in this status; none: every notice."),
        ] = None,
        event_type: Annotated[
            str | None, QueryParameter(name="type", description="Only the notices of this type (`credits.low`).")
        ] = None,
    ) -> Page[schemas.Notification]:
        return await NotificationService(db_session, tenant, runtime.jobs).page(
            page, to_schema, status=status, event_type=event_type
        )

    @get(
        "/{notification_id:str}",
        operation_id="get_notification",
        summary="Read one notification",
        **access(ADMIN, errors=("notification_not_found",)),
    )
    async def read_notification(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, notification_id: FromPath[str]
    ) -> schemas.Notification:
        return to_schema(await NotificationService(db_session, tenant, runtime.jobs).get(notification_id))

    @post(
        "/{notification_id:str}/replay",
        status_code=202,
        operation_id="replay_notification",
        summary="Send a notification again (dead or not)",
        **access(ADMIN, errors=("notification_not_found", "notification_in_progress")),
    )
    async def replay_notification(
        self, tenant: CurrentTenant, db_session: DbSession, runtime: RuntimeDep, notification_id: FromPath[str]
    ) -> schemas.Notification:
        return to_schema(await NotificationService(db_session, tenant, runtime.jobs).replay(notification_id))
