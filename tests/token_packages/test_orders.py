"""Packages and orders: settings, the price list, creating orders and their Checkout Sessions, reading them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from core.app import create_app
from core.db import rollback
from core.errors import SettingsError
from plugins.token_packages import schemas
from plugins.token_packages.config import Expiry
from plugins.token_packages.models import Order
from plugins.token_packages.orders import OrderService
from plugins.token_packages.pricing import display_amount, unit_price
from tests.support.app import asgi_client
from tests.support.tenants import auth, tenant_block, user_auth
from tests.token_packages.conftest import CREDITSHOP, Shop, creditshop


async def order_count(shop: Shop) -> int:
    async with shop.runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def checkout_sessions(shop: Shop) -> list[Any]:
    return list((await shop.stripe.v1.checkout.sessions.list_async({"limit": 100})).data)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (creditshop(packages={}), "declare at least one package"),
        (creditshop(default_currency="eur"), "no package is priced in the default currency"),
        (creditshop(packages={"x": {"name": "X", "credits": 1, "prices": {}}}), "a price in at least one currency"),
        (creditshop(packages={"x": {"name": "X", "credits": 1, "prices": {"CNY": 100}}}), "prices"),
        (creditshop(packages={"x": {"name": "X", "credits": 0, "prices": {"cny": 100}}}), "credits"),
        (creditshop(packages={"X Y": {"name": "X", "credits": 1, "prices": {"cny": 1}}}), "packages"),
        (creditshop(refund_policy="sometimes"), "refund_policy"),
        (creditshop(expiry={"months": "six"}), "expiry"),
        (creditshop(surprise=True), "surprise"),
    ],
)
def test_settings_are_validated(make_runtime: Any, block: dict[str, Any], message: str) -> None:
    tenants = {"alpha": tenant_block("CreditShop", ["token_packages"], token_packages=block)}
    with pytest.raises(SettingsError, match=rf"tenants\.alpha\.token_packages: .*{message}"):
        make_runtime(tenants=tenants)


def test_the_block_is_required(make_runtime: Any) -> None:
    with pytest.raises(SettingsError, match=r"tenants\.alpha\.token_packages is required"):
        make_runtime(tenants={"alpha": tenant_block("CreditShop", ["token_packages"])})


def test_expiry_counts_calendar_months() -> None:
    six = Expiry(months=6)
    assert six.after(dt.datetime(2025, 8, 31, 12, tzinfo=dt.UTC)) == dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert six.after(dt.datetime(2025, 10, 5, tzinfo=dt.UTC)) == dt.datetime(2026, 4, 5, tzinfo=dt.UTC)
    assert Expiry(days=30).after(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) == dt.datetime(2025, 1, 31, tzinfo=dt.UTC)
    assert Expiry().after(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) is None


def test_prices_for_display_are_decimal_strings() -> None:
    assert (display_amount(10000, "cny"), display_amount(500, "jpy"), display_amount(1234, "kwd")) == (
        "100.00",
        "500",
        "1.234",
    )
    assert (unit_price(5000, 500, "cny"), unit_price(10000, 1100, "cny"), unit_price(100000, 13000, "cny")) == (
        "0.1000",
        "0.0909",
        "0.0769",
    )


async def test_packages_are_listed_with_prices_and_unit_prices(shop: Shop, fiko: Shop) -> None:
    r = await shop.http.get(shop.url("/packages"), headers=auth("alpha"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["currencies"], body["default_currency"]) == (["cny", "usd"], "cny")
    standard = body["data"][1]
    assert standard == {
        "id": "standard",
        "name": "标准包",
        "description": None,
        "credits": 1000,
        "bonus_credits": 100,
        "total_credits": 1100,
        "interval": None,
        "expires_after": {"months": 6, "days": 0},
        "prices": [
            {"currency": "cny", "amount": 10000, "display_amount": "100.00", "unit_price": "0.0909"},
            {"currency": "usd", "amount": 1500, "display_amount": "15.00", "unit_price": "0.0136"},
        ],
    }
    assert [p["id"] for p in body["data"]] == list(CREDITSHOP["packages"]), "in the settings' order"

    assert (body["has_more"], body["next_cursor"]) == (False, None), "answered whole"
    # Filtered by currency; an end user may read the list too.
    r = await shop.http.get(shop.url("/packages?currency=usd"), headers=user_auth("alpha", "cust-1"))
    assert [(p["id"], [x["currency"] for x in p["prices"]]) for p in r.json()["data"]] == [("standard", ["usd"])]
    r = await shop.http.get(shop.url("/packages?currency=gbp"), headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "unsupported_currency")
    assert r.json()["error"]["detail"] == {"currencies": ["cny", "usd"]}
    # Codes are Stripe's, lowercase: anything else is refused before the tenant's catalog is asked.
    for code in ("USD", "xyz"):
        r = await shop.http.get(shop.url(f"/packages?currency={code}"), headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (400, "validation_error"), code

    # Each tenant sees its own catalog.
    r = await fiko.http.get(fiko.url("/packages"), headers=auth("beta"))
    assert [(p["id"], p["interval"], p["expires_after"]) for p in r.json()["data"]] == [
        ("tokens-1k", None, None),
        ("tokens-100k", "month", None),
    ]


async def test_an_order_is_pending_with_a_checkout_session(shop: Shop) -> None:
    order = await shop.order("standard", promotion_code=None, cancel_url="https://shop.example/cancel")
    assert {k: order[k] for k in ("status", "amount", "currency", "credits", "bonus_credits", "package_name")} == {
        "status": "pending",
        "amount": 10000,
        "currency": "cny",
        "credits": 1100,
        "bonus_credits": 100,
        "package_name": "标准包",
    }
    assert order["payment_url"].endswith(f"/_emulator/pay/{order['checkout_session_id']}")
    assert (order["payments"], order["refunds"], order["paid_at"], order["amount_paid"]) == ([], [], None, 0)

    session = await shop.stripe.v1.checkout.sessions.retrieve_async(
        order["checkout_session_id"], {"expand": ["line_items"]}
    )
    assert (session.mode, session.amount_total, session.currency, session.client_reference_id) == (
        "payment",
        10000,
        "cny",
        order["id"],
    )
    assert session.allow_promotion_codes is True
    assert session.metadata["tollgate_order"] == order["id"]
    assert session.metadata["tollgate_plugin"] == "token_packages"
    [item] = session.line_items.data
    assert (item.description, item.price.unit_amount, item.price.type) == ("标准包", 10000, "one_time")
    customer = (await shop.http.get(shop.url("/customers/cust-1"), headers=auth("alpha"))).json()
    assert session.customer == customer["stripe_customer_id"]


async def test_a_repeated_order_gets_the_first_answer_and_one_checkout_session(shop: Shop) -> None:
    body = {"package": "trial", "success_url": "https://shop.example/paid"}
    url, headers = shop.url("/customers/cust-1/orders"), auth("alpha") | {"Idempotency-Key": "order-1"}
    first = await shop.http.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.text
    # Stripe is not asked again: a fault armed on it would fail a second call.
    await shop.control.fail_next(shop.key, 5, status=500, path_prefix="/v1/checkout")
    again = await shop.http.post(url, json={"success_url": body["success_url"], "package": "trial"}, headers=headers)
    await shop.control.clear_faults(shop.key)
    assert (again.status_code, again.content) == (201, first.content), "the first answer, byte for byte"
    other = await shop.http.post(url, json={**body, "package": "value"}, headers=headers)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert await order_count(shop) == 1
    assert [s.id for s in await checkout_sessions(shop)] == [first.json()["checkout_session_id"]]


async def test_a_refused_order_keeps_nothing_and_its_key_stays_unused(shop: Shop) -> None:
    body = {"package": "trial", "success_url": "https://shop.example/paid"}
    url, headers = shop.url("/customers/cust-1/orders"), auth("alpha") | {"Idempotency-Key": "order-2"}
    await shop.control.fail_next(shop.key, 5, status=500, path_prefix="/v1/checkout")
    failed = await shop.http.post(url, json=body, headers=headers)
    await shop.control.clear_faults(shop.key)
    assert (failed.status_code, failed.json()["error"]["code"]) == (502, "stripe_error")
    assert await order_count(shop) == 0
    retried = await shop.http.post(url, json=body, headers=headers)
    assert retried.status_code == 201, retried.text


async def test_a_retry_after_a_lost_commit_gets_stripes_first_checkout_session(shop: Shop) -> None:
    data = schemas.OrderCreate(package="trial", success_url="https://shop.example/paid")
    tenant = shop.runtime.tenants.get("alpha")
    made = []
    for _ in range(2):
        async with shop.runtime.sessions() as session:
            made.append(await OrderService(session, tenant).create("cust-1", data, "lost", shop.runtime))
            await rollback(session)  # the process died before the commit
    assert made[0].checkout_session_id == made[1].checkout_session_id, "Stripe answered its first session"
    assert (made[0].id, made[0].payment_url) == (made[1].id, made[1].payment_url)
    assert len(await checkout_sessions(shop)) == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"package": "gold"}, 400, "unknown_package"),
        ({"package": "standard", "currency": "eur"}, 400, "unsupported_currency"),
        ({"package": "standard", "promotion_code": "NOPE"}, 400, "invalid_promotion_code"),
        ({"package": "standard", "success_url": None}, 400, "success_url_required"),
        ({"package": "standard", "success_url": "javascript:alert(1)"}, 400, "validation_error"),
        ({"package": "standard", "currency": "yuan"}, 400, "validation_error"),
        ({"package": "standard", "surprise": 1}, 400, "validation_error"),
        ({"success_url": "https://shop.example/paid"}, 400, "validation_error"),
    ],
)
async def test_bad_orders_are_refused_and_write_nothing(
    shop: Shop, body: dict[str, Any], status: int, code: str
) -> None:
    payload = {"success_url": "https://shop.example/paid", **body}
    r = await shop.http.post(shop.url("/customers/cust-1/orders"), json=payload, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert await order_count(shop) == 0
    assert await checkout_sessions(shop) == []


async def test_currency_is_required_when_a_pack_has_several_and_no_default(fiko: Shop) -> None:
    r = await fiko.http.post(
        fiko.url("/customers/cust-1/orders"),
        json={"package": "tokens-1k", "success_url": "https://fiko.example/ok"},
        headers=auth("beta"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (400, "currency_required")
    assert r.json()["error"]["detail"] == {"currencies": ["eur", "usd"]}
    eur = await fiko.order("tokens-1k", currency="eur")
    assert (eur["currency"], eur["amount"]) == ("eur", 450)


async def test_an_unknown_customer_is_404(shop: Shop) -> None:
    r = await shop.http.post(
        shop.url("/customers/nobody/orders"),
        json={"package": "trial", "success_url": "https://shop.example/paid"},
        headers=auth("alpha"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")


async def test_customers_read_their_own_orders(shop: Shop) -> None:
    await shop.add_customer("cust-2")
    keyed = auth("alpha") | {"Idempotency-Key": "standard-1"}
    standard = {"package": "standard", "success_url": "https://shop.example/paid"}
    # A keyed order's id derives from its key, not from the time: the list is in creation order all the same.
    trial = await shop.order("trial")
    made = await shop.http.post(shop.url("/customers/cust-1/orders"), json=standard, headers=keyed)
    mine = [trial, made.json(), await shop.order("value")]
    theirs = await shop.order("premium", customer="cust-2")

    as_user = user_auth("alpha", "cust-1")
    r = await shop.http.get(shop.url("/customers/cust-1/orders?limit=2"), headers=as_user)
    assert r.status_code == 200, r.text
    assert [o["id"] for o in r.json()["data"]] == [mine[2]["id"], mine[1]["id"]], "newest first"
    assert r.json()["has_more"] is True
    cursor = r.json()["next_cursor"]
    r = await shop.http.get(shop.url(f"/customers/cust-1/orders?limit=2&cursor={cursor}"), headers=as_user)
    assert ([o["id"] for o in r.json()["data"]], r.json()["has_more"], r.json()["next_cursor"]) == (
        [mine[0]["id"]],
        False,
        None,
    )
    r = await shop.http.get(shop.url("/customers/cust-1/orders?status=succeeded"), headers=as_user)
    assert r.json()["data"] == []

    r = await shop.http.get(shop.url(f"/customers/cust-1/orders/{mine[0]['id']}"), headers=as_user)
    assert (r.status_code, r.json()["package"]) == (200, "trial")
    # Another customer's order, through my path or theirs, is not found.
    r = await shop.http.get(shop.url(f"/customers/cust-1/orders/{theirs['id']}"), headers=as_user)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    r = await shop.http.get(shop.url("/customers/cust-2/orders"), headers=as_user)
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    for bad in ("not-a-uuid", "0190b8f0-0000-7000-8000-000000000000"):
        r = await shop.http.get(shop.url(f"/customers/cust-1/orders/{bad}"), headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    r = await shop.http.get(shop.url("/customers/cust-1/orders?cursor=nope"), headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_tenants_never_see_each_others_orders(shop: Shop, fiko: Shop) -> None:
    order = await shop.order("trial")
    # The same customer id at fiko has no orders, and alpha's order id is unknown there.
    r = await fiko.http.get(fiko.url("/customers/cust-1/orders"), headers=auth("beta"))
    assert r.json()["data"] == []
    r = await fiko.http.get(fiko.url(f"/customers/cust-1/orders/{order['id']}"), headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    r = await fiko.refund(order["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (404, "order_not_found")
    # alpha's key on fiko's routes is not a key there.
    r = await fiko.http.get(fiko.url("/customers/cust-1/orders"), headers=auth("alpha"))
    assert r.status_code == 401


async def test_a_tenant_without_the_plugin_gets_404(make_runtime: Any, runtime: Any) -> None:
    other = make_runtime(
        tenants={
            "alpha": tenant_block("CreditShop", ["token_packages"], token_packages=CREDITSHOP),
            "beta": {"name": "B"},
        }
    )
    async with asgi_client(create_app(other)) as http:
        r = await http.get("/t/beta/v1/packages", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")
