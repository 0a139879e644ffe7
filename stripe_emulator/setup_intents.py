"""SetupIntents: saving a card for later (off-session) payments, with 3-D Secure when the card asks.

A confirmed SetupIntent attaches its payment method to its customer. A card that needs
authentication answers `requires_action` until the customer completes the challenge
(`authenticate`, the `/_emulator/setup_intents/{id}/authenticate` helper or the confirm
helper); once set up that way, a card that asks for 3-D Secure only at setup
(`pm_card_authenticationRequiredOnSetup`) is charged off-session without another challenge.
"""

from __future__ import annotations

from collections.abc import Callable

from .cards import (
    attach,
    card_of,
    mark_set_up,
    needs_authentication,
    resolve,
    three_d_secure_action,
)
from .errors import StripeError, card_error, invalid_request
from .expansion import respond, respond_filtered
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

# (account, setup intent, outcome) with outcome one of "succeeded", "setup_failed", "requires_action",
# "canceled": subscriptions learn that a `pending_setup_intent` finished.
SetupListener = Callable[[Account, JsonObj, str], None]
SETUP_LISTENERS: list[SetupListener] = []

_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


def _notify(account: Account, intent: JsonObj, outcome: str) -> None:
    for listener in SETUP_LISTENERS:
        listener(account, intent, outcome)


def _unexpected_state(message: str, intent: JsonObj) -> StripeError:
    err = invalid_request(message, code="setup_intent_unexpected_state")
    err.extra["setup_intent"] = intent
    return err


def create_setup_intent(
    account: Account,
    *,
    customer: str | None,
    payment_method: str | None = None,
    usage: str = "off_session",
    description: str | None = None,
    metadata: dict[str, str] | None = None,
    automatic_payment_methods: bool = False,
) -> JsonObj:
    id_ = new_id("seti_")
    intent: JsonObj = {
        "application": None,
        "automatic_payment_methods": {"enabled": True} if automatic_payment_methods else None,
        "cancellation_reason": None,
        "client_secret": f"{id_}_secret_{new_id('', 32)}",
        "created": account.now(),
        "customer": customer,
        "description": description,
        "flow_directions": None,
        "id": id_,
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": metadata or {},
        "next_action": None,
        "object": "setup_intent",
        "on_behalf_of": None,
        "payment_method": payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
        },
        "payment_method_types": ["card"],
        "single_use_mandate": None,
        "status": "requires_confirmation" if payment_method else "requires_payment_method",
        "usage": usage,
        "excluded_payment_method_types": None,
    }
    account.insert(intent)
    account.emit("setup_intent.created", intent)
    return intent


def _failed(account: Account, intent: JsonObj, pm: JsonObj) -> StripeError:
    card = card_of(account, pm["id"])
    error: JsonObj = {
        "code": card.error_code,
        "decline_code": card.decline_code,
        "doc_url": f"https://stripe.com/docs/error-codes/{card.error_code.replace('_', '-')}",
        "message": card.message,
        "payment_method": account.render(pm),
        "type": "card_error",
    }
    intent.update(status="requires_payment_method", payment_method=None, next_action=None,
                  last_setup_error=error)
    account.emit("setup_intent.setup_failed", intent)
    _notify(account, intent, "setup_failed")
    return card_error(
        card.message,
        code=card.error_code,
        decline_code=card.decline_code,
        extra={"setup_intent": account.render(intent), "payment_method": account.render(pm)},
    )


def _succeeded(account: Account, intent: JsonObj, pm: JsonObj) -> None:
    intent.update(status="succeeded", payment_method=pm["id"], next_action=None,
                  last_setup_error=None)
    mark_set_up(account, pm)
    if intent["customer"]:
        attach(account, pm, intent["customer"])
    account.emit("setup_intent.succeeded", intent)
    _notify(account, intent, "succeeded")


def confirm_setup_intent(
    account: Account, intent: JsonObj, pm: JsonObj | None = None, *, authenticated: bool = False
) -> StripeError | None:
    """Run a confirmation; returns the card error to answer (402), if the card was refused."""
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise _unexpected_state(
            f"You cannot confirm this SetupIntent because it has a status of {intent['status']}.",
            account.render(intent),
        )
    if pm is None and intent["payment_method"]:
        pm = account.get("payment_method", intent["payment_method"], param="payment_method")
    if pm is None:
        raise _unexpected_state(
            "You cannot confirm this SetupIntent because it's missing a payment method. Update "
            "the SetupIntent with a payment method and then confirm it again.",
            account.render(intent),
        )
    intent["payment_method"] = pm["id"]
    card = card_of(account, pm["id"])
    if card.behavior == "decline" and card.declines_setup:
        return _failed(account, intent, pm)
    if not authenticated and needs_authentication(account, pm, off_session=False):
        intent["status"] = "requires_action"
        intent["next_action"] = three_d_secure_action(account, intent["id"])
        account.emit("setup_intent.requires_action", intent)
        _notify(account, intent, "requires_action")
        return None
    _succeeded(account, intent, pm)
    return None


def authenticate_setup(account: Account, intent: JsonObj, succeed: bool) -> None:
    """The customer's answer to the 3-D Secure challenge of a SetupIntent."""
    if intent["status"] != "requires_action":
        raise invalid_request(
            f"SetupIntent {intent['id']} is {intent['status']}, not requires_action."
        )
    pm = account.get("payment_method", intent["payment_method"])
    if succeed:
        _succeeded(account, intent, pm)
        return
    intent.update(
        status="requires_payment_method",
        next_action=None,
        payment_method=None,
        last_setup_error={
            "code": "setup_intent_authentication_failure",
            "doc_url": "https://stripe.com/docs/error-codes/setup-intent-authentication-failure",
            "message": "The latest attempt to set up the payment method has failed because "
            "authentication failed.",
            "payment_method": account.render(pm),
            "type": "invalid_request_error",
        },
    )
    account.emit("setup_intent.setup_failed", intent)
    _notify(account, intent, "setup_failed")


# ---------------------------------------------------------------- API


def _payment_method(account: Account, ref: str | None, customer: str | None) -> JsonObj | None:
    if not ref:
        return None
    pm = resolve(account, ref)
    if pm["customer"] is not None and pm["customer"] != customer:
        raise invalid_request(
            f"The provided PaymentMethod {pm['id']} belongs to another customer.",
            param="payment_method",
        )
    return pm


def api_create(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    customer = params.str("customer")
    if customer:
        account.get("customer", customer, param="customer")
    pm = _payment_method(account, params.str("payment_method"), customer)
    apm = params.dict("automatic_payment_methods")
    intent = create_setup_intent(
        account,
        customer=customer,
        payment_method=pm["id"] if pm else None,
        usage=params.str("usage", choices=("off_session", "on_session")) or "off_session",
        description=params.str("description"),
        metadata=params.metadata() or {},
        automatic_payment_methods=apm is not None and bool(apm.bool("enabled")),
    )
    if params.bool("confirm"):
        error = confirm_setup_intent(account, intent, pm)
        if error is not None:
            raise error
    return respond(req, intent)


def api_retrieve(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("setup_intent", req.arg("id")))


def api_update(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    intent = account.get("setup_intent", req.arg("id"))
    if intent["status"] in ("succeeded", "canceled"):
        raise _unexpected_state(
            f"You cannot update this SetupIntent because it has a status of {intent['status']}.",
            account.render(intent),
        )
    before = account.snapshot(intent)
    if params.has("description"):
        intent["description"] = params.str("description") or None
    pm = _payment_method(account, params.str("payment_method"), intent["customer"])
    if pm is not None:
        intent.update(payment_method=pm["id"], status="requires_confirmation")
    metadata = params.metadata(existing=intent["metadata"])
    if metadata is not None:
        intent["metadata"] = metadata
    account.emit_updated("setup_intent.updated", intent, before)
    return respond(req, intent)


def api_confirm(req: ApiRequest) -> JsonObj:
    account = req.account
    intent = account.get("setup_intent", req.arg("id"))
    pm = _payment_method(account, req.params.str("payment_method"), intent["customer"])
    error = confirm_setup_intent(account, intent, pm)
    if error is not None:
        raise error
    return respond(req, intent)


def api_cancel(req: ApiRequest) -> JsonObj:
    account = req.account
    intent = account.get("setup_intent", req.arg("id"))
    if intent["status"] not in _CANCELABLE:
        raise _unexpected_state(
            "You cannot cancel this SetupIntent because it has a status of "
            f"{intent['status']}.",
            account.render(intent),
        )
    intent.update(
        status="canceled",
        next_action=None,
        cancellation_reason=req.params.str(
            "cancellation_reason", choices=("abandoned", "duplicate", "requested_by_customer")
        ),
    )
    account.emit("setup_intent.canceled", intent)
    _notify(account, intent, "canceled")
    return respond(req, intent)


def api_list(req: ApiRequest) -> JsonObj:
    return respond_filtered(req, "setup_intent", "/v1/setup_intents", customer="customer",
                            payment_method="payment_method")


ROUTES = [
    Route("POST", "/v1/setup_intents", api_create, "SetupIntentCreateParams"),
    Route("GET", "/v1/setup_intents", api_list, "SetupIntentListParams"),
    Route("GET", "/v1/setup_intents/{id}", api_retrieve, "SetupIntentRetrieveParams"),
    Route("POST", "/v1/setup_intents/{id}", api_update, "SetupIntentUpdateParams"),
    Route("POST", "/v1/setup_intents/{id}/confirm", api_confirm, "SetupIntentConfirmParams"),
    Route("POST", "/v1/setup_intents/{id}/cancel", api_cancel, "SetupIntentCancelParams"),
]
