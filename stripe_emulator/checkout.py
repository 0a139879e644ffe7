"""Checkout Sessions: create (subscription and payment modes), line items, expire, and the
customer's side -- paying on the hosted page -- which the test helpers drive.
"""

from __future__ import annotations

from typing import Any

from .cards import TEST_CARDS, attach, card_of, resolve
from .catalog import create_price
from .customers import create_customer_object
from .encoding import Params
from .errors import card_error, invalid_request, state_error
from .expansion import includable, respond, respond_list
from .invoices import LineSpec, create_invoice_item, line_for_item
from .listing import embedded_list
from .payments import (
    PAYMENT_LISTENERS,
    authenticate,
    confirm_intent,
    create_intent,
    finish_processing,
)
from .promotions import (
    find_active_code,
    new_discount,
    redeem,
    redeemable_coupon,
    split_discount,
)
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id
from .subscriptions import start_subscription

_MIN_EXPIRY, _MAX_EXPIRY = 30 * 60, 24 * 3600


def success_url_for(session: JsonObj) -> str | None:
    """The redirect after payment, with Stripe's `{CHECKOUT_SESSION_ID}` filled in."""
    url = session["success_url"]
    return url.replace("{CHECKOUT_SESSION_ID}", session["id"]) if url else None


# ---------------------------------------------------------------- amounts


def _lines(account: Account, session: JsonObj) -> list[dict[str, Any]]:
    return account.side_of(session["id"])["lines"]  # type: ignore[no-any-return]


def _trial_end(account: Account, session: JsonObj) -> int | None:
    trial_end: int | None = account.side_of(session["id"]).get("trial_end")
    return trial_end


def _price_line(
    account: Account, session: JsonObj, line: dict[str, Any]
) -> tuple[JsonObj, int]:
    price = account.get("price", line["price"])
    trialing = _trial_end(account, session) is not None
    if trialing and price["type"] == "recurring":
        return price, 0
    return price, price["unit_amount"] * line["quantity"]


def _compute_amounts(account: Account, session: JsonObj, coupon: JsonObj | None) -> None:
    lines = _lines(account, session)
    subtotals = [_price_line(account, session, line)[1] for line in lines]
    discounts = split_discount(coupon, subtotals) if coupon else [0] * len(lines)
    for line, subtotal, discount in zip(lines, subtotals, discounts, strict=True):
        line.update(subtotal=subtotal, discount=discount)
    session["amount_subtotal"] = sum(subtotals)
    session["amount_total"] = sum(subtotals) - sum(discounts)
    session["total_details"] = {
        "amount_discount": sum(discounts),
        "amount_shipping": 0,
        "amount_tax": 0,
    }


def _line_item(account: Account, session: JsonObj, line: dict[str, Any]) -> JsonObj:
    price = account.get("price", line["price"])
    product = account.find(price["product"])
    return {
        "amount_discount": line["discount"],
        "amount_subtotal": line["subtotal"],
        "amount_tax": 0,
        "amount_total": line["subtotal"] - line["discount"],
        "currency": price["currency"],
        "description": product["name"] if product else None,
        "id": line["id"],
        "object": "item",
        "price": account.render(price),
        "quantity": line["quantity"],
        "metadata": {},
        "adjustable_quantity": None,
    }


@includable("checkout.session", "line_items")
def line_items(account: Account, session: JsonObj) -> JsonObj:
    items = [_line_item(account, session, line) for line in _lines(account, session)]
    return embedded_list(items, f"/v1/checkout/sessions/{session['id']}/line_items")


# ---------------------------------------------------------------- create


def _line_price(account: Account, entry: Params, index: int) -> JsonObj:
    param = f"line_items[{index}][price]"
    price_id = entry.str("price")
    data = entry.dict("price_data")
    if price_id and data is not None:
        raise invalid_request(
            "You may only specify one of these parameters: price, price_data.", param=param
        )
    if data is not None:
        price = create_price(account, data)
        price["active"] = False
        return price
    if not price_id:
        raise invalid_request(
            "You must specify either `price` or `price_data` for each line item.",
            param=param,
        )
    price = account.get("price", price_id, param=param)
    if not price["active"]:
        raise invalid_request(
            "The price specified is inactive. This field only accepts active prices.",
            param=param,
        )
    return price


def _session_discount(
    account: Account, params: Params, customer: str | None, amount: int, currency: str
) -> tuple[list[JsonObj], JsonObj | None]:
    entries = [e for e in params.list("discounts") if isinstance(e, Params)]
    if not entries:
        return [], None
    if len(entries) > 1:
        raise invalid_request("You may only apply one discount to a Checkout Session.",
                              param="discounts")
    coupon, promo = redeemable_coupon(
        account,
        coupon_id=entries[0].str("coupon"),
        promo_id=entries[0].str("promotion_code"),
        customer_id=customer,
        amount=amount,
        currency=currency,
        param="discounts[0]",
    )
    echo = {"coupon": coupon["id"] if not promo else None,
            "promotion_code": promo["id"] if promo else None}
    return [echo], coupon


def api_create_session(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    now = account.now()
    mode = params.str("mode", required=True, choices=("payment", "setup", "subscription"))
    if mode == "setup":
        raise invalid_request("The emulator does not support `setup` mode.", param="mode")
    customer = params.str("customer")
    customer_email = params.str("customer_email")
    if customer and customer_email:
        raise invalid_request(
            "You may only specify one of these parameters: customer, customer_email."
        )
    if customer:
        account.get("customer", customer, param="customer")
    if params.has("discounts") and params.bool("allow_promotion_codes"):
        raise invalid_request(
            "You may only specify one of these parameters: allow_promotion_codes, discounts."
        )
    sub_data = params.dict("subscription_data")
    pi_data = params.dict("payment_intent_data")
    if mode != "subscription" and sub_data is not None:
        raise invalid_request(
            f"You can not pass `subscription_data` in `{mode}` mode.",
            param="subscription_data",
        )
    if mode != "payment" and pi_data is not None:
        raise invalid_request(
            f"You can not pass `payment_intent_data` in `{mode}` mode.",
            param="payment_intent_data",
        )
    customer_creation = params.str("customer_creation", choices=("always", "if_required"))
    if customer_creation and mode != "payment":
        raise invalid_request(
            "`customer_creation` can only be used in `payment` mode.",
            param="customer_creation",
        )
    expires_at = params.int("expires_at")
    if expires_at is not None and not now + _MIN_EXPIRY <= expires_at <= now + _MAX_EXPIRY:
        raise invalid_request(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
            "Checkout Session creation.",
            param="expires_at",
        )
    lines: list[dict[str, Any]] = []
    prices: list[JsonObj] = []
    for i, entry in enumerate(params.list("line_items", required=True)):
        if not isinstance(entry, Params):
            raise invalid_request("Invalid array", param=f"line_items[{i}]")
        price = _line_price(account, entry, i)
        quantity = entry.int("quantity", required=True, minimum=1)
        prices.append(price)
        lines.append({"id": new_id("li_"), "price": price["id"], "quantity": quantity})
    if len({p["currency"] for p in prices}) > 1:
        raise invalid_request("All line items must use the same currency.",
                              param="line_items")
    recurring = [p for p in prices if p["type"] == "recurring"]
    if mode == "subscription" and not recurring:
        raise invalid_request(
            "You must specify at least one recurring price in `subscription` mode when "
            "using prices.",
            param="line_items",
        )
    if mode == "payment" and recurring:
        raise invalid_request(
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
            param="line_items",
        )
    trial_end = trial_days = None
    if sub_data is not None:
        # Trial days count from the subscription's start (when the session completes), as at Stripe.
        trial_days = sub_data.int("trial_period_days", minimum=1)
        trial_end = now + trial_days * 86400 if trial_days else sub_data.int("trial_end")
    session_id = new_id("cs_test_a1", 56)
    currency = prices[0]["currency"]
    session: JsonObj = {
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "allow_promotion_codes": params.bool("allow_promotion_codes"),
        "amount_subtotal": 0,
        "amount_total": 0,
        "automatic_tax": {"enabled": False, "liability": None, "status": None, "provider": None},
        "billing_address_collection": params.str("billing_address_collection"),
        "cancel_url": params.str("cancel_url"),
        "client_reference_id": params.str("client_reference_id"),
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": now,
        "currency": currency,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": customer,
        "customer_creation": (customer_creation or "if_required") if mode == "payment" else None,
        "customer_details": (
            {
                "address": None, "email": customer_email, "name": None, "phone": None,
                "tax_exempt": "none", "tax_ids": [], "business_name": None,
                "individual_name": None,
            }
            if customer_email
            else None
        ),
        "customer_email": customer_email,
        "discounts": [],
        "expires_at": expires_at or now + _MAX_EXPIRY,
        "id": session_id,
        "invoice": None,
        "invoice_creation": (
            {
                "enabled": False,
                "invoice_data": {
                    "account_tax_ids": None, "custom_fields": None, "description": None,
                    "footer": None, "issuer": None, "metadata": {},
                    "rendering_options": None,
                },
            }
            if mode == "payment"
            else None
        ),
        "livemode": False,
        "locale": params.str("locale"),
        "metadata": params.metadata() or {},
        "mode": mode,
        "object": "checkout.session",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "always" if mode == "subscription" else "if_required",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": params.str("submit_type"),
        "subscription": None,
        "success_url": params.str("success_url"),
        "total_details": None,
        "ui_mode": params.str("ui_mode") or "hosted",
        "url": f"{req.base_url}/_emulator/pay/{session_id}",
        "wallet_options": None,
        "origin_context": None,
        "customer_account": None,
        "integration_identifier": None,
        "managed_payments": None,
    }
    side = account.side_of(session_id)
    side.update(
        lines=lines,
        trial_end=trial_end,
        trial_days=trial_days,
        subscription_metadata=(sub_data.metadata() if sub_data else None) or {},
        subscription_description=sub_data.str("description") if sub_data else None,
        intent_metadata=(pi_data.metadata() if pi_data else None) or {},
        intent_description=pi_data.str("description") if pi_data else None,
        setup_future_usage=pi_data.str("setup_future_usage") if pi_data else None,
    )
    gross = sum(p["unit_amount"] * line["quantity"] for p, line in zip(prices, lines, strict=True))
    session["discounts"], coupon = _session_discount(account, params, customer, gross, currency)
    _compute_amounts(account, session, coupon)
    account.insert(session)
    return respond(req, session)


# ---------------------------------------------------------------- the customer's side


def expire(account: Account, session: JsonObj) -> JsonObj:
    if session["status"] != "open":
        raise state_error(
            'Only Checkout Sessions with a status in ["open"] can be expired.'
        )
    session.update(status="expired", url=None)
    account.emit("checkout.session.expired", session)
    return session


def _discount_in_force(account: Account, session: JsonObj) -> tuple[JsonObj, JsonObj | None] | None:
    if not session["discounts"]:
        return None
    entry = session["discounts"][0]
    promo = account.find(entry["promotion_code"]) if entry["promotion_code"] else None
    coupon_id = promo["promotion"]["coupon"] if promo else entry["coupon"]
    return account.get("coupon", coupon_id), promo


def _enter_promotion_code(account: Account, session: JsonObj, code: str, customer: str | None) -> None:
    if not session["allow_promotion_codes"]:
        raise invalid_request("This Checkout Session does not accept promotion codes.",
                              param="promotion_code")
    promo = find_active_code(account, code)
    if promo is None:
        raise invalid_request("This code is invalid.", param="promotion_code")
    coupon, _ = redeemable_coupon(
        account, coupon_id=None, promo_id=promo["id"], customer_id=customer,
        amount=session["amount_subtotal"], currency=session["currency"],
        param="promotion_code",
    )
    session["discounts"] = [{"coupon": None, "promotion_code": promo["id"]}]
    _compute_amounts(account, session, coupon)


def _customer_details(email: str | None, name: str | None) -> JsonObj:
    return {
        "address": None,
        "email": email,
        "name": name,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
        "business_name": None,
        "individual_name": None,
    }


def _ensure_customer(account: Account, session: JsonObj, email: str | None, name: str | None) -> JsonObj:
    if session["customer"]:
        return account.get("customer", session["customer"])
    customer = create_customer_object(account, email=email, name=name)
    account.emit("customer.created", customer)
    session["customer"] = customer["id"]
    return customer


def complete(
    account: Account,
    session: JsonObj,
    *,
    payment_method: str = "pm_card_visa",
    async_payment: str | None = None,
    promotion_code: str | None = None,
    email: str | None = None,
    name: str | None = None,
) -> JsonObj:
    """The customer pays on the hosted page: what Stripe does when they press Pay."""
    if session["status"] == "open" and session["expires_at"] <= account.now():
        expire(account, session)
    if session["status"] != "open":
        raise state_error(f"This Checkout Session is {session['status']}; it cannot be paid.")
    if async_payment not in (None, "pending", "succeeded", "failed"):
        raise invalid_request(
            "async_payment must be one of pending, succeeded, failed", param="async_payment"
        )
    if async_payment and session["mode"] != "payment":
        raise invalid_request("Asynchronous payment methods are emulated in payment mode only.",
                              param="async_payment")
    if payment_method not in TEST_CARDS and account.find(payment_method) is None:
        raise invalid_request(f"No such PaymentMethod: '{payment_method}'",
                              param="payment_method", code="resource_missing")
    email = email or session["customer_email"]
    if email is None and session["customer"]:
        email = account.get("customer", session["customer"])["email"]
    if promotion_code:
        _enter_promotion_code(account, session, promotion_code, session["customer"])
    if session["mode"] == "subscription":
        _complete_subscription(account, session, payment_method, email, name)
    else:
        _complete_payment(account, session, payment_method, async_payment, email, name)
    return session


def _redeem_discount(account: Account, session: JsonObj, customer: str | None) -> list[str]:
    found = _discount_in_force(account, session)
    if found is None:
        return []
    coupon, promo = found
    redeem(account, coupon, promo)
    discount = new_discount(account, coupon, promo, customer=customer,
                            checkout_session=session["id"])
    return [discount["id"]]


def _complete_subscription(
    account: Account, session: JsonObj, pm_ref: str, email: str | None, name: str | None
) -> None:
    side = account.side_of(session["id"])
    card = TEST_CARDS.get(pm_ref) or card_of(account, pm_ref)
    if card.behavior == "decline" and session["amount_total"] > 0:
        # The card is refused on the page: nothing is created, the session stays open.
        raise card_error(card.message, code=card.error_code, decline_code=card.decline_code,
                         extra={})
    customer = _ensure_customer(account, session, email, name)
    pm = resolve(account, pm_ref)
    attach(account, pm, customer["id"])
    discount_ids = _redeem_discount(account, session, customer["id"])
    items: list[tuple[JsonObj, int, dict[str, str]]] = []
    extra_lines: list[LineSpec] = []
    for line in _lines(account, session):
        price = account.get("price", line["price"])
        if price["type"] == "recurring":
            items.append((price, line["quantity"], {}))
            continue
        now = account.now()
        item = create_invoice_item(
            account,
            customer=customer["id"],
            amount=price["unit_amount"] * line["quantity"],
            currency=price["currency"],
            description=account.get("product", price["product"])["name"],
            period=(now, now),
            price=price,
            quantity=line["quantity"],
        )
        extra_lines.append(line_for_item(item))
    sub, invoice, _ = start_subscription(
        account,
        customer=customer,
        items=items,
        metadata=dict(side["subscription_metadata"]),
        trial_end=side["trial_end"],
        trial_days=side["trial_days"],
        default_payment_method=pm,
        discount_ids=discount_ids,
        description=side["subscription_description"],
        extra_lines=extra_lines,
    )
    intent = account.find(account.side_of(invoice["id"]).get("payment_intent"))
    if intent is not None and intent["status"] == "requires_action":
        authenticate(account, intent, True)
    session.update(
        status="complete",
        payment_status="paid" if invoice["amount_paid"] > 0 else "no_payment_required",
        subscription=sub["id"],
        invoice=invoice["id"],
        customer_details=_customer_details(email or customer["email"], name or customer["name"]),
        url=None,
    )
    account.emit("checkout.session.completed", session)


def _complete_payment(
    account: Account,
    session: JsonObj,
    pm_ref: str,
    async_payment: str | None,
    email: str | None,
    name: str | None,
) -> None:
    side = account.side_of(session["id"])
    customer = None
    if session["customer"] or session["customer_creation"] == "always":
        customer = _ensure_customer(account, session, email, name)
    pm = resolve(account, pm_ref)
    intent = account.find(session["payment_intent"])
    if intent is None or intent["status"] != "requires_payment_method":
        intent = create_intent(
            account,
            amount=session["amount_total"],
            currency=session["currency"],
            customer=customer["id"] if customer else None,
            metadata=dict(side["intent_metadata"]),
            description=side["intent_description"],
            setup_future_usage=side["setup_future_usage"],
        )
        account.side_of(intent["id"])["checkout_session"] = session["id"]
        session["payment_intent"] = intent["id"]
    error = confirm_intent(account, intent, pm, async_processing=async_payment is not None)
    if error is not None:
        raise error
    if intent["status"] == "requires_action":
        authenticate(account, intent, True)
    _redeem_discount(account, session, customer["id"] if customer else None)
    session.update(
        status="complete",
        payment_status="paid" if intent["status"] == "succeeded" else "unpaid",
        customer_details=_customer_details(email, name),
        url=None,
    )
    account.emit("checkout.session.completed", session)
    if async_payment in ("succeeded", "failed"):
        finish_processing(account, intent, async_payment == "succeeded")


def settle_async(account: Account, session: JsonObj, outcome: str) -> JsonObj:
    intent = account.find(session["payment_intent"])
    if session["status"] != "complete" or intent is None or intent["status"] != "processing":
        raise state_error("This Checkout Session has no payment in processing.")
    finish_processing(account, intent, outcome == "succeeded")
    return session


def _on_payment(account: Account, intent: JsonObj, outcome: str) -> None:
    session = account.find(account.side_of(intent["id"]).get("checkout_session"))
    if session is None or session["status"] != "complete" or session["payment_status"] != "unpaid":
        return
    if outcome == "succeeded":
        session["payment_status"] = "paid"
        account.emit("checkout.session.async_payment_succeeded", session)
    elif outcome == "payment_failed":
        account.emit("checkout.session.async_payment_failed", session)


PAYMENT_LISTENERS.append(_on_payment)


# ---------------------------------------------------------------- API


def api_retrieve_session(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("checkout.session", req.arg("id")))


def api_list_sessions(req: ApiRequest) -> JsonObj:
    params = req.params
    filters = {k: params.str(k) for k in ("customer", "payment_intent", "subscription", "status")}
    items: list[JsonObj] = [
        s
        for s in req.account.all("checkout.session")
        if all(v is None or s[k] == v for k, v in filters.items())
    ]
    return respond_list(req, items, "/v1/checkout/sessions")


def api_list_line_items(req: ApiRequest) -> JsonObj:
    session = req.account.get("checkout.session", req.arg("id"))
    items = [_line_item(req.account, session, line) for line in _lines(req.account, session)]
    return respond_list(req, list(reversed(items)),
                        f"/v1/checkout/sessions/{session['id']}/line_items")


def api_expire_session(req: ApiRequest) -> JsonObj:
    session = req.account.get("checkout.session", req.arg("id"))
    return respond(req, expire(req.account, session))


ROUTES = [
    Route("POST", "/v1/checkout/sessions", api_create_session, "checkout.SessionCreateParams"),
    Route("GET", "/v1/checkout/sessions", api_list_sessions, "checkout.SessionListParams"),
    Route("GET", "/v1/checkout/sessions/{id}", api_retrieve_session,
          "checkout.SessionRetrieveParams"),
    Route("GET", "/v1/checkout/sessions/{id}/line_items", api_list_line_items,
          "checkout.SessionListLineItemsParams"),
    Route("POST", "/v1/checkout/sessions/{id}/expire", api_expire_session,
          "checkout.SessionExpireParams"),
]
