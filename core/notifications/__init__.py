"""Notifications to tenant apps: an outbox written with the change that causes it, delivered signed, retried.

Other domains call `notify(session, tenant, event_type, data, dedupe_key=...)` inside their own
transaction; a task posts each row to the tenant's `notifications.url`, signed with the Standard
Webhooks scheme. See docs/webhooks.md.
"""

from core.notifications.services import notify

__all__ = ["notify"]
