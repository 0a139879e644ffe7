"""Customers: create, retrieve, update, list (by email), delete."""

from __future__ import annotations

import secrets

from .cards import attach, resolve
from .encoding import Params
from .errors import invalid_request
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

_ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")


def _address(params: Params | None) -> JsonObj | None:
    if params is None:
        return None
    return {k: params.str(k) for k in _ADDRESS_KEYS}


def create_customer_object(
    account: Account,
    *,
    email: str | None = None,
    name: str | None = None,
    metadata: dict[str, str] | None = None,
) -> JsonObj:
    customer: JsonObj = {
        "address": None,
        "balance": 0,
        "created": account.now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": email,
        "id": new_id("cus_", 14),
        "invoice_prefix": secrets.token_hex(4).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": metadata or {},
        "name": name,
        "next_invoice_sequence": 1,
        "object": "customer",
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    return account.insert(customer)


def _apply(
    account: Account, customer: JsonObj, params: Params, attached: JsonObj | None = None
) -> None:
    for key in ("email", "name", "description", "phone"):
        if params.has(key):
            customer[key] = params.str(key) or None
    if params.has("address"):
        customer["address"] = _address(params.dict("address"))
    if params.has("preferred_locales"):
        customer["preferred_locales"] = params.str_list("preferred_locales")
    if params.has("tax_exempt"):
        customer["tax_exempt"] = params.str("tax_exempt", choices=("none", "exempt", "reverse"))
    metadata = params.metadata(existing=customer["metadata"])
    if metadata is not None:
        customer["metadata"] = metadata
    settings = params.dict("invoice_settings")
    if settings is not None and settings.has("default_payment_method"):
        pm_id = settings.str("default_payment_method")
        if pm_id and attached is not None and pm_id == params.str("payment_method"):
            # Stripe's docs pass the same test token twice; both mean the attached card.
            customer["invoice_settings"]["default_payment_method"] = attached["id"]
        elif pm_id:
            pm = resolve(account, pm_id, param="invoice_settings[default_payment_method]")
            if pm["customer"] != customer["id"]:
                raise invalid_request(
                    f"The customer does not have a payment method with the ID {pm_id}. The "
                    "payment method must be attached to the customer.",
                    param="invoice_settings[default_payment_method]",
                )
            customer["invoice_settings"]["default_payment_method"] = pm["id"]
        else:
            customer["invoice_settings"]["default_payment_method"] = None


def create_customer(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    customer = create_customer_object(account)
    pm_ref = params.str("payment_method")
    pm = resolve(account, pm_ref) if pm_ref else None
    _apply(account, customer, params, attached=pm)
    account.emit("customer.created", customer)
    if pm is not None:
        attach(account, pm, customer["id"])
    return respond(req, customer)


def retrieve_customer(req: ApiRequest) -> JsonObj:
    id_ = req.arg("id")
    if req.account.deleted.get(id_) == "customer":
        return {"id": id_, "object": "customer", "deleted": True}
    return respond(req, req.account.get("customer", id_))


def update_customer(req: ApiRequest) -> JsonObj:
    account = req.account
    customer = account.get("customer", req.arg("id"))
    before = account.snapshot(customer)
    _apply(account, customer, req.params)
    account.emit_updated("customer.updated", customer, before)
    return respond(req, customer)


def delete_customer(req: ApiRequest) -> JsonObj:
    from .subscriptions import cancel_now  # noqa: PLC0415 - subscriptions build on customers

    account = req.account
    customer = account.get("customer", req.arg("id"))
    for sub in account.all("subscription"):
        if sub["customer"] == customer["id"] and sub["status"] not in (
            "canceled",
            "incomplete_expired",
        ):
            cancel_now(account, sub, reason="cancellation_requested")
    account.remove(customer["id"])
    account.emit("customer.deleted", customer)
    return {"deleted": True, "id": customer["id"], "object": "customer"}


def list_customers(req: ApiRequest) -> JsonObj:
    email = req.params.str("email")
    items = [c for c in req.account.all("customer") if email is None or c["email"] == email]
    return respond_list(req, items, "/v1/customers")


def touch_balance(account: Account, customer: JsonObj, balance: int) -> None:
    """Set the customer's credit balance (invoices apply and leave credit here)."""
    if customer["balance"] == balance:
        return
    before = account.snapshot(customer)
    customer["balance"] = balance
    account.emit_updated("customer.updated", customer, before)


def set_delinquent(account: Account, customer: JsonObj, delinquent: bool) -> None:
    if customer["delinquent"] == delinquent:
        return
    before = account.snapshot(customer)
    customer["delinquent"] = delinquent
    account.emit_updated("customer.updated", customer, before)


ROUTES = [
    Route("POST", "/v1/customers", create_customer, "CustomerCreateParams"),
    Route("GET", "/v1/customers", list_customers, "CustomerListParams"),
    Route("GET", "/v1/customers/{id}", retrieve_customer, "CustomerRetrieveParams"),
    Route("POST", "/v1/customers/{id}", update_customer, "CustomerUpdateParams"),
    Route("DELETE", "/v1/customers/{id}", delete_customer, "CustomerDeleteParams"),
]
