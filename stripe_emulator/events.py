"""The events API: every state change an account saw, newest first, filterable by type.

Stripe keeps events for 30 days: `GET /v1/events` lists only events created in the last
30 days, and `GET /v1/events/{id}` answers an older one with the same 404
`resource_missing` as an id it never had. "Now" is the account clock, so advancing it
ages events out. Webhook delivery and the rest of the account keep them.
"""

from __future__ import annotations

import fnmatch

from .errors import invalid_request, resource_missing
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj

RETENTION_SECONDS = 30 * 24 * 3600


def retained(account: Account, event: JsonObj) -> bool:
    """Whether Stripe still serves `event`: created at most 30 days before the account's now."""
    return bool(event["created"] >= account.now() - RETENTION_SECONDS)


def get_event(account: Account, event_id: str | None) -> JsonObj:
    """The event, or Stripe's 404 when it never existed or is older than 30 days."""
    event = account.get("event", event_id)
    if not retained(account, event):
        raise resource_missing("event", event_id or "")
    return event


def api_list_events(req: ApiRequest) -> JsonObj:
    params = req.params
    kind = params.str("type")
    kinds = params.str_list("types")
    if kind and kinds:
        raise invalid_request("You may only specify one of these parameters: type, types.")
    if len(kinds) > 20:
        raise invalid_request("You may pass at most 20 event types.", param="types")
    patterns = kinds or ([kind] if kind else [])
    delivery_success = params.bool("delivery_success")
    oldest = req.account.now() - RETENTION_SECONDS
    items = [
        e
        for e in req.account.all("event")
        if e["created"] >= oldest
        # `type` accepts Stripe's `*` wildcard (`customer.subscription.*`).
        and (not patterns or any(fnmatch.fnmatchcase(e["type"], p) for p in patterns))
        and (delivery_success is None or (e["pending_webhooks"] == 0) == delivery_success)
    ]
    return respond_list(req, items, "/v1/events")


def api_retrieve_event(req: ApiRequest) -> JsonObj:
    return respond(req, get_event(req.account, req.arg("id")))


ROUTES = [
    Route("GET", "/v1/events", api_list_events, "EventListParams"),
    Route("GET", "/v1/events/{id}", api_retrieve_event, "EventRetrieveParams"),
]
