"""Invoices, their line items, invoice items (prorations) and invoice payments.

Today's shapes: the subscription lives under `parent.subscription_details.subscription`
and each line's origin under `line.parent`; the legacy `subscription` fields are kept
(the key set is Stripe's) but stay null, as in Stripe's example objects. Payments are the
includable `payments` list (`expand[]=payments`), not `charge`/`payment_intent` fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cards import resolve
from .customers import set_delinquent, touch_balance
from .errors import StripeError, invalid_request, state_error
from .expansion import includable, respond, respond_list
from .listing import embedded_list, paginate
from .payments import PAYMENT_LISTENERS, cancel_intent, confirm_intent, create_intent
from .promotions import coupon_of, split_discount
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

# (account, invoice, outcome) with outcome "paid", "payment_failed", "action_required",
# "voided"; subscriptions react to their invoices through this.
InvoiceListener = Callable[[Account, JsonObj, str], None]
INVOICE_LISTENERS: list[InvoiceListener] = []

_INTENT_DESCRIPTIONS = {
    "subscription_create": "Subscription creation",
    "subscription_cycle": "Subscription update",
    "subscription_update": "Subscription update",
    "manual": None,
}


@dataclass
class LineSpec:
    """One line to put on an invoice."""

    amount: int
    description: str
    period: tuple[int, int]
    price: JsonObj | None = None
    quantity: int = 1
    proration: bool = False
    subscription_item: str | None = None
    invoice_item: str | None = None
    discountable: bool = True
    metadata: dict[str, str] = field(default_factory=dict)


def subscription_of(invoice: JsonObj) -> str | None:
    parent = invoice["parent"]
    if parent and parent["type"] == "subscription_details":
        return parent["subscription_details"]["subscription"]  # type: ignore[no-any-return]
    return None


# ---------------------------------------------------------------- invoice items


def create_invoice_item(
    account: Account,
    *,
    customer: str,
    amount: int,
    currency: str,
    description: str,
    period: tuple[int, int],
    price: JsonObj | None = None,
    quantity: int = 1,
    proration: bool = False,
    subscription: str | None = None,
    subscription_item: str | None = None,
    metadata: dict[str, str] | None = None,
) -> JsonObj:
    item: JsonObj = {
        "amount": amount,
        "currency": currency,
        "customer": customer,
        "date": account.now(),
        "description": description,
        "discountable": not proration,
        "discounts": [],
        "id": new_id("ii_"),
        "invoice": None,
        "livemode": False,
        "metadata": metadata or {},
        "object": "invoiceitem",
        "period": {"end": period[1], "start": period[0]},
        "proration": proration,
        "quantity": quantity,
        "tax_rates": [],
        "test_clock": None,
        "parent": (
            {
                "subscription_details": {
                    "subscription": subscription,
                    "subscription_item": subscription_item,
                },
                "type": "subscription_details",
            }
            if subscription
            else None
        ),
        "pricing": _pricing(price, amount, quantity),
        "net_amount": amount,
        "customer_account": None,
        "quantity_decimal": str(quantity),
    }
    account.insert(item)
    account.emit("invoiceitem.created", item)
    return item


def pending_items(account: Account, customer: str, subscription: str | None) -> list[JsonObj]:
    """Invoice items waiting for the next invoice of `subscription` (or the customer)."""
    out = []
    for item in account.all("invoiceitem"):
        if item["invoice"] is not None or item["customer"] != customer:
            continue
        item_sub = item["parent"]["subscription_details"]["subscription"] if item["parent"] else None
        if item_sub in (None, subscription):
            out.append(item)
    return out


def line_for_item(item: JsonObj, subscription_item: str | None = None) -> LineSpec:
    price = None
    details = item["pricing"]["price_details"] if item["pricing"] else None
    if details:
        price = {"id": details["price"], "product": details["product"],
                 "unit_amount_decimal": item["pricing"]["unit_amount_decimal"]}
    sub_item = subscription_item
    if sub_item is None and item["parent"]:
        sub_item = item["parent"]["subscription_details"].get("subscription_item")
    return LineSpec(
        amount=item["amount"],
        description=item["description"],
        period=(item["period"]["start"], item["period"]["end"]),
        price=price,
        quantity=item["quantity"],
        proration=item["proration"],
        subscription_item=sub_item,
        invoice_item=item["id"],
        discountable=item["discountable"],
        metadata=dict(item["metadata"]),
    )


def _pricing(price: JsonObj | None, amount: int, quantity: int) -> JsonObj | None:
    if price is None:
        return None
    unit = price.get("unit_amount_decimal") or str(amount // max(quantity, 1))
    return {
        "price_details": {"price": price["id"], "product": price["product"]},
        "type": "price_details",
        "unit_amount_decimal": unit,
    }


# ---------------------------------------------------------------- building


def _line(spec: LineSpec, invoice_id: str, currency: str, subscription: str | None) -> JsonObj:
    if spec.subscription_item is not None:
        parent: JsonObj = {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": spec.invoice_item,
                "proration": spec.proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription,
                "subscription_item": spec.subscription_item,
            },
            "type": "subscription_item_details",
        }
    else:
        parent = {
            "invoice_item_details": {
                "invoice_item": spec.invoice_item,
                "proration": spec.proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        }
    return {
        "amount": spec.amount,
        "currency": currency,
        "description": spec.description,
        "discount_amounts": [],
        "discountable": spec.discountable,
        "discounts": [],
        "id": new_id("il_"),
        "invoice": invoice_id,
        "livemode": False,
        "metadata": dict(spec.metadata),
        "object": "line_item",
        "period": {"end": spec.period[1], "start": spec.period[0]},
        "quantity": spec.quantity,
        "subscription": None,
        "pretax_credit_amounts": [],
        "taxes": [],
        "parent": parent,
        "pricing": _pricing(spec.price, spec.amount, spec.quantity),
        "subtotal": spec.amount,
        "quantity_decimal": str(spec.quantity),
    }


def _applicable_discounts(account: Account, discount_ids: list[str]) -> list[JsonObj]:
    now = account.now()
    out = []
    for discount_id in discount_ids:
        discount = account.find(discount_id)
        if discount is None:
            continue
        coupon = coupon_of(account, discount)
        used = account.side_of(discount_id).get("invoices", 0)
        if coupon["duration"] == "once" and used >= 1:
            continue
        if discount["end"] is not None and discount["end"] <= now:
            continue
        out.append(discount)
    return out


def build_invoice(
    account: Account,
    *,
    customer: JsonObj,
    lines: list[LineSpec],
    billing_reason: str,
    currency: str,
    period: tuple[int, int],
    subscription: JsonObj | None = None,
    discount_ids: list[str] | None = None,
    description: str | None = None,
    collection_method: str = "charge_automatically",
    invoice_id: str | None = None,
) -> JsonObj:
    """A draft invoice (emits `invoice.created`); `invoice_id` may be reserved earlier."""
    now = account.now()
    invoice_id = invoice_id or new_id("in_")
    sub_id = subscription["id"] if subscription else None
    line_objs = [_line(spec, invoice_id, currency, sub_id) for spec in lines]
    discounts = _applicable_discounts(account, discount_ids or [])
    total_discounts: list[JsonObj] = []
    for discount in discounts:
        coupon = coupon_of(account, discount)
        eligible = [line for line in line_objs if line["discountable"]]
        shares = split_discount(coupon, [line["amount"] for line in eligible])
        for line, share in zip(eligible, shares, strict=True):
            if share:
                line["discount_amounts"].append({"amount": share, "discount": discount["id"]})
        total_discounts.append({"amount": sum(shares), "discount": discount["id"]})
        account.side_of(discount["id"])["invoices"] = (
            account.side_of(discount["id"]).get("invoices", 0) + 1
        )
    subtotal = sum(line["amount"] for line in line_objs)
    total = subtotal - sum(d["amount"] for d in total_discounts)
    invoice: JsonObj = {
        "account_country": account.country,
        "account_name": account.name,
        "account_tax_ids": None,
        "amount_due": max(total, 0),
        "amount_paid": 0,
        "amount_remaining": max(total, 0),
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": True,
        "automatic_tax": {
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },
        "billing_reason": billing_reason,
        "collection_method": collection_method,
        "created": now,
        "currency": currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_address": customer["address"],
        "customer_email": customer["email"],
        "customer_name": customer["name"],
        "customer_phone": customer["phone"],
        "customer_shipping": customer["shipping"],
        "customer_tax_exempt": customer["tax_exempt"],
        "customer_tax_ids": [],
        "default_payment_method": None,
        "default_source": None,
        "default_tax_rates": [],
        "description": description,
        "discounts": [d["id"] for d in discounts],
        "due_date": None,
        "effective_at": None,
        "ending_balance": None,
        "footer": None,
        "from_invoice": None,
        "hosted_invoice_url": None,
        "id": invoice_id,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": embedded_list(line_objs, f"/v1/invoices/{invoice_id}/lines"),
        "livemode": False,
        "metadata": {},
        "next_payment_attempt": None,
        "number": None,
        "object": "invoice",
        "on_behalf_of": None,
        "parent": (
            {
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
                "type": "subscription_details",
            }
            if subscription
            else None
        ),
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": period[1],
        "period_start": period[0],
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": {
            "amount_tax_display": None,
            "pdf": {"page_size": "auto"},
            "template": None,
            "template_version": None,
        },
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": None,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subscription": None,
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal,
        "test_clock": None,
        "total": total,
        "total_discount_amounts": total_discounts,
        "total_excluding_tax": total,
        "webhooks_delivered_at": None,
        "automatically_finalizes_at": now + 3600,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "amount_overpaid": 0,
        "customer_account": None,
    }
    account.insert(invoice)
    for spec in lines:
        if spec.invoice_item:
            account.get("invoiceitem", spec.invoice_item)["invoice"] = invoice_id
    account.emit("invoice.created", invoice)
    return invoice


def finalize(account: Account, invoice: JsonObj) -> None:
    """Number it, apply the customer's balance, open it (emits `invoice.finalized`)."""
    customer = account.get("customer", invoice["customer"])
    now = account.now()
    starting = customer["balance"]
    net = invoice["total"] + starting
    invoice.update(
        number=f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}",
        status="open",
        starting_balance=starting,
        ending_balance=min(net, 0),
        amount_due=max(net, 0),
        amount_remaining=max(net, 0),
        effective_at=now,
        automatically_finalizes_at=None,
        webhooks_delivered_at=now,
        hosted_invoice_url=f"{account.base_url}/_emulator/invoices/{invoice['id']}",
        invoice_pdf=f"{account.base_url}/_emulator/invoices/{invoice['id']}/pdf",
    )
    invoice["status_transitions"]["finalized_at"] = now
    customer["next_invoice_sequence"] += 1
    if customer["currency"] is None:
        customer["currency"] = invoice["currency"]
    touch_balance(account, customer, min(net, 0))
    account.emit("invoice.finalized", invoice)
    if invoice["amount_due"] == 0:
        _mark_paid(account, invoice, via_payment=False)


# ---------------------------------------------------------------- payment


def _intent_for(account: Account, invoice: JsonObj) -> JsonObj:
    side = account.side_of(invoice["id"])
    intent = account.find(side.get("payment_intent"))
    if intent is not None and intent["status"] not in ("canceled", "succeeded"):
        return intent
    intent = create_intent(
        account,
        amount=invoice["amount_remaining"],
        currency=invoice["currency"],
        customer=invoice["customer"],
        description=_INTENT_DESCRIPTIONS.get(invoice["billing_reason"]),
    )
    account.side_of(intent["id"])["invoice"] = invoice["id"]
    side["payment_intent"] = intent["id"]
    payment: JsonObj = {
        "amount_paid": None,
        "amount_requested": invoice["amount_remaining"],
        "created": account.now(),
        "currency": invoice["currency"],
        "id": new_id("inpay_"),
        "invoice": invoice["id"],
        "is_default": True,
        "livemode": False,
        "object": "invoice_payment",
        "payment": {"payment_intent": intent["id"], "type": "payment_intent"},
        "status": "open",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }
    account.insert(payment)
    side["invoice_payment"] = payment["id"]
    return intent


def default_payment_method(account: Account, invoice: JsonObj) -> str | None:
    if invoice["default_payment_method"]:
        return invoice["default_payment_method"]  # type: ignore[no-any-return]
    sub_id = subscription_of(invoice)
    if sub_id:
        sub = account.get("subscription", sub_id)
        if sub["default_payment_method"]:
            return sub["default_payment_method"]  # type: ignore[no-any-return]
    customer = account.get("customer", invoice["customer"])
    return customer["invoice_settings"]["default_payment_method"]  # type: ignore[no-any-return]


def attempt_payment(
    account: Account, invoice: JsonObj, pm: JsonObj | None = None
) -> StripeError | None:
    """Charge an open invoice; the outcome reaches the invoice through PAYMENT_LISTENERS."""
    if invoice["status"] != "open":
        raise state_error(f"Invoice is already {invoice['status']}.")
    if pm is None:
        pm_id = default_payment_method(account, invoice)
        pm = account.find(pm_id) if pm_id else None
    intent = _intent_for(account, invoice)
    if pm is None:
        return None
    if intent["status"] == "requires_action":
        intent["status"] = "requires_payment_method"
    return confirm_intent(account, intent, pm)


def _mark_paid(account: Account, invoice: JsonObj, *, via_payment: bool, out_of_band: bool = False) -> None:
    now = account.now()
    invoice.update(
        status="paid",
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        attempted=True,
        next_payment_attempt=None,
        auto_advance=False,
    )
    if via_payment:
        invoice["attempt_count"] += 1
    invoice["status_transitions"]["paid_at"] = now
    payment = account.find(account.side_of(invoice["id"]).get("invoice_payment"))
    if payment is not None and via_payment:
        payment.update(status="paid", amount_paid=invoice["amount_due"])
        payment["status_transitions"]["paid_at"] = now
    account.emit("invoice.paid", invoice)
    if not out_of_band:
        account.emit("invoice.payment_succeeded", invoice)
    _refresh_delinquency(account, invoice["customer"])
    for listener in INVOICE_LISTENERS:
        listener(account, invoice, "paid")


def _refresh_delinquency(account: Account, customer_id: str) -> None:
    customer = account.find(customer_id)
    if customer is None:
        return
    unpaid = any(
        i["customer"] == customer_id and i["status"] == "open" and i["attempt_count"] > 0
        for i in account.all("invoice")
    )
    set_delinquent(account, customer, unpaid)


def _record_failure(account: Account, invoice: JsonObj, event_type: str, outcome: str) -> None:
    invoice["attempted"] = True
    invoice["attempt_count"] += 1
    retries_left = invoice["attempt_count"] < account.dunning.max_attempts
    automatic = invoice["billing_reason"] != "subscription_create"
    invoice["next_payment_attempt"] = (
        account.now() + account.dunning.retry_days * 86400
        if retries_left and automatic
        else None
    )
    account.emit(event_type, invoice)
    _refresh_delinquency(account, invoice["customer"])
    for listener in INVOICE_LISTENERS:
        listener(account, invoice, outcome)


def _on_payment(account: Account, intent: JsonObj, outcome: str) -> None:
    invoice = account.find(account.side_of(intent["id"]).get("invoice"))
    if invoice is None or invoice["status"] != "open":
        return
    if outcome == "succeeded":
        _mark_paid(account, invoice, via_payment=True)
    elif outcome == "payment_failed":
        _record_failure(account, invoice, "invoice.payment_failed", "payment_failed")
    elif outcome == "requires_action":
        _record_failure(
            account, invoice, "invoice.payment_action_required", "action_required"
        )


PAYMENT_LISTENERS.append(_on_payment)


def bill(
    account: Account, pm: JsonObj | None = None, *, charge: bool = True, **build: Any
) -> tuple[JsonObj, StripeError | None]:
    """Build, finalize and charge an invoice: the whole of Stripe's automatic collection.

    Without `charge` the invoice stays open with a payment intent waiting for the
    customer (payment_behavior=default_incomplete).
    """
    invoice = build_invoice(account, **build)
    finalize(account, invoice)
    error = None
    if invoice["status"] == "open" and invoice["collection_method"] == "charge_automatically":
        if charge:
            error = attempt_payment(account, invoice, pm)
        else:
            _intent_for(account, invoice)
    return invoice, error


def void(account: Account, invoice: JsonObj) -> None:
    if invoice["status"] != "open":
        raise state_error(
            f"You can only void an open invoice; this invoice is {invoice['status']}."
        )
    intent = account.find(account.side_of(invoice["id"]).get("payment_intent"))
    invoice.update(status="void", amount_remaining=0, next_payment_attempt=None,
                   auto_advance=False)
    invoice["status_transitions"]["voided_at"] = account.now()
    if intent is not None and intent["status"] not in ("succeeded", "canceled"):
        cancel_intent(account, intent, None)
    account.emit("invoice.voided", invoice)
    _refresh_delinquency(account, invoice["customer"])
    for listener in INVOICE_LISTENERS:
        listener(account, invoice, "voided")


@includable("invoice", "payments")
def _payments(account: Account, invoice: JsonObj) -> JsonObj:
    payments = [
        account.render(p)
        for p in reversed(account.all("invoice_payment"))
        if p["invoice"] == invoice["id"]
    ]
    return embedded_list(payments, f"/v1/invoice_payments?invoice={invoice['id']}")


@includable("invoice", "confirmation_secret")
def _confirmation_secret(account: Account, invoice: JsonObj) -> JsonObj | None:
    intent = account.find(account.side_of(invoice["id"]).get("payment_intent"))
    if intent is None:
        return None
    return {"client_secret": intent["client_secret"], "type": "payment_intent"}


# ---------------------------------------------------------------- API


def api_retrieve_invoice(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("invoice", req.arg("id")))


def api_list_invoices(req: ApiRequest) -> JsonObj:
    params = req.params
    customer = params.str("customer")
    subscription = params.str("subscription")
    status = params.str("status", choices=("draft", "open", "paid", "uncollectible", "void"))
    method = params.str("collection_method")
    items = [
        i
        for i in req.account.all("invoice")
        if (customer is None or i["customer"] == customer)
        and (subscription is None or subscription_of(i) == subscription)
        and (status is None or i["status"] == status)
        and (method is None or i["collection_method"] == method)
    ]
    return respond_list(req, items, "/v1/invoices")


def api_list_lines(req: ApiRequest) -> JsonObj:
    invoice = req.account.get("invoice", req.arg("id"))
    url = f"/v1/invoices/{invoice['id']}/lines"
    return paginate(req.account, req.params, list(reversed(invoice["lines"]["data"])), url)


def api_pay_invoice(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    invoice = account.get("invoice", req.arg("id"))
    if invoice["status"] != "open":
        raise invalid_request(f"Invoice is already {invoice['status']}.")
    if params.bool("paid_out_of_band"):
        _mark_paid(account, invoice, via_payment=False, out_of_band=True)
        return respond(req, invoice)
    ref = params.str("payment_method")
    pm = resolve(account, ref) if ref else None
    if pm is None and default_payment_method(account, invoice) is None:
        raise invalid_request(
            "This customer has no attached payment source or default payment method. "
            "Please consider adding a default payment method.",
        )
    error = attempt_payment(account, invoice, pm)
    if error is not None:
        raise error
    return respond(req, invoice)


def api_void_invoice(req: ApiRequest) -> JsonObj:
    invoice = req.account.get("invoice", req.arg("id"))
    void(req.account, invoice)
    return respond(req, invoice)


def api_retrieve_payment(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("invoice_payment", req.arg("id")))


def api_list_payments(req: ApiRequest) -> JsonObj:
    invoice = req.params.str("invoice")
    status = req.params.str("status")
    items = [
        p
        for p in req.account.all("invoice_payment")
        if (invoice is None or p["invoice"] == invoice)
        and (status is None or p["status"] == status)
    ]
    return respond_list(req, items, "/v1/invoice_payments")


def api_create_invoice_item(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    customer_id = params.str("customer", required=True)
    customer = account.get("customer", customer_id, param="customer")
    pricing = params.dict("pricing")
    price_id = params.str("price") or (pricing.str("price") if pricing else None)
    quantity = params.int("quantity", minimum=1) or 1
    price = account.get("price", price_id, param="price") if price_id else None
    if price is not None:
        amount, currency = price["unit_amount"] * quantity, price["currency"]
    else:
        amount_param = params.int("amount", required=True)
        currency_param = params.str("currency", required=True)
        assert amount_param is not None
        assert currency_param is not None
        amount, currency = amount_param, currency_param.lower()
    subscription = params.str("subscription")
    if subscription:
        account.get("subscription", subscription, param="subscription")
    now = account.now()
    item = create_invoice_item(
        account,
        customer=customer["id"],
        amount=amount,
        currency=currency,
        description=params.str("description") or "Invoice item",
        period=(now, now),
        price=price,
        quantity=quantity,
        subscription=subscription,
        metadata=params.metadata() or {},
    )
    return respond(req, item)


def api_retrieve_invoice_item(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("invoiceitem", req.arg("id")))


def api_list_invoice_items(req: ApiRequest) -> JsonObj:
    customer = req.params.str("customer")
    invoice = req.params.str("invoice")
    pending = req.params.bool("pending")
    items = [
        i
        for i in req.account.all("invoiceitem")
        if (customer is None or i["customer"] == customer)
        and (invoice is None or i["invoice"] == invoice)
        and (pending is None or (i["invoice"] is None) == pending)
    ]
    return respond_list(req, items, "/v1/invoiceitems")


ROUTES = [
    Route("GET", "/v1/invoices", api_list_invoices, "InvoiceListParams"),
    Route("GET", "/v1/invoices/{id}", api_retrieve_invoice, "InvoiceRetrieveParams"),
    Route("GET", "/v1/invoices/{id}/lines", api_list_lines, "InvoiceLineItemListParams"),
    Route("POST", "/v1/invoices/{id}/pay", api_pay_invoice, "InvoicePayParams"),
    Route("POST", "/v1/invoices/{id}/void", api_void_invoice, "InvoiceVoidInvoiceParams"),
    Route("GET", "/v1/invoice_payments", api_list_payments, "InvoicePaymentListParams"),
    Route("GET", "/v1/invoice_payments/{id}", api_retrieve_payment,
          "InvoicePaymentRetrieveParams"),
    Route("POST", "/v1/invoiceitems", api_create_invoice_item, "InvoiceItemCreateParams"),
    Route("GET", "/v1/invoiceitems", api_list_invoice_items, "InvoiceItemListParams"),
    Route("GET", "/v1/invoiceitems/{id}", api_retrieve_invoice_item,
          "InvoiceItemRetrieveParams"),
]
