"""Money movement: payment intents (confirm with test cards), charges and refunds.

Invoices and checkout sessions own some payment intents; they learn how a confirmation
ended through `PAYMENT_LISTENERS`, whether it was confirmed by them or by the API.
"""

from __future__ import annotations

from collections.abc import Callable

from .cards import (
    TestCard,
    attach,
    card_of,
    charge_details,
    mark_set_up,
    needs_authentication,
    resolve,
    three_d_secure_action,
)
from .encoding import Params
from .errors import StripeError, card_error, invalid_request, missing_param
from .expansion import respond, respond_filtered, respond_list
from .listing import embedded_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id, renderer

# (account, payment intent, outcome) with outcome one of "succeeded", "payment_failed",
# "requires_action", "processing", "canceled".
PaymentListener = Callable[[Account, JsonObj, str], None]
PAYMENT_LISTENERS: list[PaymentListener] = []

_CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


def _notify(account: Account, intent: JsonObj, outcome: str) -> None:
    for listener in PAYMENT_LISTENERS:
        listener(account, intent, outcome)


def _unexpected_state(message: str, intent: JsonObj) -> StripeError:
    err = invalid_request(message, code="payment_intent_unexpected_state")
    err.extra["payment_intent"] = intent
    return err


# ---------------------------------------------------------------- payment intents


def create_intent(
    account: Account,
    *,
    amount: int,
    currency: str,
    customer: str | None = None,
    metadata: dict[str, str] | None = None,
    description: str | None = None,
    payment_method: str | None = None,
    setup_future_usage: str | None = None,
    receipt_email: str | None = None,
    automatic_payment_methods: bool = True,
) -> JsonObj:
    id_ = new_id("pi_")
    intent: JsonObj = {
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": (
            {"allow_redirects": "always", "enabled": True} if automatic_payment_methods else None
        ),
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{id_}_secret_{new_id('', 25)}",
        "confirmation_method": "automatic",
        "created": account.now(),
        "currency": currency,
        "customer": customer,
        "description": description,
        "id": id_,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": metadata or {},
        "next_action": None,
        "object": "payment_intent",
        "on_behalf_of": None,
        "payment_method": payment_method,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": receipt_email,
        "review": None,
        "setup_future_usage": setup_future_usage,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_confirmation" if payment_method else "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
        "excluded_payment_method_types": None,
        "customer_account": None,
        "managed_payments": None,
    }
    account.insert(intent)
    account.emit("payment_intent.created", intent)
    return intent


def _new_charge(account: Account, intent: JsonObj, pm: JsonObj, status: str) -> JsonObj:
    amount = intent["amount"]
    succeeded = status == "succeeded"
    charge: JsonObj = {
        "amount": amount,
        "amount_captured": amount if succeeded else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": new_id("txn_") if succeeded else None,
        "billing_details": dict(pm["billing_details"]),
        "calculated_statement_descriptor": account.name.upper()[:22],
        "captured": succeeded,
        "created": account.now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "id": new_id("ch_"),
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "object": "charge",
        "on_behalf_of": None,
        "outcome": {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": pm["id"],
        "payment_method_details": charge_details(pm, amount),
        "receipt_email": intent["receipt_email"],
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": None,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }
    if account.base_url:
        charge["receipt_url"] = f"{account.base_url}/_emulator/receipts/{charge['id']}"
    return account.insert(charge)


@renderer("charge")
def _render_charge(account: Account, charge: JsonObj) -> None:
    refunds = [
        account.render(r)
        for r in reversed(account.all("refund"))
        if r["charge"] == charge["id"]
    ]
    charge["refunds"] = embedded_list(refunds, f"/v1/charges/{charge['id']}/refunds")


def _decline(account: Account, intent: JsonObj, pm: JsonObj, card: TestCard) -> StripeError:
    charge = _new_charge(account, intent, pm, "failed")
    charge["failure_code"] = card.error_code
    charge["failure_message"] = card.message
    charge["outcome"].update(
        network_status="declined_by_network",
        reason=card.decline_code,
        seller_message="The bank did not return any further details with this decline.",
        type="issuer_declined",
    )
    error_body: JsonObj = {
        "charge": charge["id"],
        "code": card.error_code,
        "decline_code": card.decline_code,
        "doc_url": f"https://stripe.com/docs/error-codes/{card.error_code.replace('_', '-')}",
        "message": card.message,
        "payment_method": account.render(pm),
        "type": "card_error",
    }
    intent["last_payment_error"] = error_body
    intent["latest_charge"] = charge["id"]
    intent["payment_method"] = None
    intent["status"] = "requires_payment_method"
    intent["next_action"] = None
    account.emit("charge.failed", charge)
    account.emit("payment_intent.payment_failed", intent)
    _notify(account, intent, "payment_failed")
    return card_error(
        card.message,
        code=card.error_code,
        decline_code=card.decline_code,
        extra={
            "charge": charge["id"],
            "payment_intent": account.render(intent),
            "payment_method": account.render(pm),
        },
    )


def _succeed(account: Account, intent: JsonObj, pm: JsonObj) -> None:
    charge = _new_charge(account, intent, pm, "succeeded")
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        latest_charge=charge["id"],
        last_payment_error=None,
        next_action=None,
        processing=None,
    )
    if intent["setup_future_usage"] and intent["customer"]:
        mark_set_up(account, pm)
        attach(account, pm, intent["customer"])
    account.emit("charge.succeeded", charge)
    account.emit("payment_intent.succeeded", intent)
    _notify(account, intent, "succeeded")


def confirm_intent(
    account: Account,
    intent: JsonObj,
    pm: JsonObj | None = None,
    *,
    off_session: bool = False,
    async_processing: bool = False,
    authenticated: bool = False,
) -> StripeError | None:
    """Run a confirmation; returns the card error to answer (402), if it declined."""
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        if intent["status"] == "succeeded":
            raise _unexpected_state(
                "You cannot confirm this PaymentIntent because it has already succeeded "
                "after being previously confirmed.",
                account.render(intent),
            )
        raise _unexpected_state(
            "This PaymentIntent's status is "
            f"{intent['status']}, so it cannot be confirmed.",
            account.render(intent),
        )
    if pm is None and intent["payment_method"]:
        pm = account.get("payment_method", intent["payment_method"], param="payment_method")
    if pm is None:
        raise _unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "To confirm the PaymentIntent with cus_, you must provide a payment method.",
            account.render(intent),
        )
    intent["payment_method"] = pm["id"]
    card = card_of(account, pm["id"])
    if card.behavior == "decline":
        return _decline(account, intent, pm, card)
    if not authenticated and needs_authentication(account, pm, off_session=off_session):
        if off_session:
            return _decline(
                account,
                intent,
                pm,
                TestCard(
                    card.brand, card.last4, "decline", "authentication_required",
                    error_code="authentication_required",
                    message="Your card was declined. This transaction requires "
                    "authentication.",
                ),
            )
        intent["status"] = "requires_action"
        intent["next_action"] = three_d_secure_action(account, intent["id"])
        account.emit("payment_intent.requires_action", intent)
        _notify(account, intent, "requires_action")
        return None
    if async_processing:
        charge = _new_charge(account, intent, pm, "pending")
        intent.update(status="processing", latest_charge=charge["id"],
                      processing={"type": "card", "card": None})
        account.emit("charge.pending", charge)
        account.emit("payment_intent.processing", intent)
        _notify(account, intent, "processing")
        return None
    _succeed(account, intent, pm)
    return None


def finish_processing(account: Account, intent: JsonObj, succeeded: bool) -> None:
    """The delayed result of an asynchronous payment method."""
    if intent["status"] != "processing":
        raise invalid_request(
            f"PaymentIntent {intent['id']} is {intent['status']}, not processing."
        )
    charge = account.get("charge", intent["latest_charge"])
    if succeeded:
        charge.update(status="succeeded", paid=True, captured=True,
                      amount_captured=charge["amount"], balance_transaction=new_id("txn_"))
        intent.update(status="succeeded", amount_received=intent["amount"], processing=None)
        account.emit("charge.succeeded", charge)
        account.emit("payment_intent.succeeded", intent)
        _notify(account, intent, "succeeded")
        return
    charge.update(
        status="failed",
        failure_code="payment_method_provider_decline",
        failure_message="The payment was declined.",
    )
    charge["outcome"].update(network_status="declined_by_network", type="issuer_declined",
                             seller_message="The payment was declined.")
    pm = account.find(intent["payment_method"])
    intent.update(
        status="requires_payment_method",
        processing=None,
        payment_method=None,
        last_payment_error={
            "charge": charge["id"],
            "code": "payment_method_provider_decline",
            "message": "The payment was declined.",
            "payment_method": account.render(pm) if pm else None,
            "type": "card_error",
        },
    )
    account.emit("charge.failed", charge)
    account.emit("payment_intent.payment_failed", intent)
    _notify(account, intent, "payment_failed")


def authenticate(account: Account, intent: JsonObj, succeed: bool) -> None:
    """The customer's answer to a 3-D Secure challenge."""
    if intent["status"] != "requires_action":
        raise invalid_request(
            f"PaymentIntent {intent['id']} is {intent['status']}, not requires_action."
        )
    pm = account.get("payment_method", intent["payment_method"])
    if succeed:
        intent["status"] = "requires_confirmation"
        confirm_intent(account, intent, pm, authenticated=True)
        return
    intent.update(
        status="requires_payment_method",
        next_action=None,
        payment_method=None,
        last_payment_error={
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://stripe.com/docs/error-codes/"
            "payment-intent-authentication-failure",
            "message": "The provided PaymentMethod has failed authentication. You can "
            "provide payment_method_data or a new PaymentMethod to attempt to fulfill "
            "this PaymentIntent again.",
            "payment_method": account.render(pm),
            "type": "invalid_request_error",
        },
    )
    account.emit("payment_intent.payment_failed", intent)
    _notify(account, intent, "payment_failed")


def cancel_intent(account: Account, intent: JsonObj, reason: str | None) -> None:
    if intent["status"] not in _CANCELABLE:
        raise _unexpected_state(
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
            f"may be canceled: {', '.join(_CANCELABLE)}.",
            account.render(intent),
        )
    intent.update(status="canceled", canceled_at=account.now(), cancellation_reason=reason,
                  next_action=None)
    account.emit("payment_intent.canceled", intent)
    _notify(account, intent, "canceled")


def _payment_method_param(account: Account, params: Params, customer: str | None) -> JsonObj | None:
    ref = params.str("payment_method")
    if not ref:
        return None
    pm = resolve(account, ref)
    if pm["customer"] is not None and customer is not None and pm["customer"] != customer:
        raise invalid_request(
            f"The provided PaymentMethod {pm['id']} belongs to another customer.",
            param="payment_method",
        )
    return pm


def api_create_intent(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    amount = params.int("amount", required=True, minimum=1)
    currency = params.str("currency", required=True)
    assert amount is not None
    assert currency is not None
    customer = params.str("customer")
    if customer:
        account.get("customer", customer, param="customer")
    pm = _payment_method_param(account, params, customer)
    apm = params.dict("automatic_payment_methods")
    intent = create_intent(
        account,
        amount=amount,
        currency=currency.lower(),
        customer=customer,
        metadata=params.metadata() or {},
        description=params.str("description"),
        payment_method=pm["id"] if pm else None,
        setup_future_usage=params.str(
            "setup_future_usage", choices=("off_session", "on_session")
        ),
        receipt_email=params.str("receipt_email"),
        automatic_payment_methods=apm is None or bool(apm.bool("enabled")),
    )
    if params.bool("confirm"):
        error = confirm_intent(account, intent, pm, off_session=bool(params.bool("off_session")))
        if error is not None:
            raise error
    return respond(req, intent)


def api_retrieve_intent(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("payment_intent", req.arg("id")))


def api_update_intent(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    intent = account.get("payment_intent", req.arg("id"))
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise _unexpected_state(
            f"This PaymentIntent's status is {intent['status']}, so it cannot be updated.",
            account.render(intent),
        )
    before = account.snapshot(intent)
    if params.has("amount"):
        intent["amount"] = params.int("amount", minimum=1)
    if params.has("description"):
        intent["description"] = params.str("description") or None
    if params.has("customer"):
        customer = params.str("customer")
        if customer:
            account.get("customer", customer, param="customer")
        intent["customer"] = customer or None
    if params.has("receipt_email"):
        intent["receipt_email"] = params.str("receipt_email") or None
    pm = _payment_method_param(account, params, intent["customer"])
    if pm is not None:
        intent["payment_method"] = pm["id"]
        intent["status"] = "requires_confirmation"
    metadata = params.metadata(existing=intent["metadata"])
    if metadata is not None:
        intent["metadata"] = metadata
    account.emit_updated("payment_intent.updated", intent, before)
    return respond(req, intent)


def api_confirm_intent(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    intent = account.get("payment_intent", req.arg("id"))
    pm = _payment_method_param(account, params, intent["customer"])
    if params.has("setup_future_usage"):
        intent["setup_future_usage"] = params.str("setup_future_usage") or None
    if params.has("receipt_email"):
        intent["receipt_email"] = params.str("receipt_email") or None
    error = confirm_intent(account, intent, pm, off_session=bool(params.bool("off_session")))
    if error is not None:
        raise error
    return respond(req, intent)


def api_cancel_intent(req: ApiRequest) -> JsonObj:
    account = req.account
    intent = account.get("payment_intent", req.arg("id"))
    if account.side_of(intent["id"]).get("invoice"):
        raise invalid_request(
            "You cannot cancel this PaymentIntent because it was created by an invoice."
        )
    reason = req.params.str(
        "cancellation_reason",
        choices=("duplicate", "fraudulent", "requested_by_customer", "abandoned"),
    )
    cancel_intent(account, intent, reason)
    return respond(req, intent)


def api_list_intents(req: ApiRequest) -> JsonObj:
    customer = req.params.str("customer")
    items = [
        i for i in req.account.all("payment_intent")
        if customer is None or i["customer"] == customer
    ]
    return respond_list(req, items, "/v1/payment_intents")


# ---------------------------------------------------------------- charges


def api_retrieve_charge(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("charge", req.arg("id")))


def api_list_charges(req: ApiRequest) -> JsonObj:
    customer = req.params.str("customer")
    intent = req.params.str("payment_intent")
    items = [
        c
        for c in req.account.all("charge")
        if (customer is None or c["customer"] == customer)
        and (intent is None or c["payment_intent"] == intent)
    ]
    return respond_list(req, items, "/v1/charges")


# ---------------------------------------------------------------- refunds


def _money(amount: int, currency: str) -> str:
    return f"{'$' if currency == 'usd' else currency.upper() + ' '}{amount / 100:.2f}"


def create_refund(
    account: Account,
    charge: JsonObj,
    *,
    amount: int | None,
    reason: str | None,
    metadata: dict[str, str],
) -> JsonObj:
    if charge["status"] != "succeeded":
        raise invalid_request(
            f"Charge {charge['id']} has not succeeded; only succeeded charges can be "
            "refunded.",
            param="charge",
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid_request(
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    dispute = next(
        (d for d in account.all("dispute") if d["charge"] == charge["id"]), None
    )
    if dispute is not None and dispute["status"] != "won":
        raise invalid_request(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            code="charge_disputed",
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise invalid_request(
            f"Refund amount ({_money(amount, charge['currency'])}) is greater than unrefunded "
            f"amount on charge ({_money(remaining, charge['currency'])})",
            param="amount",
            code="amount_too_large",
        )
    refund: JsonObj = {
        "amount": amount,
        "balance_transaction": new_id("txn_"),
        "charge": charge["id"],
        "created": account.now(),
        "currency": charge["currency"],
        "destination_details": {
            "card": {
                "reference": None,
                "reference_status": "pending",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        },
        "id": new_id("re_"),
        "metadata": metadata,
        "object": "refund",
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
        "customer": charge["customer"],
        "customer_account": None,
        "payment_method": charge["payment_method"],
    }
    before = account.snapshot(charge)
    account.insert(refund)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    account.emit_updated("charge.refunded", charge, before)
    account.emit("refund.created", refund)
    return refund


def api_create_refund(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    charge_id = params.str("charge")
    intent_id = params.str("payment_intent")
    if charge_id and intent_id:
        raise invalid_request(
            "You may only specify one of these parameters: charge, payment_intent."
        )
    if charge_id:
        charge = account.get("charge", charge_id, param="charge")
    elif intent_id:
        intent = account.get("payment_intent", intent_id, param="payment_intent")
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise invalid_request(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                "refund.",
                param="payment_intent",
            )
        charge = account.get("charge", intent["latest_charge"])
    else:
        raise missing_param("charge")
    refund = create_refund(
        account,
        charge,
        amount=params.int("amount", minimum=1),
        reason=params.str(
            "reason", choices=("duplicate", "fraudulent", "requested_by_customer")
        ),
        metadata=params.metadata() or {},
    )
    return respond(req, refund)


def api_retrieve_refund(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("refund", req.arg("id")))


def api_update_refund(req: ApiRequest) -> JsonObj:
    account = req.account
    refund = account.get("refund", req.arg("id"))
    before = account.snapshot(refund)
    metadata = req.params.metadata(existing=refund["metadata"])
    if metadata is not None:
        refund["metadata"] = metadata
    account.emit_updated("refund.updated", refund, before)
    return respond(req, refund)


def api_list_refunds(req: ApiRequest) -> JsonObj:
    return respond_filtered(req, "refund", "/v1/refunds", charge="charge",
                            payment_intent="payment_intent")


ROUTES = [
    Route("POST", "/v1/payment_intents", api_create_intent, "PaymentIntentCreateParams"),
    Route("GET", "/v1/payment_intents", api_list_intents, "PaymentIntentListParams"),
    Route("GET", "/v1/payment_intents/{id}", api_retrieve_intent,
          "PaymentIntentRetrieveParams"),
    Route("POST", "/v1/payment_intents/{id}", api_update_intent, "PaymentIntentUpdateParams"),
    Route("POST", "/v1/payment_intents/{id}/confirm", api_confirm_intent,
          "PaymentIntentConfirmParams"),
    Route("POST", "/v1/payment_intents/{id}/cancel", api_cancel_intent,
          "PaymentIntentCancelParams"),
    Route("GET", "/v1/charges", api_list_charges, "ChargeListParams"),
    Route("GET", "/v1/charges/{id}", api_retrieve_charge, "ChargeRetrieveParams"),
    Route("POST", "/v1/refunds", api_create_refund, "RefundCreateParams"),
    Route("GET", "/v1/refunds", api_list_refunds, "RefundListParams"),
    Route("GET", "/v1/refunds/{id}", api_retrieve_refund, "RefundRetrieveParams"),
    Route("POST", "/v1/refunds/{id}", api_update_refund, "RefundUpdateParams"),
]
