"""The events API: every state change an account saw, newest first, filterable by type."""

from __future__ import annotations

import fnmatch

from .errors import invalid_request
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import JsonObj


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
    items = [
        e
        for e in req.account.all("event")
        # `type` accepts Stripe's `*` wildcard (`customer.subscription.*`).
        if (not patterns or any(fnmatch.fnmatchcase(e["type"], p) for p in patterns))
        and (delivery_success is None or (e["pending_webhooks"] == 0) == delivery_success)
    ]
    return respond_list(req, items, "/v1/events")


def api_retrieve_event(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("event", req.arg("id")))


ROUTES = [
    Route("GET", "/v1/events", api_list_events, "EventListParams"),
    Route("GET", "/v1/events/{id}", api_retrieve_event, "EventRetrieveParams"),
]
