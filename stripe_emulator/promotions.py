"""Coupons, promotion codes (today's `promotion: {type, coupon}` shape) and discounts.

Also the discount arithmetic that checkout and invoices share, in integer minor units.
"""

from __future__ import annotations

import secrets
import string
from decimal import ROUND_HALF_UP, Decimal

from .errors import invalid_request
from .expansion import respond, respond_list
from .periods import add_months
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

_CODE_ALPHABET = string.ascii_uppercase + string.digits


# ---------------------------------------------------------------- coupons


def _refresh_valid(account: Account, coupon: JsonObj) -> None:
    expired = coupon["redeem_by"] is not None and coupon["redeem_by"] <= account.now()
    exhausted = (
        coupon["max_redemptions"] is not None
        and coupon["times_redeemed"] >= coupon["max_redemptions"]
    )
    coupon["valid"] = not (expired or exhausted)


def create_coupon(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    percent_off = params.float("percent_off")
    amount_off = params.int("amount_off", minimum=1)
    if (percent_off is None) == (amount_off is None):
        raise invalid_request("You must pass either `percent_off` or `amount_off`.")
    if percent_off is not None and not 0 < percent_off <= 100:
        raise invalid_request(
            "Invalid percent_off: must be greater than 0 and at most 100.",
            param="percent_off",
        )
    currency = params.str("currency")
    if amount_off is not None and not currency:
        raise invalid_request(
            "You must pass currency when passing amount_off.", param="currency"
        )
    duration = params.str("duration", choices=("once", "repeating", "forever")) or "once"
    months = params.int("duration_in_months", minimum=1)
    if duration == "repeating" and months is None:
        raise invalid_request(
            "You must pass duration_in_months when duration is repeating.",
            param="duration_in_months",
        )
    if duration != "repeating" and months is not None:
        raise invalid_request(
            "You may only pass duration_in_months when duration is repeating.",
            param="duration_in_months",
        )
    custom_id = params.str("id")
    if custom_id and account.find(custom_id) is not None:
        raise invalid_request(
            "Coupon already exists.", param="id", code="resource_already_exists"
        )
    coupon: JsonObj = {
        "amount_off": amount_off,
        "created": account.now(),
        "currency": currency.lower() if currency else None,
        "duration": duration,
        "duration_in_months": months,
        "id": custom_id or "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8)),
        "livemode": False,
        "max_redemptions": params.int("max_redemptions", minimum=1),
        "metadata": params.metadata() or {},
        "name": params.str("name"),
        "object": "coupon",
        "percent_off": percent_off,
        "redeem_by": params.int("redeem_by"),
        "times_redeemed": 0,
        "valid": True,
    }
    account.insert(coupon)
    account.emit("coupon.created", coupon)
    return respond(req, coupon)


def retrieve_coupon(req: ApiRequest) -> JsonObj:
    coupon = req.account.get("coupon", req.arg("id"))
    _refresh_valid(req.account, coupon)
    return respond(req, coupon)


def update_coupon(req: ApiRequest) -> JsonObj:
    account = req.account
    coupon = account.get("coupon", req.arg("id"))
    before = account.snapshot(coupon)
    if req.params.has("name"):
        coupon["name"] = req.params.str("name") or None
    metadata = req.params.metadata(existing=coupon["metadata"])
    if metadata is not None:
        coupon["metadata"] = metadata
    account.emit_updated("coupon.updated", coupon, before)
    return respond(req, coupon)


def delete_coupon(req: ApiRequest) -> JsonObj:
    coupon = req.account.get("coupon", req.arg("id"))
    req.account.remove(coupon["id"])
    req.account.emit("coupon.deleted", coupon)
    return {"deleted": True, "id": coupon["id"], "object": "coupon"}


def list_coupons(req: ApiRequest) -> JsonObj:
    return respond_list(req, req.account.all("coupon"), "/v1/coupons")


# ---------------------------------------------------------------- promotion codes


def _code_taken(account: Account, code: str) -> bool:
    return any(
        p["active"] and p["code"].lower() == code.lower()
        for p in account.all("promotion_code")
    )


def create_promotion_code(req: ApiRequest) -> JsonObj:
    account, params = req.account, req.params
    promotion = params.dict("promotion", required=True)
    assert promotion is not None
    promotion.str("type", required=True, choices=("coupon",))
    coupon_id = promotion.str("coupon", required=True)
    coupon = account.get("coupon", coupon_id, param="promotion[coupon]")
    code = params.str("code") or "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    if _code_taken(account, code):
        raise invalid_request(
            f"An active promotion code with `code: {code}` already exists.", param="code"
        )
    customer = params.str("customer")
    if customer:
        account.get("customer", customer, param="customer")
    restrictions = params.dict("restrictions")
    promo: JsonObj = {
        "active": params.bool("active") if params.has("active") else True,
        "code": code,
        "created": account.now(),
        "customer": customer,
        "expires_at": params.int("expires_at"),
        "id": new_id("promo_"),
        "livemode": False,
        "max_redemptions": params.int("max_redemptions", minimum=1),
        "metadata": params.metadata() or {},
        "object": "promotion_code",
        "restrictions": {
            "first_time_transaction": bool(
                restrictions and restrictions.bool("first_time_transaction")
            ),
            "minimum_amount": restrictions.int("minimum_amount") if restrictions else None,
            "minimum_amount_currency": (
                restrictions.str("minimum_amount_currency") if restrictions else None
            ),
        },
        "times_redeemed": 0,
        "promotion": {"coupon": coupon["id"], "type": "coupon"},
        "customer_account": None,
    }
    account.insert(promo)
    account.emit("promotion_code.created", promo)
    return respond(req, promo)


def retrieve_promotion_code(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("promotion_code", req.arg("id")))


def update_promotion_code(req: ApiRequest) -> JsonObj:
    account = req.account
    promo = account.get("promotion_code", req.arg("id"))
    before = account.snapshot(promo)
    if req.params.has("active"):
        active = bool(req.params.bool("active"))
        if active and not promo["active"] and _code_taken(account, promo["code"]):
            raise invalid_request(
                f"An active promotion code with `code: {promo['code']}` already exists.",
                param="active",
            )
        promo["active"] = active
    metadata = req.params.metadata(existing=promo["metadata"])
    if metadata is not None:
        promo["metadata"] = metadata
    account.emit_updated("promotion_code.updated", promo, before)
    return respond(req, promo)


def list_promotion_codes(req: ApiRequest) -> JsonObj:
    params = req.params
    code = params.str("code")
    active = params.bool("active")
    coupon = params.str("coupon")
    customer = params.str("customer")
    items = [
        p
        for p in req.account.all("promotion_code")
        if (code is None or p["code"].lower() == code.lower())
        and (active is None or p["active"] == active)
        and (coupon is None or p["promotion"]["coupon"] == coupon)
        and (customer is None or p["customer"] == customer)
    ]
    return respond_list(req, items, "/v1/promotion_codes")


def find_active_code(account: Account, code: str) -> JsonObj | None:
    for promo in account.all("promotion_code"):
        if promo["active"] and promo["code"].lower() == code.lower():
            return promo
    return None


# ---------------------------------------------------------------- redemption


def _has_paid_before(account: Account, customer_id: str | None) -> bool:
    if customer_id is None:
        return False
    return any(
        c["customer"] == customer_id and c["status"] == "succeeded"
        for c in account.all("charge")
    )


def redeemable_coupon(
    account: Account,
    *,
    coupon_id: str | None,
    promo_id: str | None,
    customer_id: str | None,
    amount: int,
    currency: str,
    param: str,
) -> tuple[JsonObj, JsonObj | None]:
    """(coupon, promotion code) after Stripe's redemption checks, or a 400."""
    promo = None
    if promo_id:
        promo = account.get("promotion_code", promo_id, param=param)
        if not promo["active"]:
            raise invalid_request("This promotion code is inactive.", param=param)
        if promo["expires_at"] is not None and promo["expires_at"] <= account.now():
            raise invalid_request("This promotion code has expired.", param=param)
        if (
            promo["max_redemptions"] is not None
            and promo["times_redeemed"] >= promo["max_redemptions"]
        ):
            raise invalid_request(
                "This promotion code has reached its maximum number of redemptions.",
                param=param,
            )
        if promo["customer"] is not None and promo["customer"] != customer_id:
            raise invalid_request(
                "This promotion code cannot be redeemed by this customer.", param=param
            )
        minimum = promo["restrictions"]["minimum_amount"]
        if minimum is not None and amount < minimum:
            raise invalid_request(
                "This promotion code requires a minimum order amount.", param=param
            )
        if promo["restrictions"]["first_time_transaction"] and _has_paid_before(
            account, customer_id
        ):
            raise invalid_request(
                "This promotion code is only valid for first-time customers.", param=param
            )
        coupon_id = promo["promotion"]["coupon"]
    coupon = account.get("coupon", coupon_id, param=param)
    _refresh_valid(account, coupon)
    if not coupon["valid"]:
        raise invalid_request(f"Coupon {coupon['id']} is no longer valid.", param=param)
    if coupon["amount_off"] is not None and coupon["currency"] != currency:
        raise invalid_request(
            f"The coupon {coupon['id']} is in {coupon['currency']}, but the amount is in "
            f"{currency}.",
            param=param,
        )
    return coupon, promo


def redeem(account: Account, coupon: JsonObj, promo: JsonObj | None) -> None:
    coupon["times_redeemed"] += 1
    _refresh_valid(account, coupon)
    if promo is not None:
        promo["times_redeemed"] += 1


def new_discount(
    account: Account,
    coupon: JsonObj,
    promo: JsonObj | None,
    *,
    customer: str | None,
    subscription: str | None = None,
    checkout_session: str | None = None,
    invoice: str | None = None,
) -> JsonObj:
    start = account.now()
    end = None
    if coupon["duration"] == "repeating":
        end = add_months(start, coupon["duration_in_months"])
    discount: JsonObj = {
        "checkout_session": checkout_session,
        "customer": customer,
        "end": end,
        "id": new_id("di_"),
        "invoice": invoice,
        "invoice_item": None,
        "object": "discount",
        "promotion_code": promo["id"] if promo else None,
        "start": start,
        "subscription": subscription,
        "subscription_item": None,
        "source": {"coupon": coupon["id"], "type": "coupon"},
        "customer_account": None,
    }
    return account.insert(discount)


def coupon_of(account: Account, discount: JsonObj) -> JsonObj:
    return account.get("coupon", discount["source"]["coupon"])


def split_discount(coupon: JsonObj, amounts: list[int]) -> list[int]:
    """The discount on each line: percent per line, a fixed amount spread pro rata."""
    positive = [max(a, 0) for a in amounts]
    if coupon["percent_off"] is not None:
        pct = Decimal(str(coupon["percent_off"]))
        return [
            int((Decimal(a) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for a in positive
        ]
    total = sum(positive)
    off = min(coupon["amount_off"], total)
    if total == 0:
        return [0 for _ in amounts]
    shares = [off * a // total for a in positive]
    # The rounding remainder goes to the largest line, so the shares add up exactly.
    remainder = off - sum(shares)
    if remainder:
        shares[positive.index(max(positive))] += remainder
    return shares


ROUTES = [
    Route("POST", "/v1/coupons", create_coupon, "CouponCreateParams"),
    Route("GET", "/v1/coupons", list_coupons, "CouponListParams"),
    Route("GET", "/v1/coupons/{id}", retrieve_coupon, "CouponRetrieveParams"),
    Route("POST", "/v1/coupons/{id}", update_coupon, "CouponUpdateParams"),
    Route("DELETE", "/v1/coupons/{id}", delete_coupon, "CouponDeleteParams"),
    Route("POST", "/v1/promotion_codes", create_promotion_code, "PromotionCodeCreateParams"),
    Route("GET", "/v1/promotion_codes", list_promotion_codes, "PromotionCodeListParams"),
    Route("GET", "/v1/promotion_codes/{id}", retrieve_promotion_code,
          "PromotionCodeRetrieveParams"),
    Route("POST", "/v1/promotion_codes/{id}", update_promotion_code,
          "PromotionCodeUpdateParams"),
]
