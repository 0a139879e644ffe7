"""The tenant's webhook endpoint in its own Stripe account, as `tollgate stripe connect` sets it up: at
`<server.public_url>/t/<slug>/webhooks/stripe`, subscribed to exactly the event types that the kernel's
and the tenant's plugins' handlers apply, its signing secret kept in the tenant's secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from core.inbox.dispatch import routes_by_type

if TYPE_CHECKING:
    import stripe

    from core.kernel import Kernel
    from tenants.registry import Tenant


def webhook_url(public_url: str, slug: str) -> str:
    """Where the tenant's Stripe account posts its events."""
    return f"{public_url.rstrip('/')}/t/{slug}/webhooks/stripe"


def event_types(kernel: Kernel, tenant: Tenant) -> list[str]:
    """The Stripe event types some handler applies for `tenant` (the kernel's and its plugins'), sorted."""
    return sorted(routes_by_type(kernel, tenant))


class Endpoint(msgspec.Struct, frozen=True):
    """The tenant's webhook endpoint after `connect_endpoint`; `secret` only when Stripe just made it."""

    id: str
    url: str
    enabled_events: list[str]
    outcome: Literal["created", "recreated", "updated", "unchanged"]
    secret: str | None = None
    # Other endpoints posting to the same URL, deleted: their secrets are unknown, their deliveries refused.
    removed: int = 0


async def connect_endpoint(
    client: stripe.StripeClient, url: str, events: Sequence[str], *, known_id: str | None, has_secret: bool
) -> Endpoint:
    """Create the endpoint posting `events` to `url`, or update the one Tollgate holds the secret of.

    Stripe shows an endpoint's signing secret only when it creates it, so an endpoint at `url` that is
    not `known_id`, or whose secret Tollgate does not hold, is deleted and made again.
    """
    wanted = sorted(events)
    listed = await client.v1.webhook_endpoints.list_async({"limit": 100})
    same_url = [endpoint async for endpoint in listed.auto_paging_iter() if endpoint.url == url]
    kept = next((e for e in same_url if e.id == known_id), None) if has_secret else None
    removed = 0
    for endpoint in same_url:
        if endpoint is not kept:
            await client.v1.webhook_endpoints.delete_async(endpoint.id)
            removed += 1
    # The SDK types `enabled_events` as a list of the event names it knows; ours come from the handlers.
    if kept is None:
        created: Any = {"url": url, "enabled_events": wanted, "description": "Tollgate"}
        made = await client.v1.webhook_endpoints.create_async(created)
        outcome: Literal["created", "recreated"] = "recreated" if removed else "created"
        return Endpoint(made.id, url, wanted, outcome, made.secret, max(0, removed - 1))
    if sorted(kept.enabled_events) == wanted and kept.status == "enabled":
        return Endpoint(kept.id, url, wanted, "unchanged", removed=removed)
    updated: Any = {"enabled_events": wanted, "disabled": False}
    await client.v1.webhook_endpoints.update_async(kept.id, updated)
    return Endpoint(kept.id, url, wanted, "updated", removed=removed)
