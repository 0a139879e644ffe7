"""The catalog: products and prices, through the API and "in the dashboard" (test helpers)."""

from __future__ import annotations

from .encoding import Params
from .errors import invalid_request, state_error
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

INTERVALS = ("day", "week", "month", "year")


# ---------------------------------------------------------------- products


def _new_product(account: Account, params: Params) -> JsonObj:
    name = params.str("name", required=True)
    custom_id = params.str("id")
    if custom_id and account.find(custom_id) is not None:
        raise invalid_request(
            "Product already exists.", param="id", code="resource_already_exists"
        )
    now = account.now()
    product: JsonObj = {
        "active": True,
        "created": now,
        "default_price": None,
        "description": None,
        "id": custom_id or new_id("prod_", 14),
        "images": [],
        "livemode": False,
        "marketing_features": [],
        "metadata": {},
        "name": name,
        "object": "product",
        "package_dimensions": None,
        "shippable": None,
        "statement_descriptor": None,
        "tax_code": None,
        "unit_label": None,
        "updated": now,
        "url": None,
        "type": "service",
    }
    _apply_product(account, product, params)
    return account.insert(product)


def _apply_product(account: Account, product: JsonObj, params: Params) -> None:
    if params.has("name"):
        product["name"] = params.str("name", required=True)
    for key in ("description", "statement_descriptor", "unit_label", "url", "tax_code"):
        if params.has(key):
            product[key] = params.str(key) or None
    if params.has("active"):
        product["active"] = bool(params.bool("active"))
    if params.has("shippable"):
        product["shippable"] = params.bool("shippable")
    if params.has("images"):
        product["images"] = params.str_list("images")
    if params.has("marketing_features"):
        product["marketing_features"] = [
            {"name": f.str("name", required=True)}
            for f in params.list("marketing_features")
            if isinstance(f, Params)
        ]
    metadata = params.metadata(existing=product["metadata"])
    if metadata is not None:
        product["metadata"] = metadata
    if params.has("default_price"):
        price_id = params.str("default_price")
        if price_id:
            price = account.get("price", price_id, param="default_price")
            if price["product"] != product["id"]:
                raise invalid_request(
                    "The default price must belong to this product.", param="default_price"
                )
        product["default_price"] = price_id or None


def create_product(account: Account, params: Params) -> JsonObj:
    product = _new_product(account, params)
    account.emit("product.created", product)
    price_data = params.dict("default_price_data")
    if price_data is not None:
        raw = dict(price_data.raw)
        raw["product"] = product["id"]
        price = create_price(account, Params(raw, "default_price_data"))
        before = account.snapshot(product)
        product["default_price"] = price["id"]
        account.emit_updated("product.updated", product, before)
    return product


def update_product(account: Account, product: JsonObj, params: Params) -> JsonObj:
    before = account.snapshot(product)
    _apply_product(account, product, params)
    if account.render(product) != before:
        product["updated"] = account.now()
        account.emit_updated("product.updated", product, before)
    return product


def delete_product(account: Account, product: JsonObj) -> JsonObj:
    if any(p["product"] == product["id"] for p in account.all("price")):
        raise invalid_request(
            "This product cannot be deleted because it has one or more user-created "
            "prices.",
        )
    account.remove(product["id"])
    account.emit("product.deleted", product)
    return {"deleted": True, "id": product["id"], "object": "product"}


def api_create_product(req: ApiRequest) -> JsonObj:
    return respond(req, create_product(req.account, req.params))


def api_retrieve_product(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("product", req.arg("id")))


def api_update_product(req: ApiRequest) -> JsonObj:
    product = req.account.get("product", req.arg("id"))
    return respond(req, update_product(req.account, product, req.params))


def api_delete_product(req: ApiRequest) -> JsonObj:
    return delete_product(req.account, req.account.get("product", req.arg("id")))


def api_list_products(req: ApiRequest) -> JsonObj:
    active = req.params.bool("active")
    ids: set[str] = set(req.params.str_list("ids"))
    items = [
        p
        for p in req.account.all("product")
        if (active is None or p["active"] == active) and (not ids or p["id"] in ids)
    ]
    return respond_list(req, items, "/v1/products")


# ---------------------------------------------------------------- prices


def as_plan(price: JsonObj) -> JsonObj | None:
    """The legacy `plan` view of a recurring price (subscription items carry both)."""
    recurring = price["recurring"]
    if recurring is None:
        return None
    return {
        "active": price["active"],
        "amount": price["unit_amount"],
        "amount_decimal": price["unit_amount_decimal"],
        "billing_scheme": price["billing_scheme"],
        "created": price["created"],
        "currency": price["currency"],
        "id": price["id"],
        "interval": recurring["interval"],
        "interval_count": recurring["interval_count"],
        "livemode": False,
        "metadata": dict(price["metadata"]),
        "meter": None,
        "nickname": price["nickname"],
        "object": "plan",
        "product": price["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": recurring["trial_period_days"],
        "usage_type": recurring["usage_type"],
    }


def _take_lookup_key(account: Account, key: str, transfer: bool, own_id: str | None) -> None:
    for other in account.all("price"):
        if other["lookup_key"] == key and other["id"] != own_id:
            if not transfer:
                raise invalid_request(
                    f"A price (`{other['id']}`) already uses that lookup key.",
                    param="lookup_key",
                )
            before = account.snapshot(other)
            other["lookup_key"] = None
            account.emit_updated("price.updated", other, before)


def create_price(account: Account, params: Params) -> JsonObj:
    currency = params.str("currency", required=True)
    assert currency is not None
    product_id = params.str("product")
    product_data = params.dict("product_data")
    if product_id and product_data is not None:
        raise invalid_request(
            "You may only specify one of these parameters: product, product_data."
        )
    if product_id:
        product = account.get("product", product_id, param=params.name("product"))
    elif product_data is not None:
        product = create_product(account, product_data)
    else:
        raise invalid_request(
            "You must specify either `product` or `product_data` when creating a price.",
            param=params.name("product"),
        )
    unit_amount = params.int("unit_amount", minimum=0)
    decimal = params.str("unit_amount_decimal")
    if unit_amount is None and decimal:
        unit_amount = int(float(decimal))
    if unit_amount is None:
        raise invalid_request(
            "Missing required param: unit_amount.", param=params.name("unit_amount"),
            code="parameter_missing",
        )
    recurring_params = params.dict("recurring")
    recurring: JsonObj | None = None
    if recurring_params is not None:
        interval = recurring_params.str("interval", required=True, choices=INTERVALS)
        recurring = {
            "interval": interval,
            "interval_count": recurring_params.int("interval_count", minimum=1) or 1,
            "meter": None,
            "usage_type": recurring_params.str("usage_type", choices=("licensed", "metered"))
            or "licensed",
            "trial_period_days": recurring_params.int("trial_period_days"),
        }
    lookup_key = params.str("lookup_key")
    if lookup_key:
        _take_lookup_key(account, lookup_key, bool(params.bool("transfer_lookup_key")), None)
    price: JsonObj = {
        "active": params.bool("active") if params.has("active") else True,
        "billing_scheme": "per_unit",
        "created": account.now(),
        "currency": currency.lower(),
        "custom_unit_amount": None,
        "id": new_id("price_"),
        "livemode": False,
        "lookup_key": lookup_key or None,
        "metadata": params.metadata() or {},
        "nickname": params.str("nickname"),
        "object": "price",
        "product": product["id"],
        "recurring": recurring,
        "tax_behavior": params.str("tax_behavior") or "unspecified",
        "tiers_mode": None,
        "transform_quantity": None,
        "type": "recurring" if recurring else "one_time",
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
    }
    account.insert(price)
    account.emit("price.created", price)
    return price


def update_price(account: Account, price: JsonObj, params: Params) -> JsonObj:
    before = account.snapshot(price)
    if params.has("active"):
        price["active"] = bool(params.bool("active"))
    if params.has("nickname"):
        price["nickname"] = params.str("nickname") or None
    if params.has("tax_behavior"):
        price["tax_behavior"] = params.str("tax_behavior")
    if params.has("lookup_key"):
        key = params.str("lookup_key")
        if key:
            _take_lookup_key(account, key, bool(params.bool("transfer_lookup_key")), price["id"])
        price["lookup_key"] = key or None
    metadata = params.metadata(existing=price["metadata"])
    if metadata is not None:
        price["metadata"] = metadata
    account.emit_updated("price.updated", price, before)
    return price


def price_in_use(account: Account, price_id: str) -> bool:
    return any(
        item["price"]["id"] == price_id for item in account.all("subscription_item")
    )


def delete_price(account: Account, price: JsonObj) -> JsonObj:
    """Dashboard-only: the API has no price deletion, the dashboard deletes unused ones."""
    if price_in_use(account, price["id"]):
        raise state_error("This price cannot be deleted because it is in use.")
    account.remove(price["id"])
    account.emit("price.deleted", price)
    product = account.find(price["product"])
    if product is not None and product["default_price"] == price["id"]:
        before = account.snapshot(product)
        product["default_price"] = None
        account.emit_updated("product.updated", product, before)
    return {"deleted": True, "id": price["id"], "object": "price"}


def api_create_price(req: ApiRequest) -> JsonObj:
    return respond(req, create_price(req.account, req.params))


def api_retrieve_price(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("price", req.arg("id")))


def api_update_price(req: ApiRequest) -> JsonObj:
    price = req.account.get("price", req.arg("id"))
    return respond(req, update_price(req.account, price, req.params))


def api_list_prices(req: ApiRequest) -> JsonObj:
    params = req.params
    active = params.bool("active")
    product = params.str("product")
    kind = params.str("type", choices=("one_time", "recurring"))
    currency = params.str("currency")
    lookup_keys: set[str] = set(params.str_list("lookup_keys"))
    recurring = params.dict("recurring")
    interval = recurring.str("interval") if recurring else None
    items = [
        p
        for p in req.account.all("price")
        if (active is None or p["active"] == active)
        and (product is None or p["product"] == product)
        and (kind is None or p["type"] == kind)
        and (currency is None or p["currency"] == currency.lower())
        and (not lookup_keys or p["lookup_key"] in lookup_keys)
        and (interval is None or (p["recurring"] or {}).get("interval") == interval)
    ]
    return respond_list(req, items, "/v1/prices")


ROUTES = [
    Route("POST", "/v1/products", api_create_product, "ProductCreateParams"),
    Route("GET", "/v1/products", api_list_products, "ProductListParams"),
    Route("GET", "/v1/products/{id}", api_retrieve_product, "ProductRetrieveParams"),
    Route("POST", "/v1/products/{id}", api_update_product, "ProductUpdateParams"),
    Route("DELETE", "/v1/products/{id}", api_delete_product, "ProductDeleteParams"),
    Route("POST", "/v1/prices", api_create_price, "PriceCreateParams"),
    Route("GET", "/v1/prices", api_list_prices, "PriceListParams"),
    Route("GET", "/v1/prices/{id}", api_retrieve_price, "PriceRetrieveParams"),
    Route("POST", "/v1/prices/{id}", api_update_price, "PriceUpdateParams"),
]
