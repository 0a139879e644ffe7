"""Subscriptions and their items: start (with trials), plan changes with prorations,
cancellation, renewals and dunning, driven by their invoices' outcomes.

Today's shape: the period dates live on each item (`items.data[].current_period_*`).
"""

from __future__ import annotations

import copy
import dataclasses

from .cards import attach, card_of, resolve
from .catalog import as_plan
from .encoding import Params
from .errors import StripeError, card_error, invalid_request, state_error
from .expansion import expand, respond, respond_list
from .invoices import (
    INVOICE_LISTENERS,
    LineSpec,
    bill,
    build_invoice,
    create_invoice_item,
    line_for_item,
    pending_items,
    subscription_of,
    void,
)
from .periods import add_interval, day_of, fmt_date
from .promotions import new_discount, redeem, redeemable_coupon
from .routing import ApiRequest, Route
from .setup_intents import SETUP_LISTENERS, create_setup_intent
from .store import Account, JsonObj, new_id, renderer

LIVE = ("active", "trialing", "past_due", "unpaid", "incomplete", "paused")
STATUSES = (
    "active", "all", "canceled", "ended", "incomplete", "incomplete_expired",
    "past_due", "paused", "trialing", "unpaid",
)


def money(amount: int, currency: str) -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£", "cny": "¥"}.get(currency)
    value = f"{abs(amount) / 100:,.2f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency.upper()}"


def _product_name(account: Account, price: JsonObj) -> str:
    product = account.find(price["product"])
    return product["name"] if product else price["product"]  # type: ignore[no-any-return]


def _describe(account: Account, price: JsonObj, quantity: int) -> str:
    recurring = price["recurring"]
    every = recurring["interval"] if recurring["interval_count"] == 1 else (
        f"{recurring['interval_count']} {recurring['interval']}s"
    )
    return (
        f"{quantity} × {_product_name(account, price)} "
        f"(at {money(price['unit_amount'], price['currency'])} / {every})"
    )


# ---------------------------------------------------------------- rendering


@renderer("subscription_item")
def _render_item(account: Account, item: JsonObj) -> None:
    price = account.find(item["price"]["id"])
    if price is not None:
        item["price"] = account.render(price)
        item["plan"] = as_plan(price)


@renderer("subscription")
def _render_subscription(account: Account, sub: JsonObj) -> None:
    sub["items"]["data"] = [
        account.render(account.objects[item_id]) for item_id in sub["items"]["data"]
    ]


def items_of(account: Account, sub: JsonObj) -> list[JsonObj]:
    return [account.objects[item_id] for item_id in sub["items"]["data"]]


def period_of(account: Account, sub: JsonObj) -> tuple[int, int]:
    first = items_of(account, sub)[0]
    return first["current_period_start"], first["current_period_end"]


def _cycle(sub_items: list[JsonObj]) -> tuple[str, int]:
    recurring = sub_items[0]["price"]["recurring"]
    return recurring["interval"], recurring["interval_count"]


# ---------------------------------------------------------------- status changes


def _announce(account: Account, sub: JsonObj) -> bool:
    return not account.side_of(sub["id"]).get("unannounced")


def _set_status(account: Account, sub: JsonObj, status: str) -> None:
    if sub["status"] == status:
        return
    before = account.snapshot(sub)
    sub["status"] = status
    if _announce(account, sub):
        account.emit_updated("customer.subscription.updated", sub, before)


def cancel_now(
    account: Account,
    sub: JsonObj,
    *,
    reason: str,
    comment: str | None = None,
    feedback: str | None = None,
    ended_at: int | None = None,
) -> None:
    now = account.now()
    sub["status"] = "canceled"
    sub["ended_at"] = ended_at or now
    if sub["canceled_at"] is None or not sub["cancel_at_period_end"]:
        sub["canceled_at"] = now
    sub["cancellation_details"].update(reason=reason)
    if comment is not None:
        sub["cancellation_details"]["comment"] = comment
    if feedback is not None:
        sub["cancellation_details"]["feedback"] = feedback
    account.emit("customer.subscription.deleted", sub)


def _save_payment_method(account: Account, sub: JsonObj, invoice: JsonObj) -> None:
    """`payment_settings.save_default_payment_method=on_subscription`: the card that paid one of
    the subscription's invoices becomes its `default_payment_method` (attached to the customer)."""
    if sub["payment_settings"]["save_default_payment_method"] != "on_subscription":
        return
    intent = account.find(account.side_of(invoice["id"]).get("payment_intent"))
    pm = account.find(intent["payment_method"]) if intent and intent["status"] == "succeeded" else None
    if pm is None:
        return
    if pm["customer"] is None:
        attach(account, pm, sub["customer"])
    sub["default_payment_method"] = pm["id"]


def _on_invoice(account: Account, invoice: JsonObj, outcome: str) -> None:
    sub_id = subscription_of(invoice)
    sub = account.find(sub_id) if sub_id else None
    if sub is None or sub["status"] in ("canceled", "incomplete_expired"):
        return
    if outcome == "paid":
        # One `customer.subscription.updated` carries the saved card and the new status.
        before = account.snapshot(sub)
        _save_payment_method(account, sub, invoice)
        if sub["status"] in ("incomplete", "past_due", "unpaid"):
            still_open = any(
                subscription_of(i) == sub["id"] and i["status"] == "open"
                for i in account.all("invoice")
            )
            if not still_open:
                in_trial = sub["trial_end"] is not None and sub["trial_end"] > account.now()
                sub["status"] = "trialing" if in_trial else "active"
        if _announce(account, sub):
            account.emit_updated("customer.subscription.updated", sub, before)
        return
    if outcome not in ("payment_failed", "action_required"):
        return
    if invoice["billing_reason"] == "subscription_create":
        return  # stays incomplete until paid or expired
    if invoice["attempt_count"] >= account.dunning.max_attempts:
        final = account.dunning.final_action
        if final == "canceled":
            cancel_now(account, sub, reason="payment_failed")
            return
        if final == "unpaid":
            _set_status(account, sub, "unpaid")
            return
    if sub["status"] in ("active", "trialing"):
        _set_status(account, sub, "past_due")


INVOICE_LISTENERS.append(_on_invoice)


def _pending_setup_intent(account: Account, sub: JsonObj) -> str:
    intent = create_setup_intent(
        account, customer=sub["customer"], usage="off_session", metadata=dict(sub["metadata"])
    )
    return str(intent["id"])


def _on_setup(account: Account, intent: JsonObj, outcome: str) -> None:
    """A subscription's `pending_setup_intent` succeeded: it is cleared, and its card becomes
    the subscription's default when `save_default_payment_method=on_subscription`."""
    if outcome != "succeeded":
        return
    for sub in account.all("subscription"):
        if sub["pending_setup_intent"] != intent["id"]:
            continue
        before = account.snapshot(sub)
        sub["pending_setup_intent"] = None
        if sub["payment_settings"]["save_default_payment_method"] == "on_subscription":
            sub["default_payment_method"] = intent["payment_method"]
        account.emit_updated("customer.subscription.updated", sub, before)


SETUP_LISTENERS.append(_on_setup)


# ---------------------------------------------------------------- starting


def _subscription_price(account: Account, price_id: str | None, param: str) -> JsonObj:
    price = account.get("price", price_id, param=param)
    if not price["active"]:
        raise invalid_request(
            "The price specified is inactive. This field only accepts active prices.",
            param=param,
        )
    if price["type"] != "recurring":
        raise invalid_request(
            "The price specified is set to `type=one_time` but this field only accepts "
            "prices with `type=recurring`.",
            param=param,
        )
    return price


def _payment_method_for(
    account: Account, ref: str | None, customer_id: str, param: str
) -> JsonObj | None:
    if not ref:
        return None
    pm = resolve(account, ref, param=param)
    if pm["customer"] is None and ref.startswith("pm_card_"):
        attach(account, pm, customer_id)
    if pm["customer"] != customer_id:
        raise invalid_request(
            f"The customer does not have a payment method with the ID {pm['id']}. The "
            "payment method must be attached to the customer.",
            param=param,
        )
    return pm


def start_subscription(
    account: Account,
    *,
    customer: JsonObj,
    items: list[tuple[JsonObj, int, dict[str, str]]],
    metadata: dict[str, str],
    trial_end: int | None,
    default_payment_method: JsonObj | None,
    discount_ids: list[str],
    description: str | None = None,
    extra_lines: list[LineSpec] | None = None,
    attempt_payment: bool = True,
    collection_method: str = "charge_automatically",
    announce_first: bool = True,
    trial_days: int | None = None,
) -> tuple[JsonObj, JsonObj, StripeError | None]:
    """A new subscription and its first invoice, charged unless `attempt_payment` is off.

    With `announce_first` (Checkout's way) `customer.subscription.created` goes out at
    once with status incomplete; otherwise the caller announces the final state. `trial_days`
    (instead of `trial_end`) counts the trial from this start, as Stripe does.
    """
    now = account.now()
    if trial_days:
        trial_end = now + trial_days * 86400
    currencies = {price["currency"] for price, _, _ in items}
    if len(currencies) > 1:
        raise invalid_request("All prices on a subscription must have the same currency.",
                              param="items")
    currency = currencies.pop()
    trialing = trial_end is not None and trial_end > now
    interval, count = _cycle([{"price": items[0][0]}])
    period_end = trial_end if trialing and trial_end else add_interval(now, interval, count)
    sub_id = new_id("sub_")
    invoice_id = new_id("in_")
    item_ids = []
    for price, quantity, item_metadata in items:
        item: JsonObj = {
            "created": now,
            "discounts": [],
            "id": new_id("si_", 14),
            "metadata": item_metadata,
            "object": "subscription_item",
            "price": account.render(price),
            "quantity": quantity,
            "subscription": sub_id,
            "tax_rates": [],
            "plan": as_plan(price),
            "current_period_end": period_end,
            "current_period_start": now,
            "billing_thresholds": None,
        }
        account.insert(item)
        item_ids.append(item["id"])
    sub: JsonObj = {
        "application": None,
        "application_fee_percent": None,
        "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
        "billing_cycle_anchor": period_end if trialing else now,
        "billing_cycle_anchor_config": None,
        "cancel_at": None,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": collection_method,
        "created": now,
        "currency": currency,
        "customer": customer["id"],
        "days_until_due": None,
        "default_payment_method": default_payment_method["id"] if default_payment_method else None,
        "default_source": None,
        "default_tax_rates": [],
        "description": description,
        "discounts": list(discount_ids),
        "ended_at": None,
        "id": sub_id,
        "invoice_settings": {
            "account_tax_ids": None,
            "issuer": {"type": "self"},
            "custom_fields": None,
            "description": None,
            "footer": None,
        },
        "items": {
            "object": "list",
            "data": item_ids,
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        },
        "latest_invoice": invoice_id,
        "livemode": False,
        "metadata": metadata,
        "next_pending_invoice_item_invoice": None,
        "object": "subscription",
        "on_behalf_of": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_setup_intent": None,
        "pending_update": None,
        "schedule": None,
        "start_date": now,
        "status": "trialing" if trialing else "incomplete",
        "test_clock": None,
        "transfer_data": None,
        "trial_end": trial_end if trialing else None,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": now if trialing else None,
        "cancel_at_period_end": False,
        "billing_thresholds": None,
        "billing_mode": {"type": "classic", "flexible": None},
        "customer_account": None,
        "managed_payments": None,
        "billing_schedules": [],
    }
    account.insert(sub)
    account.side_of(sub_id)["anchor_day"] = day_of(sub["billing_cycle_anchor"])
    for discount_id in discount_ids:
        account.get("discount", discount_id)["subscription"] = sub_id
    if announce_first:
        account.emit("customer.subscription.created", sub)
    else:
        account.side_of(sub_id)["unannounced"] = True
    lines = []
    for item_obj in items_of(account, sub):
        price = item_obj["price"]
        qty = item_obj["quantity"]
        lines.append(
            LineSpec(
                amount=0 if trialing else price["unit_amount"] * qty,
                description=(
                    f"Trial period for {_product_name(account, price)}"
                    if trialing
                    else _describe(account, price, qty)
                ),
                period=(now, period_end),
                price=price,
                quantity=qty,
                subscription_item=item_obj["id"],
                metadata=dict(metadata),
            )
        )
    lines.extend(extra_lines or [])
    invoice, error = bill(
        account,
        default_payment_method,
        charge=attempt_payment,
        customer=customer,
        lines=lines,
        billing_reason="subscription_create",
        currency=currency,
        period=(now, now),
        subscription=sub,
        discount_ids=discount_ids,
        invoice_id=invoice_id,
        collection_method=collection_method,
    )
    return sub, invoice, error


def _trial_end_param(params: Params, now: int, price: JsonObj) -> int | None:
    trial_end = params.timestamp_or_now("trial_end", now)
    days = params.int("trial_period_days", minimum=0)
    if trial_end is not None and days is not None:
        raise invalid_request(
            "You may only specify one of these parameters: trial_end, trial_period_days."
        )
    if days:
        return now + days * 86400
    if trial_end is not None and trial_end != now and trial_end < now:
        raise invalid_request("Invalid timestamp: must be an integer Unix timestamp in the "
                              "future.", param="trial_end")
    if trial_end is None and params.bool("trial_from_plan"):
        plan_days = price["recurring"]["trial_period_days"]
        return now + plan_days * 86400 if plan_days else None
    return trial_end


def _discount_ids(
    account: Account, params: Params, customer_id: str, amount: int, currency: str
) -> list[str]:
    ids = []
    for i, entry in enumerate(params.list("discounts")):
        if not isinstance(entry, Params):
            continue
        coupon, promo = redeemable_coupon(
            account,
            coupon_id=entry.str("coupon"),
            promo_id=entry.str("promotion_code"),
            customer_id=customer_id,
            amount=amount,
            currency=currency,
            param=f"discounts[{i}]",
        )
        redeem(account, coupon, promo)
        ids.append(new_discount(account, coupon, promo, customer=customer_id)["id"])
    return ids


def api_create_subscription(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    customer = account.get("customer", params.str("customer", required=True), param="customer")
    specs: list[tuple[JsonObj, int, dict[str, str]]] = []
    for i, entry in enumerate(params.list("items", required=True)):
        if not isinstance(entry, Params):
            raise invalid_request("Invalid array", param=f"items[{i}]")
        price = _subscription_price(account, entry.str("price", required=True),
                                    f"items[{i}][price]")
        quantity = entry.int("quantity", minimum=1) or 1
        specs.append((price, quantity, entry.metadata() or {}))
    behavior = params.str(
        "payment_behavior",
        choices=("allow_incomplete", "default_incomplete", "error_if_incomplete",
                 "pending_if_incomplete"),
    ) or "allow_incomplete"
    collection = params.str("collection_method",
                            choices=("charge_automatically", "send_invoice"))
    pm = _payment_method_for(account, params.str("default_payment_method"), customer["id"],
                             "default_payment_method")
    now = account.now()
    trial_end = _trial_end_param(params, now, specs[0][0])
    amount = sum(price["unit_amount"] * qty for price, qty, _ in specs)
    if behavior == "error_if_incomplete" and not (trial_end and trial_end > now):
        charge_pm = pm or account.find(customer["invoice_settings"]["default_payment_method"])
        if charge_pm is None or card_of(account, charge_pm["id"]).behavior != "succeed":
            card = card_of(account, charge_pm["id"]) if charge_pm else None
            raise card_error(
                card.message if card else "This customer has no attached payment source.",
                code=card.error_code if card else "resource_missing",
                decline_code=card.decline_code if card else None,
                extra={},
            )
    settings = params.dict("payment_settings")
    save_default = (
        settings.str("save_default_payment_method", choices=("off", "on_subscription"))
        if settings
        else None
    )
    discount_ids = _discount_ids(account, params, customer["id"], amount, specs[0][0]["currency"])
    with account.holding_events() as held:
        sub, _, _ = start_subscription(
            account,
            customer=customer,
            items=specs,
            metadata=params.metadata() or {},
            trial_end=trial_end,
            default_payment_method=pm,
            discount_ids=discount_ids,
            description=params.str("description"),
            attempt_payment=behavior != "default_incomplete",
            collection_method=collection or "charge_automatically",
            announce_first=False,
        )
        sub["payment_settings"]["save_default_payment_method"] = save_default or "off"
        if params.bool("cancel_at_period_end"):
            set_cancel_at_period_end(account, sub, True)
        if behavior == "default_incomplete" and pm is None and sub["status"] != "incomplete":
            # Nothing to pay now (a trial, a free first invoice): the app collects the card
            # for later through a SetupIntent, as Stripe's `pending_setup_intent`.
            sub["pending_setup_intent"] = _pending_setup_intent(account, sub)
        account.side_of(sub["id"]).pop("unannounced", None)
        created = account.emit("customer.subscription.created", sub)
        held.remove(created)
        first_invoice_event = next(
            (i for i, e in enumerate(held) if e["type"].startswith("invoice")), len(held)
        )
        held.insert(first_invoice_event, created)
    return respond(req, sub)


# ---------------------------------------------------------------- changes


def _proration(amount: int, remaining: int, total: int) -> int:
    """amount × remaining / total, rounded half up, in integers."""
    if total <= 0:
        return 0
    sign = -1 if amount < 0 else 1
    return sign * ((abs(amount) * remaining * 2 + total) // (2 * total))


def set_cancel_at_period_end(account: Account, sub: JsonObj, value: bool) -> None:
    sub["cancel_at_period_end"] = value
    if value:
        sub["cancel_at"] = period_of(account, sub)[1]
        sub["canceled_at"] = account.now()
        sub["cancellation_details"]["reason"] = "cancellation_requested"
    else:
        sub["cancel_at"] = None
        sub["canceled_at"] = None
        sub["cancellation_details"]["reason"] = None


def _change_items(
    account: Account, sub: JsonObj, entries: list[object], behavior: str, proration_at: int
) -> tuple[list[JsonObj], bool]:
    """Apply items[] changes; returns (proration invoice items, whether the cycle reset)."""
    current = items_of(account, sub)
    old_interval = _cycle(current)
    period_start, period_end = period_of(account, sub)
    trialing = sub["status"] == "trialing"
    changes: list[tuple[JsonObj | None, int, JsonObj | None, int, JsonObj]] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Params):
            raise invalid_request("Invalid array", param=f"items[{i}]")
        item_id = entry.str("id")
        item = account.get("subscription_item", item_id, param=f"items[{i}][id]") if item_id else None
        if item is not None and item["subscription"] != sub["id"]:
            raise invalid_request(
                f"Subscription item {item_id} does not belong to this subscription.",
                param=f"items[{i}][id]",
            )
        if entry.bool("deleted"):
            if item is None:
                raise invalid_request("You must pass `id` to delete an item.",
                                      param=f"items[{i}][deleted]")
            changes.append((item["price"], item["quantity"], None, 0, item))
            continue
        price_id = entry.str("price")
        old_price = item["price"] if item else None
        old_qty = item["quantity"] if item else 0
        price = (
            _subscription_price(account, price_id, f"items[{i}][price]")
            if price_id
            else old_price
        )
        if price is None:
            raise invalid_request("Missing required param: items[0][price].",
                                  param=f"items[{i}][price]", code="parameter_missing")
        if price["currency"] != sub["currency"]:
            raise invalid_request(
                "All prices on a subscription must have the same currency.",
                param=f"items[{i}][price]",
            )
        quantity = entry.int("quantity", minimum=0)
        quantity = old_qty if quantity is None and item else (quantity or 1)
        if item is None:
            item = {
                "created": account.now(),
                "discounts": [],
                "id": new_id("si_", 14),
                "metadata": {},
                "object": "subscription_item",
                "price": account.render(price),
                "quantity": quantity,
                "subscription": sub["id"],
                "tax_rates": [],
                "plan": as_plan(price),
                "current_period_end": period_end,
                "current_period_start": period_start,
                "billing_thresholds": None,
            }
            account.insert(item)
            sub["items"]["data"].append(item["id"])
        metadata = entry.metadata(existing=item["metadata"])
        if metadata is not None:
            item["metadata"] = metadata
        changes.append((old_price, old_qty, price, quantity, item))
    for _, _, new_price, _, item in changes:
        if new_price is None:
            sub["items"]["data"].remove(item["id"])
            account.remove(item["id"])
    if not sub["items"]["data"]:
        raise invalid_request("A subscription must have at least one active item.",
                              param="items")
    for _, _, new_price, new_qty, item in changes:
        if new_price is not None:
            item["price"] = account.render(new_price)
            item["plan"] = as_plan(new_price)
            item["quantity"] = new_qty
    new_interval = _cycle(items_of(account, sub))
    cycle_reset = new_interval != old_interval and not trialing
    prorations: list[JsonObj] = []
    if trialing or behavior == "none":
        if cycle_reset:
            _reset_cycle(account, sub)
        return prorations, cycle_reset
    remaining = max(0, period_end - proration_at)
    total = period_end - period_start
    when = fmt_date(proration_at)
    for old_price, old_qty, new_price, new_qty, item in changes:
        unchanged = (
            old_price is not None
            and new_price is not None
            and (old_price["id"], old_qty) == (new_price["id"], new_qty)
        )
        if unchanged or not remaining:
            continue
        if old_price is not None and old_qty:
            credit = _proration(-old_price["unit_amount"] * old_qty, remaining, total)
            if credit:
                prorations.append(create_invoice_item(
                    account,
                    customer=sub["customer"],
                    amount=credit,
                    currency=sub["currency"],
                    description=f"Unused time on {old_qty} × "
                    f"{_product_name(account, old_price)} after {when}",
                    period=(proration_at, period_end),
                    price=old_price,
                    quantity=old_qty,
                    proration=True,
                    subscription=sub["id"],
                    subscription_item=item["id"],
                ))
        if new_price is not None and new_qty and not cycle_reset:
            debit = _proration(new_price["unit_amount"] * new_qty, remaining, total)
            if debit:
                prorations.append(create_invoice_item(
                    account,
                    customer=sub["customer"],
                    amount=debit,
                    currency=sub["currency"],
                    description=f"Remaining time on {new_qty} × "
                    f"{_product_name(account, new_price)} after {when}",
                    period=(proration_at, period_end),
                    price=new_price,
                    quantity=new_qty,
                    proration=True,
                    subscription=sub["id"],
                    subscription_item=item["id"],
                ))
    if cycle_reset:
        _reset_cycle(account, sub)
    return prorations, cycle_reset


def _reset_cycle(account: Account, sub: JsonObj) -> None:
    now = account.now()
    interval, count = _cycle(items_of(account, sub))
    end = add_interval(now, interval, count)
    for item in items_of(account, sub):
        item["current_period_start"], item["current_period_end"] = now, end
    sub["billing_cycle_anchor"] = now
    account.side_of(sub["id"])["anchor_day"] = day_of(now)
    if sub["cancel_at_period_end"]:
        sub["cancel_at"] = end


def _cycle_lines(account: Account, sub: JsonObj, period: tuple[int, int]) -> list[LineSpec]:
    return [
        LineSpec(
            amount=item["price"]["unit_amount"] * item["quantity"],
            description=_describe(account, item["price"], item["quantity"]),
            period=period,
            price=item["price"],
            quantity=item["quantity"],
            subscription_item=item["id"],
            metadata=dict(sub["metadata"]),
        )
        for item in items_of(account, sub)
    ]


def _invoice_now(
    account: Account, sub: JsonObj, billing_reason: str, lines: list[LineSpec],
    invoice_id: str, period: tuple[int, int],
) -> tuple[JsonObj, StripeError | None]:
    customer = account.get("customer", sub["customer"])
    lines.extend(line_for_item(item) for item in pending_items(account, sub["customer"], sub["id"]))
    pm = account.find(sub["default_payment_method"]) if sub["default_payment_method"] else None
    return bill(
        account,
        pm,
        customer=customer,
        lines=lines,
        billing_reason=billing_reason,
        currency=sub["currency"],
        period=period,
        subscription=sub,
        discount_ids=list(sub["discounts"]),
        invoice_id=invoice_id,
        collection_method=sub["collection_method"],
    )


_CANCELED_UPDATABLE = {"metadata", "cancellation_details", "expand"}


def api_update_subscription(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    sub = account.get("subscription", req.arg("id"))
    if sub["status"] in ("canceled", "incomplete_expired") and set(params.raw) - _CANCELED_UPDATABLE:
        raise invalid_request(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    now = account.now()
    behavior = params.str(
        "proration_behavior", choices=("create_prorations", "none", "always_invoice")
    ) or "create_prorations"
    proration_at = params.int("proration_date") or now
    before = account.snapshot(sub)
    prorations: list[JsonObj] = []
    cycle_reset = False
    if params.has("items"):
        prorations, cycle_reset = _change_items(
            account, sub, params.list("items"), behavior, proration_at
        )
    if params.has("cancel_at_period_end"):
        set_cancel_at_period_end(account, sub, bool(params.bool("cancel_at_period_end")))
    if params.has("cancel_at"):
        cancel_at = params.int("cancel_at")
        sub["cancel_at"] = cancel_at
        sub["cancel_at_period_end"] = False
        sub["canceled_at"] = now if cancel_at else None
        sub["cancellation_details"]["reason"] = "cancellation_requested" if cancel_at else None
    details = params.dict("cancellation_details")
    if details is not None:
        for key in ("comment", "feedback"):
            if details.has(key):
                sub["cancellation_details"][key] = details.str(key) or None
    metadata = params.metadata(existing=sub["metadata"])
    if metadata is not None:
        sub["metadata"] = metadata
    if params.has("description"):
        sub["description"] = params.str("description") or None
    if params.has("default_payment_method"):
        pm = _payment_method_for(account, params.str("default_payment_method"),
                                 sub["customer"], "default_payment_method")
        sub["default_payment_method"] = pm["id"] if pm else None
    if params.has("discounts"):
        sub["discounts"] = _discount_ids(account, params, sub["customer"], 0, sub["currency"])
    end_trial = False
    if params.has("trial_end") and sub["status"] == "trialing":
        trial_end = params.timestamp_or_now("trial_end", now)
        if trial_end is not None and trial_end <= now:
            end_trial = True
        elif trial_end is not None:
            sub["trial_end"] = trial_end
            for item in items_of(account, sub):
                item["current_period_end"] = trial_end
    reset_anchor = params.str("billing_cycle_anchor", choices=("now", "unchanged")) == "now"
    invoice_needed = cycle_reset or end_trial or reset_anchor or (
        behavior == "always_invoice" and bool(prorations)
    )
    invoice_id = new_id("in_")
    if end_trial or reset_anchor:
        sub["trial_end"] = now if end_trial else sub["trial_end"]
        _reset_cycle(account, sub)
        if sub["status"] == "trialing":
            sub["status"] = "active"
    if invoice_needed:
        sub["latest_invoice"] = invoice_id
    account.emit_updated("customer.subscription.updated", sub, before)
    if invoice_needed:
        lines = _cycle_lines(account, sub, period_of(account, sub)) if (
            cycle_reset or end_trial or reset_anchor
        ) else []
        _invoice_now(account, sub, "subscription_update", lines, invoice_id, (now, now))
    return respond(req, sub)


def api_cancel_subscription(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    sub = account.get("subscription", req.arg("id"))
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise state_error(
            f"This subscription is already canceled ({sub['id']}).",
        )
    details = params.dict("cancellation_details")
    comment = details.str("comment") if details else None
    feedback = details.str("feedback") if details else None
    if params.bool("invoice_now"):
        pending = pending_items(account, sub["customer"], sub["id"])
        if pending:
            _invoice_now(account, sub, "subscription_update", [], new_id("in_"),
                         (account.now(), account.now()))
    sub["cancel_at_period_end"] = False
    cancel_now(account, sub, reason="cancellation_requested", comment=comment,
               feedback=feedback)
    return respond(req, sub)


def api_retrieve_subscription(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("subscription", req.arg("id")))


def api_list_subscriptions(req: ApiRequest) -> JsonObj:
    params = req.params
    customer = params.str("customer")
    status = params.str("status", choices=STATUSES)
    price = params.str("price")

    def keep(sub: JsonObj) -> bool:
        if customer is not None and sub["customer"] != customer:
            return False
        if price is not None and not any(
            i["price"]["id"] == price for i in items_of(req.account, sub)
        ):
            return False
        if status is None:
            return sub["status"] not in ("canceled", "incomplete_expired")
        if status == "all":
            return True
        if status == "ended":
            return sub["status"] in ("canceled", "incomplete_expired")
        return bool(sub["status"] == status)

    items = [s for s in req.account.all("subscription") if keep(s)]
    return respond_list(req, items, "/v1/subscriptions")


def api_retrieve_item(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("subscription_item", req.arg("id")))


def api_list_items(req: ApiRequest) -> JsonObj:
    sub = req.account.get(
        "subscription", req.params.str("subscription", required=True), param="subscription"
    )
    return respond_list(req, list(reversed(items_of(req.account, sub))),
                        "/v1/subscription_items")


# ---------------------------------------------------------------- previews


def _scratch(account: Account) -> Account:
    """A throwaway copy of the account: a preview runs the real billing code on it, so its
    amounts are the ones the change would make, and nothing it does is kept or sent."""
    scratch = dataclasses.replace(
        account,
        objects=copy.deepcopy(account.objects),
        ids_by_type=copy.deepcopy(account.ids_by_type),
        side=copy.deepcopy(account.side),
        deleted=dict(account.deleted),
        idempotency={},
        faults=None,
        deliveries=None,
        event_sink=None,
    )
    scratch._held = []  # its events are collected, never recorded or sent
    return scratch


def api_create_preview(req: ApiRequest) -> JsonObj:
    """`invoices.create_preview` of an existing subscription, with `subscription_details`
    (items, proration_behavior, proration_date) applied: the invoice the change would
    create at once (`always_invoice`, or a new billing cycle), else the next renewal's with
    the prorations it would carry; `preview_mode=recurring` leaves out prorations and
    pending items. As Stripe's, its id starts with `upcoming_in` and its billing_reason is
    `upcoming`."""
    params = req.params
    sub_id = params.str("subscription")
    if not sub_id:
        raise invalid_request(
            "The emulator previews invoices of existing subscriptions only; pass `subscription`.",
            param="subscription",
        )
    scratch = _scratch(req.account)
    sub = scratch.get("subscription", sub_id, param="subscription")
    customer_id = params.str("customer")
    if customer_id and customer_id != sub["customer"]:
        raise invalid_request(
            f"The subscription {sub_id} does not belong to the customer {customer_id}.",
            param="customer",
        )
    if sub["status"] in ("canceled", "incomplete_expired"):
        raise invalid_request(
            f"No upcoming invoices for customer: {sub['customer']}", code="invoice_upcoming_none"
        )
    recurring = params.str("preview_mode", choices=("next", "recurring")) == "recurring"
    details = params.dict("subscription_details")
    behavior = (details.str(
        "proration_behavior", choices=("create_prorations", "none", "always_invoice")
    ) if details else None) or "create_prorations"
    now = scratch.now()
    proration_at = (details.int("proration_date") if details else None) or now
    prorations: list[JsonObj] = []
    cycle_reset = False
    if details is not None and details.has("items"):
        prorations, cycle_reset = _change_items(
            scratch, sub, details.list("items"), "none" if recurring else behavior, proration_at
        )
    customer = scratch.get("customer", sub["customer"])
    invoiced_now = not recurring and (cycle_reset or (behavior == "always_invoice" and bool(prorations)))
    if invoiced_now:
        lines = _cycle_lines(scratch, sub, period_of(scratch, sub)) if cycle_reset else []
        period, billed_at = (now, now), now
    else:
        start, end = period_of(scratch, sub)
        interval, count = _cycle(items_of(scratch, sub))
        anchor = scratch.side_of(sub["id"]).get("anchor_day")
        lines = _cycle_lines(scratch, sub, (end, add_interval(end, interval, count, anchor)))
        period, billed_at = (start, end), end
    if not recurring:
        lines.extend(
            line_for_item(item) for item in pending_items(scratch, sub["customer"], sub["id"])
        )
    invoice = build_invoice(
        scratch,
        customer=customer,
        lines=lines,
        billing_reason="upcoming",
        currency=sub["currency"],
        period=period,
        subscription=sub,
        discount_ids=list(sub["discounts"]),
        collection_method=sub["collection_method"],
        invoice_id=new_id("upcoming_in_"),
    )
    starting = 0 if recurring else customer["balance"]
    net = invoice["total"] + starting
    invoice.update(
        created=billed_at,
        starting_balance=starting,
        ending_balance=min(net, 0),
        amount_due=max(net, 0),
        amount_remaining=max(net, 0),
        next_payment_attempt=billed_at if invoice["collection_method"] == "charge_automatically" else None,
    )
    return expand(scratch, scratch.render(invoice), params.expand())


# ---------------------------------------------------------------- time passing


def advance(account: Account, sub: JsonObj, pm_ref: str | None = None) -> JsonObj | None:
    """Move `sub` to the end of its current period, as Stripe's billing clock would.

    Returns the renewal invoice, or None when the subscription ended instead.
    """
    status = sub["status"]
    if status in ("canceled", "incomplete_expired"):
        raise state_error(f"Subscription {sub['id']} has ended ({status}).")
    if status == "incomplete":
        # The first invoice was not paid within 23 hours.
        account.advance_clock_to(sub["created"] + 23 * 3600)
        for invoice in account.all("invoice"):
            if subscription_of(invoice) == sub["id"] and invoice["status"] == "open":
                void(account, invoice)
        sub["status"] = "incomplete_expired"
        sub["ended_at"] = sub["canceled_at"] = account.now()
        account.emit("customer.subscription.deleted", sub)
        return None
    old_start, old_end = period_of(account, sub)
    account.advance_clock_to(old_end)
    cancel_at = sub["cancel_at"]
    if sub["cancel_at_period_end"] or (cancel_at is not None and cancel_at <= old_end):
        cancel_now(account, sub, reason="cancellation_requested", ended_at=old_end)
        return None
    interval, count = _cycle(items_of(account, sub))
    new_end = add_interval(old_end, interval, count, account.side_of(sub["id"]).get("anchor_day"))
    before = account.snapshot(sub)
    for item in items_of(account, sub):
        item["current_period_start"], item["current_period_end"] = old_end, new_end
    if status == "trialing":
        sub["status"] = "active"
    invoice_id = new_id("in_")
    sub["latest_invoice"] = invoice_id
    account.emit_updated("customer.subscription.updated", sub, before)
    pm = resolve(account, pm_ref) if pm_ref else None
    if pm is not None and pm["customer"] is None:
        pm["customer"] = sub["customer"]
    customer = account.get("customer", sub["customer"])
    lines = _cycle_lines(account, sub, (old_end, new_end))
    lines.extend(line_for_item(item) for item in pending_items(account, sub["customer"], sub["id"]))
    invoice, _ = bill(
        account,
        pm or (account.find(sub["default_payment_method"])
               if sub["default_payment_method"] else None),
        customer=customer,
        lines=lines,
        billing_reason="subscription_cycle",
        currency=sub["currency"],
        # Stripe's quirk: a renewal invoice's period is the period that just ended;
        # its lines carry the new one.
        period=(old_start, old_end),
        subscription=sub,
        discount_ids=list(sub["discounts"]),
        invoice_id=invoice_id,
        collection_method=sub["collection_method"],
    )
    return invoice


def trial_will_end(account: Account, sub: JsonObj) -> None:
    if sub["status"] != "trialing" or sub["trial_end"] is None:
        raise state_error(f"Subscription {sub['id']} is not trialing.")
    account.advance_clock_to(sub["trial_end"] - 3 * 86400)
    account.emit("customer.subscription.trial_will_end", sub)


ROUTES = [
    Route("POST", "/v1/subscriptions", api_create_subscription, "SubscriptionCreateParams"),
    Route("GET", "/v1/subscriptions", api_list_subscriptions, "SubscriptionListParams"),
    Route("GET", "/v1/subscriptions/{id}", api_retrieve_subscription,
          "SubscriptionRetrieveParams"),
    Route("POST", "/v1/subscriptions/{id}", api_update_subscription,
          "SubscriptionUpdateParams"),
    Route("DELETE", "/v1/subscriptions/{id}", api_cancel_subscription,
          "SubscriptionCancelParams"),
    Route("GET", "/v1/subscription_items", api_list_items, "SubscriptionItemListParams"),
    Route("POST", "/v1/invoices/create_preview", api_create_preview, "InvoiceCreatePreviewParams"),
    Route("GET", "/v1/subscription_items/{id}", api_retrieve_item,
          "SubscriptionItemRetrieveParams"),
]
