"""Billing portal sessions: a URL where the customer manages their subscriptions.

The hosted page itself (cancel at period end, resume, cancel now) is in `pages.py`.
"""

from __future__ import annotations

from .encoding import Params
from .expansion import respond
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

_FLOW_TYPES = (
    "payment_method_update", "subscription_cancel", "subscription_update",
    "subscription_update_confirm",
)


def _configuration_id(account: Account) -> str:
    side = account.side_of(account.id)
    if "portal_configuration" not in side:
        side["portal_configuration"] = new_id("bpc_")
    return side["portal_configuration"]  # type: ignore[no-any-return]


def _flow(flow: Params | None) -> JsonObj | None:
    if flow is None:
        return None
    kind = flow.str("type", required=True, choices=_FLOW_TYPES)
    after = flow.dict("after_completion")
    after_type = after.str("type") if after else None
    redirect = after.dict("redirect") if after else None
    out: JsonObj = {
        "after_completion": {
            "hosted_confirmation": None,
            "redirect": {"return_url": redirect.str("return_url")} if redirect else None,
            "type": after_type or "portal_homepage",
        },
        "subscription_cancel": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
        "type": kind,
    }
    details = flow.dict(kind) if kind and kind != "payment_method_update" else None
    if kind and details is not None:
        out[kind] = {"subscription": details.str("subscription")}
    return out


def api_create_session(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    customer = account.get("customer", params.str("customer", required=True), param="customer")
    session_id = new_id("bps_")
    session: JsonObj = {
        "configuration": params.str("configuration") or _configuration_id(account),
        "created": account.now(),
        "customer": customer["id"],
        "flow": _flow(params.dict("flow_data")),
        "id": session_id,
        "livemode": False,
        "locale": params.str("locale"),
        "object": "billing_portal.session",
        "on_behalf_of": None,
        "return_url": params.str("return_url"),
        "url": f"{req.base_url}/_emulator/portal/{session_id}",
        "customer_account": None,
    }
    account.insert(session)
    return respond(req, session)


ROUTES = [
    Route("POST", "/v1/billing_portal/sessions", api_create_session,
          "billing_portal.SessionCreateParams"),
]
