"""Webhook endpoints: where an account's events are delivered, each with its `whsec_` secret.

The secret is returned only by create (as Stripe does); tests that need it later read it
through the `/_emulator/webhook_endpoints` helper. Delivery itself is in `delivery.py`.

`status` is `enabled` or `disabled`: set by `disabled` on update, or by Stripe itself when
deliveries keep failing (the `disable_after_failures` delivery fault). Updating with
`disabled=false` enables the endpoint again with a clean failure count; events that
happened while it was disabled are not sent to it.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from .delivery import reset_failures
from .encoding import Params
from .errors import invalid_request
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import API_VERSION, Account, JsonObj, new_id

_EVENT_NAME = re.compile(r"^(\*|[a-z_]+(\.[a-z_]+)+)$")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24).replace("-", "").replace("_", "")[:32]


def _url(value: str | None) -> str:
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid_request(f"Invalid URL: {value}", param="url", code="url_invalid")
    return value or ""


def _events(params: Params) -> list[str]:
    events = params.str_list("enabled_events")
    if not events:
        raise invalid_request("Missing required param: enabled_events.",
                              param="enabled_events", code="parameter_missing")
    for event in events:
        if not _EVENT_NAME.match(event):
            raise invalid_request(f"Invalid enabled_events: {event}", param="enabled_events")
    return events


def create_endpoint(
    account: Account,
    *,
    url: str,
    enabled_events: list[str],
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    api_version: str | None = None,
    secret: str | None = None,
) -> JsonObj:
    endpoint: JsonObj = {
        "api_version": api_version,
        "application": None,
        "created": account.now(),
        "description": description,
        "enabled_events": enabled_events,
        "id": new_id("we_"),
        "livemode": False,
        "metadata": metadata or {},
        "object": "webhook_endpoint",
        "status": "enabled",
        "url": _url(url),
    }
    account.insert(endpoint)
    account.side_of(endpoint["id"])["secrets"] = [secret or new_secret()]
    return endpoint


def secret_of(account: Account, endpoint: JsonObj) -> str:
    return account.side_of(endpoint["id"])["secrets"][0]  # type: ignore[no-any-return]


def with_secret(account: Account, endpoint: JsonObj) -> JsonObj:
    secrets_ = account.side_of(endpoint["id"])["secrets"]
    return {**account.render(endpoint), "secret": secrets_[0], "previous_secrets": secrets_[1:]}


def roll_secret(
    account: Account, endpoint: JsonObj, secret: str | None, *, keep_old: bool
) -> None:
    """A new signing secret; while old ones are kept, each delivery carries one `v1`
    signature per secret, as Stripe signs during a roll's expiry window."""
    side = account.side_of(endpoint["id"])
    side["secrets"] = [secret or new_secret(), *(side["secrets"] if keep_old else [])]


def api_create_endpoint(req: ApiRequest) -> JsonObj:
    params = req.params
    if params.bool("connect"):
        raise invalid_request("Connect endpoints are not emulated.", param="connect")
    api_version = params.str("api_version")
    if api_version and api_version != API_VERSION:
        raise invalid_request(
            f"The emulator speaks API version {API_VERSION} only.", param="api_version"
        )
    endpoint = create_endpoint(
        req.account,
        url=params.str("url", required=True) or "",
        enabled_events=_events(params),
        description=params.str("description"),
        metadata=params.metadata() or {},
        api_version=api_version,
    )
    return {**respond(req, endpoint), "secret": secret_of(req.account, endpoint)}


def api_retrieve_endpoint(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("webhook_endpoint", req.arg("id")))


def api_update_endpoint(req: ApiRequest) -> JsonObj:
    params = req.params
    endpoint = req.account.get("webhook_endpoint", req.arg("id"))
    if params.has("url"):
        endpoint["url"] = _url(params.str("url"))
    if params.has("enabled_events"):
        endpoint["enabled_events"] = _events(params)
    if params.has("description"):
        endpoint["description"] = params.str("description") or None
    if params.has("disabled"):
        disabled = params.bool("disabled")
        if not disabled and endpoint["status"] == "disabled":
            reset_failures(req.account, endpoint["id"])
        endpoint["status"] = "disabled" if disabled else "enabled"
    metadata = params.metadata(existing=endpoint["metadata"])
    if metadata is not None:
        endpoint["metadata"] = metadata
    return respond(req, endpoint)


def api_delete_endpoint(req: ApiRequest) -> JsonObj:
    endpoint = req.account.get("webhook_endpoint", req.arg("id"))
    req.account.remove(endpoint["id"])
    return {"deleted": True, "id": endpoint["id"], "object": "webhook_endpoint"}


def api_list_endpoints(req: ApiRequest) -> JsonObj:
    return respond_list(req, req.account.all("webhook_endpoint"), "/v1/webhook_endpoints")


ROUTES = [
    Route("POST", "/v1/webhook_endpoints", api_create_endpoint, "WebhookEndpointCreateParams"),
    Route("GET", "/v1/webhook_endpoints", api_list_endpoints, "WebhookEndpointListParams"),
    Route("GET", "/v1/webhook_endpoints/{id}", api_retrieve_endpoint,
          "WebhookEndpointRetrieveParams"),
    Route("POST", "/v1/webhook_endpoints/{id}", api_update_endpoint,
          "WebhookEndpointUpdateParams"),
    Route("DELETE", "/v1/webhook_endpoints/{id}", api_delete_endpoint,
          "WebhookEndpointDeleteParams"),
]
