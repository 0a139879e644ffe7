"""Payment methods: Stripe's test cards (`pm_card_visa`, ...) and the `pm_` objects they become.

Each use of a test token creates a fresh `pm_` object, as Stripe does; how it behaves
when charged (succeeds, declines, needs 3-D Secure) is remembered outside the API shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from .encoding import Params
from .errors import invalid_request
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id


@dataclass(frozen=True)
class TestCard:
    brand: str
    last4: str
    # "succeed", "decline", "authenticate" (3-D Secure on every payment, off-session too) or
    # "authenticate_on_setup" (3-D Secure until set up for off-session use, then none).
    behavior: str
    decline_code: str | None = None
    error_code: str = "card_declined"
    funding: str = "credit"
    message: str = "Your card was declined."
    number: str = ""
    # Whether saving it (a SetupIntent's zero-amount check) is refused too, or only charges are.
    declines_setup: bool = True


TEST_CARDS: dict[str, TestCard] = {
    "pm_card_visa": TestCard("visa", "4242", "succeed", number="4242424242424242"),
    "pm_card_visa_debit": TestCard(
        "visa", "5556", "succeed", funding="debit", number="4000056655665556"
    ),
    "pm_card_mastercard": TestCard("mastercard", "4444", "succeed", number="5555555555554444"),
    "pm_card_amex": TestCard("amex", "8431", "succeed", number="371449635398431"),
    "pm_card_chargeDeclined": TestCard(
        "visa", "0002", "decline", "generic_decline", number="4000000000000002"
    ),
    "pm_card_chargeCustomerFail": TestCard(
        "visa", "0341", "decline", "generic_decline", number="4000000000000341",
        declines_setup=False,
    ),
    "pm_card_chargeDeclinedInsufficientFunds": TestCard(
        "visa", "9995", "decline", "insufficient_funds",
        message="Your card has insufficient funds.", number="4000000000009995",
        declines_setup=False,
    ),
    "pm_card_chargeDeclinedExpiredCard": TestCard(
        "visa", "0069", "decline", "expired_card", error_code="expired_card",
        message="Your card has expired.", number="4000000000000069",
    ),
    "pm_card_authenticationRequired": TestCard(
        "visa", "3184", "authenticate", number="4000002760003184"
    ),
    "pm_card_threeDSecure2Required": TestCard(
        "visa", "3220", "authenticate", number="4000000000003220"
    ),
    "pm_card_authenticationRequiredOnSetup": TestCard(
        "visa", "3155", "authenticate_on_setup", number="4000002500003155"
    ),
}
TOKEN_BY_NUMBER: dict[str, str] = {card.number: token for token, card in TEST_CARDS.items()}


def card_of(account: Account, pm_id: str) -> TestCard:
    return account.side_of(pm_id)["card"]  # type: ignore[no-any-return]


def needs_authentication(account: Account, pm: JsonObj, *, off_session: bool) -> bool:
    """Whether a payment (or a setup) with `pm` asks for a 3-D Secure challenge."""
    card = card_of(account, pm["id"])
    if card.behavior == "authenticate":
        return True
    if card.behavior == "authenticate_on_setup":
        return not (off_session and account.side_of(pm["id"]).get("set_up"))
    return False


def three_d_secure_action(account: Account, intent_id: str) -> JsonObj:
    """The `next_action` of an intent waiting for its 3-D Secure challenge (the hosted page answers it)."""
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {
            "type": "three_d_secure_redirect",
            "stripe_js": f"{account.base_url}/_emulator/authenticate/{intent_id}",
            "source": new_id("src_"),
        },
    }


def mark_set_up(account: Account, pm: JsonObj) -> None:
    """`pm` was set up for future use (a SetupIntent, or a payment with setup_future_usage)."""
    account.side_of(pm["id"])["set_up"] = True


def _new_payment_method(
    account: Account,
    card: TestCard,
    customer: str | None,
    *,
    exp_month: int = 12,
    exp_year: int = 2034,
    metadata: dict[str, str] | None = None,
) -> JsonObj:
    pm: JsonObj = {
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {
                "city": None, "country": None, "line1": None,
                "line2": None, "postal_code": None, "state": None,
            },
            "email": None,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "card": {
            "brand": card.brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": None,
                "cvc_check": "pass",
            },
            "country": "US",
            "display_brand": card.brand,
            "exp_month": exp_month,
            "exp_year": exp_year,
            "fingerprint": f"emu{card.brand[:3]}{card.last4}fp",
            "funding": card.funding,
            "generated_from": None,
            "last4": card.last4,
            "networks": {"available": [card.brand], "preferred": None},
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
            "regulated_status": "unregulated",
        },
        "created": account.now(),
        "customer": customer,
        "id": new_id("pm_"),
        "livemode": False,
        "metadata": metadata or {},
        "object": "payment_method",
        "type": "card",
        "customer_account": None,
    }
    account.insert(pm)
    account.side_of(pm["id"])["card"] = card
    return pm


def resolve(account: Account, ref: str, *, param: str = "payment_method") -> JsonObj:
    """A `pm_` object for a test token or test card number (newly made) or an existing id."""
    card = TEST_CARDS.get(TOKEN_BY_NUMBER.get(ref.replace(" ", ""), ref))
    if card is not None:
        return _new_payment_method(account, card, None)
    return account.get("payment_method", ref, param=param)


def attach(account: Account, pm: JsonObj, customer_id: str) -> None:
    if pm["customer"] == customer_id:
        return
    if pm["customer"] is not None:
        raise invalid_request(
            "The payment method you provided has already been attached to a customer.",
            param="payment_method",
        )
    pm["customer"] = customer_id
    account.emit("payment_method.attached", pm)


def charge_details(pm: JsonObj, amount: int) -> JsonObj:
    """`payment_method_details` of a charge made with `pm`."""
    card = pm["card"]
    return {
        "card": {
            "amount_authorized": amount,
            "brand": card["brand"],
            "checks": dict(card["checks"]),
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "extended_authorization": {"status": "disabled"},
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": card["last4"],
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": card["brand"],
            "network_token": {"used": False},
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "three_d_secure": None,
            "wallet": None,
            "authorization_code": "123456",
            "regulated_status": "unregulated",
            "network_transaction_id": new_id("", 15),
            "transaction_link_id": None,
        },
        "type": "card",
    }


# ---------------------------------------------------------------- API


def create_payment_method(req: ApiRequest) -> JsonObj:
    """`type=card` with a test card's `card[number]` (and expiry) or `card[token]` (`tok_visa`)."""
    params = req.params
    kind = params.str("type", required=True, choices=("card",))
    assert kind == "card"
    details = params.dict("card", required=True)
    assert details is not None
    number = (details.str("number") or "").replace(" ", "")
    token = details.str("token")
    ref = TOKEN_BY_NUMBER.get(number) if number else None
    if token:
        ref = "pm_card_" + token.removeprefix("tok_")
    card = TEST_CARDS.get(ref or "")
    if card is None:
        raise invalid_request(
            "Your card number is incorrect." if number else "Send card[number] or card[token].",
            param="card[number]" if number else "card",
            code="incorrect_number" if number else None,
        )
    pm = _new_payment_method(
        req.account,
        card,
        None,
        exp_month=details.int("exp_month", minimum=1) or 12,
        exp_year=details.int("exp_year", minimum=2000) or 2034,
        metadata=params.metadata() or {},
    )
    return respond(req, pm)


def retrieve_payment_method(req: ApiRequest) -> JsonObj:
    return respond(req, resolve(req.account, req.arg("id"), param="id"))


def attach_payment_method(req: ApiRequest) -> JsonObj:
    pm = resolve(req.account, req.arg("id"), param="id")
    customer = req.params.str("customer", required=True)
    assert customer is not None
    req.account.get("customer", customer, param="customer")
    attach(req.account, pm, customer)
    return respond(req, pm)


def detach_payment_method(req: ApiRequest) -> JsonObj:
    pm = resolve(req.account, req.arg("id"), param="id")
    if pm["customer"] is None:
        raise invalid_request(
            "The payment method you provided is not attached to a customer so detachment "
            "is impossible.",
        )
    account = req.account
    owner = account.find(pm["customer"])
    pm["customer"] = None
    account.emit("payment_method.detached", pm)
    if owner is not None and owner["invoice_settings"]["default_payment_method"] == pm["id"]:
        # A detached card can no longer be the customer's default for invoices.
        before = account.snapshot(owner)
        owner["invoice_settings"]["default_payment_method"] = None
        account.emit_updated("customer.updated", owner, before)
    return respond(req, pm)


def _list_for(req: ApiRequest, customer: str | None, url: str) -> JsonObj:
    params: Params = req.params
    kind = params.str("type")
    items = [
        pm
        for pm in req.account.all("payment_method")
        if (customer is None or pm["customer"] == customer) and kind in (None, pm["type"])
    ]
    return respond_list(req, items, url)


def list_payment_methods(req: ApiRequest) -> JsonObj:
    customer = req.params.str("customer")
    if customer:
        req.account.get("customer", customer, param="customer")
    return _list_for(req, customer, "/v1/payment_methods")


def list_customer_payment_methods(req: ApiRequest) -> JsonObj:
    customer = req.arg("customer")
    req.account.get("customer", customer)
    return _list_for(req, customer, f"/v1/customers/{customer}/payment_methods")


ROUTES = [
    Route("POST", "/v1/payment_methods", create_payment_method, "PaymentMethodCreateParams"),
    Route("GET", "/v1/payment_methods", list_payment_methods, "PaymentMethodListParams"),
    Route("GET", "/v1/payment_methods/{id}", retrieve_payment_method,
          "PaymentMethodRetrieveParams"),
    Route("POST", "/v1/payment_methods/{id}/attach", attach_payment_method,
          "PaymentMethodAttachParams"),
    Route("POST", "/v1/payment_methods/{id}/detach", detach_payment_method,
          "PaymentMethodDetachParams"),
    Route("GET", "/v1/customers/{customer}/payment_methods", list_customer_payment_methods,
          "CustomerPaymentMethodListParams"),
]
