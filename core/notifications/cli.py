"""`tollgate notifications list|replay`: operators' view of notices to tenant apps that could not be delivered."""

from __future__ import annotations

from core.dead_letters import leased_rows_commands, summary
from core.notifications.models import STATUSES
from core.notifications.services import NotificationService

notifications = leased_rows_commands(
    "notifications",
    "Notifications to tenant apps: list and replay (dead ones by default).",
    NotificationService,
    STATUSES,
    [
        ("id", lambda r: r.id),
        ("type", lambda r: r.event_type),
        ("status", lambda r: r.status),
        ("attempts", lambda r: r.attempts),
        ("created", lambda r: r.created_at.isoformat(timespec="seconds")),
        ("last error", lambda r: summary(r.last_error)),
    ],
)
