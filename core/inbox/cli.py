"""`tollgate webhooks list|replay`: operators' view of Stripe events that could not be applied."""

from __future__ import annotations

from core.dead_letters import leased_rows_commands, summary
from core.inbox.models import STATUSES
from core.inbox.services import WebhookEventService

webhooks = leased_rows_commands(
    "webhooks",
    "Stripe events in the inbox: list and replay (dead ones by default).",
    WebhookEventService,
    STATUSES,
    [
        ("id", lambda r: r.id),
        ("stripe event", lambda r: r.stripe_event_id),
        ("type", lambda r: r.event_type),
        ("attempts", lambda r: r.attempts),
        ("source", lambda r: r.source),
        ("received", lambda r: r.created_at.isoformat(timespec="seconds")),
        ("last error", lambda r: summary(r.last_error)),
    ],
)
