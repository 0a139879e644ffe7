"""The `/_emulator` test helpers: what Stripe's dashboard, card networks, customers and
the passing of time would do, plus fault injection and webhook observation.

Bodies are JSON. The account is named by its API key in `Authorization: Bearer <key>`
(or an `api_key` field). Errors use Stripe's error JSON; a declined card answers 402.
"""

from __future__ import annotations

from typing import Any

from . import catalog, checkout, disputes, invoices, payments, setup_intents, subscriptions
from .accounts import describe
from .cards import resolve
from .encoding import Params
from .errors import StripeError, invalid_request
from .events import get_event
from .routing import ControlRequest, Route
from .store import Account, JsonObj
from .webhooks import create_endpoint, roll_secret, with_secret


def _account(req: ControlRequest) -> Account:
    if req.account is None:
        raise StripeError(
            401,
            "invalid_request_error",
            "This helper needs an account: send its API key as 'Authorization: Bearer "
            "<key>' (create one with POST /_emulator/accounts).",
        )
    return req.account


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = body.get(key, default)
    return None if value is None else str(value)


# ---------------------------------------------------------------- accounts and time


async def health(req: ControlRequest) -> JsonObj:
    return {"ok": True, "accounts": len(req.emulator.accounts)}


async def create_account(req: ControlRequest) -> JsonObj:
    account, created = req.emulator.create_account(
        _str(req.body, "api_key"),
        name=_str(req.body, "name"),
        dunning=req.body.get("dunning"),
    )
    return {**describe(account), "created_now": created}


async def get_account(req: ControlRequest) -> JsonObj:
    return describe(_account(req))


async def reset_account(req: ControlRequest) -> JsonObj:
    account = _account(req)
    account.reset()
    if account.faults is not None:
        account.faults.clear()
    if account.deliveries is not None:
        account.deliveries.clear()
        account.deliveries.set_faults({})
    return describe(account)


async def advance_clock(req: ControlRequest) -> JsonObj:
    account = _account(req)
    now = account.now()
    target = int(req.body["to"]) if "to" in req.body else now + int(req.body.get("seconds", 0))
    if target < account.now():
        raise invalid_request("The account clock only moves forward.", param="to")
    account.advance_clock_to(target)
    return describe(account)


# ---------------------------------------------------------------- customers' actions


async def complete_checkout(req: ControlRequest) -> JsonObj:
    account = _account(req)
    session = account.get("checkout.session", req.arg("id"))
    checkout.complete(
        account,
        session,
        payment_method=_str(req.body, "payment_method", "pm_card_visa") or "pm_card_visa",
        async_payment=_str(req.body, "async_payment"),
        promotion_code=_str(req.body, "promotion_code"),
        email=_str(req.body, "email"),
        name=_str(req.body, "name"),
    )
    return {
        "checkout_session": account.render(session),
        "redirect_url": checkout.success_url_for(session),
    }


async def finish_async_payment(req: ControlRequest) -> JsonObj:
    account = _account(req)
    session = account.get("checkout.session", req.arg("id"))
    outcome = _str(req.body, "outcome")
    if outcome not in ("succeeded", "failed"):
        raise invalid_request("outcome must be 'succeeded' or 'failed'", param="outcome")
    checkout.settle_async(account, session, outcome)
    return {"checkout_session": account.render(session)}


async def expire_checkout(req: ControlRequest) -> JsonObj:
    account = _account(req)
    session = account.get("checkout.session", req.arg("id"))
    return {"checkout_session": account.render(checkout.expire(account, session))}


async def authenticate_payment(req: ControlRequest) -> JsonObj:
    account = _account(req)
    intent = account.get("payment_intent", req.arg("id"))
    outcome = _str(req.body, "outcome", "succeeded")
    payments.authenticate(account, intent, outcome == "succeeded")
    return {"payment_intent": account.render(intent)}


async def authenticate_setup(req: ControlRequest) -> JsonObj:
    account = _account(req)
    intent = account.get("setup_intent", req.arg("id"))
    outcome = _str(req.body, "outcome", "succeeded")
    setup_intents.authenticate_setup(account, intent, outcome == "succeeded")
    return {"setup_intent": account.render(intent)}


_THREE_D_SECURE = ("complete", "fail", "leave")


async def confirm(req: ControlRequest) -> JsonObj:
    """What Stripe.js does in the browser: confirm an intent by its client secret with a card.

    The secret finds the intent (and its account), as the publishable key and the secret do for
    Stripe.js; an API key, when sent, must be that account's. A card that asks for 3-D Secure
    gets its challenge answered as `three_d_secure` says: `complete`, `fail`, or `leave` it
    `requires_action` for the authenticate helpers.
    """
    secret = _str(req.body, "client_secret") or ""
    object_id = secret.partition("_secret_")[0]
    found = req.emulator.locate(object_id) if object_id else None
    if found is None or found[1].get("client_secret") != secret or (
        req.account is not None and found[0] is not req.account
    ):
        raise invalid_request(
            "No such payment_intent or setup_intent for this client_secret.",
            param="client_secret",
            code="resource_missing",
            status=404,
        )
    account, intent = found
    three_d_secure = _str(req.body, "three_d_secure", "complete")
    if three_d_secure not in _THREE_D_SECURE:
        raise invalid_request(
            "three_d_secure must be one of complete, fail, leave", param="three_d_secure"
        )
    pm = resolve(account, _str(req.body, "payment_method", "pm_card_visa") or "pm_card_visa")
    kind = intent["object"]
    if kind == "setup_intent":
        error = setup_intents.confirm_setup_intent(account, intent, pm)
        answer = setup_intents.authenticate_setup
    elif kind == "payment_intent":
        error = payments.confirm_intent(account, intent, pm)
        answer = payments.authenticate
    else:
        raise invalid_request("Not a payment_intent or setup_intent secret.", param="client_secret")
    if error is not None:
        raise error
    if intent["status"] == "requires_action" and three_d_secure != "leave":
        answer(account, intent, three_d_secure == "complete")
    return {"object": kind, kind: account.render(intent), "status": intent["status"]}


async def pay_invoice(req: ControlRequest) -> JsonObj:
    account = _account(req)
    invoice = account.get("invoice", req.arg("id"))
    ref = _str(req.body, "payment_method")
    pm = resolve(account, ref) if ref else None
    error = invoices.attempt_payment(account, invoice, pm)
    if error is not None:
        raise error
    return {"invoice": account.render(invoice)}


# ---------------------------------------------------------------- time passing


async def advance_subscription(req: ControlRequest) -> JsonObj:
    account = _account(req)
    sub = account.get("subscription", req.arg("id"))
    invoice = subscriptions.advance(account, sub, _str(req.body, "payment_method"))
    return {
        "subscription": account.render(sub),
        "invoice": account.render(invoice) if invoice else None,
    }


async def trial_will_end(req: ControlRequest) -> JsonObj:
    account = _account(req)
    sub = account.get("subscription", req.arg("id"))
    subscriptions.trial_will_end(account, sub)
    return {"subscription": account.render(sub)}


# ---------------------------------------------------------------- card networks


async def open_dispute(req: ControlRequest) -> JsonObj:
    account = _account(req)
    charge_id = _str(req.body, "charge")
    if not charge_id:
        intent_id = _str(req.body, "payment_intent")
        intent = account.get("payment_intent", intent_id, param="payment_intent")
        charge_id = intent["latest_charge"]
    charge = account.get("charge", charge_id, param="charge")
    amount = req.body.get("amount")
    dispute = disputes.open_dispute(
        account,
        charge,
        reason=_str(req.body, "reason", "fraudulent") or "fraudulent",
        amount=None if amount is None else int(amount),
    )
    return {"dispute": account.render(dispute)}


async def close_dispute(req: ControlRequest) -> JsonObj:
    account = _account(req)
    dispute = account.get("dispute", req.arg("id"))
    disputes.close_dispute(account, dispute, _str(req.body, "outcome") or "")
    return {"dispute": account.render(dispute)}


# ---------------------------------------------------------------- the dashboard


def _dashboard(req: ControlRequest, kind: str) -> JsonObj:
    account = _account(req)
    action = _str(req.body, "action")
    params = Params(req.body.get("params") or {})
    if action == "create":
        obj = (catalog.create_product if kind == "product" else catalog.create_price)(
            account, params
        )
        return account.render(obj)
    obj = account.get(kind, _str(req.body, "id"))
    if action == "update":
        if kind == "product":
            return account.render(catalog.update_product(account, obj, params))
        return account.render(catalog.update_price(account, obj, params))
    if action in ("archive", "unarchive"):
        flag = Params({"active": "false" if action == "archive" else "true"})
        if kind == "product":
            return account.render(catalog.update_product(account, obj, flag))
        return account.render(catalog.update_price(account, obj, flag))
    if action == "delete":
        if kind == "product":
            return catalog.delete_product(account, obj)
        return catalog.delete_price(account, obj)
    raise invalid_request(
        "action must be one of create, update, archive, unarchive, delete", param="action"
    )


async def dashboard_product(req: ControlRequest) -> JsonObj:
    return _dashboard(req, "product")


async def dashboard_price(req: ControlRequest) -> JsonObj:
    return _dashboard(req, "price")


# ---------------------------------------------------------------- faults


async def add_fault(req: ControlRequest) -> JsonObj:
    account = _account(req)
    assert account.faults is not None
    return account.faults.add(req.body).describe()


async def list_faults(req: ControlRequest) -> JsonObj:
    account = _account(req)
    assert account.faults is not None
    return {"data": [rule.describe() for rule in account.faults.rules]}


async def clear_faults(req: ControlRequest) -> JsonObj:
    account = _account(req)
    assert account.faults is not None
    account.faults.clear()
    return {"data": []}


# ---------------------------------------------------------------- webhooks


def _queue(req: ControlRequest) -> Any:
    account = _account(req)
    assert account.deliveries is not None
    return account.deliveries


async def set_webhook_faults(req: ControlRequest) -> JsonObj:
    faults = _queue(req).set_faults(req.body)
    return dict(vars(faults))


async def get_webhook_faults(req: ControlRequest) -> JsonObj:
    return dict(vars(_queue(req).faults))


async def settle(req: ControlRequest) -> JsonObj:
    timeout = float(req.body.get("timeout", 5.0))
    return await _queue(req).settle(timeout)  # type: ignore[no-any-return]


async def deliveries(req: ControlRequest) -> JsonObj:
    queue = _queue(req)
    return {"data": queue.attempts(), **queue.summary()}


async def clear_deliveries(req: ControlRequest) -> JsonObj:
    queue = _queue(req)
    queue.log.clear()
    queue.gave_up = 0
    return {"data": [], **queue.summary()}


async def register_endpoint(req: ControlRequest) -> JsonObj:
    account = _account(req)
    events = req.body.get("enabled_events") or ["*"]
    endpoint = create_endpoint(
        account,
        url=_str(req.body, "url") or "",
        enabled_events=[str(e) for e in events],
        description=_str(req.body, "description"),
        secret=_str(req.body, "secret"),
    )
    return with_secret(account, endpoint)


async def list_endpoints(req: ControlRequest) -> JsonObj:
    account = _account(req)
    return {"data": [with_secret(account, e) for e in account.all("webhook_endpoint")]}


async def roll_endpoint_secret(req: ControlRequest) -> JsonObj:
    account = _account(req)
    endpoint = account.get("webhook_endpoint", req.arg("id"))
    roll_secret(account, endpoint, _str(req.body, "secret"),
                keep_old=bool(req.body.get("keep_old", True)))
    return with_secret(account, endpoint)


async def resend_event(req: ControlRequest) -> JsonObj:
    """Deliver an event again (Stripe's dashboard "Resend"), to an endpoint or every
    listening one; like the API, it no longer knows events older than 30 days."""
    account = _account(req)
    event = get_event(account, req.arg("id"))
    queued = _queue(req).resend(event, _str(req.body, "endpoint"))
    return {"queued": queued}


ROUTES = [
    Route("GET", "/_emulator/health", health, public=True),
    Route("POST", "/_emulator/accounts", create_account, public=True),
    Route("GET", "/_emulator/account", get_account),
    Route("POST", "/_emulator/account/reset", reset_account),
    Route("POST", "/_emulator/clock/advance", advance_clock),
    Route("POST", "/_emulator/checkout/sessions/{id}/complete", complete_checkout),
    Route("POST", "/_emulator/checkout/sessions/{id}/async_payment", finish_async_payment),
    Route("POST", "/_emulator/checkout/sessions/{id}/expire", expire_checkout),
    Route("POST", "/_emulator/payment_intents/{id}/authenticate", authenticate_payment),
    Route("POST", "/_emulator/setup_intents/{id}/authenticate", authenticate_setup),
    # Not public: a key, when sent, names the account the intent must belong to; none is needed.
    Route("POST", "/_emulator/confirm", confirm),
    Route("POST", "/_emulator/invoices/{id}/pay", pay_invoice),
    Route("POST", "/_emulator/subscriptions/{id}/advance", advance_subscription),
    Route("POST", "/_emulator/subscriptions/{id}/trial_will_end", trial_will_end),
    Route("POST", "/_emulator/disputes", open_dispute),
    Route("POST", "/_emulator/disputes/{id}/close", close_dispute),
    Route("POST", "/_emulator/dashboard/products", dashboard_product),
    Route("POST", "/_emulator/dashboard/prices", dashboard_price),
    Route("POST", "/_emulator/faults", add_fault),
    Route("GET", "/_emulator/faults", list_faults),
    Route("DELETE", "/_emulator/faults", clear_faults),
    Route("PUT", "/_emulator/webhooks/faults", set_webhook_faults),
    Route("GET", "/_emulator/webhooks/faults", get_webhook_faults),
    Route("POST", "/_emulator/webhooks/settle", settle),
    Route("GET", "/_emulator/webhooks/deliveries", deliveries),
    Route("DELETE", "/_emulator/webhooks/deliveries", clear_deliveries),
    Route("POST", "/_emulator/webhook_endpoints", register_endpoint),
    Route("GET", "/_emulator/webhook_endpoints", list_endpoints),
    Route("POST", "/_emulator/webhook_endpoints/{id}/roll_secret", roll_endpoint_secret),
    Route("POST", "/_emulator/events/{id}/resend", resend_event),
]
