"""Saved cards over HTTP, with the real Stripe SDK against the emulator and Stripe's signed webhooks: save a card
through a SetupIntent (3-D Secure too), list, choose the default, detach, and pay PAYG credits and token packs
off-session with a saved card; refusals answer 402 with Stripe's decline code and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.ledger.models import CreditGrant
from plugins.payg.models import CreditPurchase
from plugins.token_packages.models import Order
from tests.payment_methods.conftest import Tollgate
from tests.support.tenants import auth


async def count(tollgate: Tollgate, model: Any) -> int:
    async with session_scope(tollgate.runtime.sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def paid_with_receipt(tollgate: Tollgate, intent_id: str) -> None:
    """The customer's payments timeline lists the PaymentIntent with its charge's receipt, as Stripe holds it."""
    stripe = tollgate.emulator.stripe_client(tollgate.keys["alpha"])
    charge = stripe.v1.charges.retrieve(str(stripe.v1.payment_intents.retrieve(intent_id).latest_charge))
    [item] = (await tollgate.call("GET", "/customers/cust-1/payments"))["data"]
    assert charge.receipt_url
    assert (item["id"], item["receipt_url"]) == (intent_id, charge.receipt_url)


async def test_save_list_default_and_detach_cards(tollgate: Tollgate) -> None:
    setup = await tollgate.call("POST", "/customers/cust-1/setup-intents")
    assert setup["id"].startswith("seti_") and setup["client_secret"].startswith(setup["id"] + "_secret_")
    assert (setup["status"], setup["customer"]) == ("requires_payment_method", "cust-1")
    done = await tollgate.emulator.control.aio.confirm(None, setup["client_secret"], "pm_card_visa")
    visa = done["setup_intent"]["payment_method"]
    # A card that needs 3-D Secure at setup: the challenge is completed in the browser, then it is saved.
    setup = await tollgate.call("POST", "/customers/cust-1/setup-intents")
    waiting = await tollgate.emulator.control.aio.confirm(
        None, setup["client_secret"], "4000002500003155", three_d_secure="leave"
    )
    assert waiting["status"] == "requires_action"
    assert (await tollgate.call("GET", "/customers/cust-1/payment-methods"))["data"] == [
        {
            "id": visa,
            "type": "card",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2034,
            "default": False,
        }
    ]
    await tollgate.emulator.control.aio.authenticate_setup(tollgate.keys["alpha"], setup["id"])

    page = await tollgate.call("GET", "/customers/cust-1/payment-methods")
    assert [(c["last4"], c["default"]) for c in page["data"]] == [("3155", False), ("4242", False)]
    assert (page["has_more"], page["next_cursor"]) == (False, None)
    first = await tollgate.call("GET", "/customers/cust-1/payment-methods", params={"limit": 1})
    assert first["has_more"] and [c["last4"] for c in first["data"]] == ["3155"]
    rest = await tollgate.call(
        "GET", "/customers/cust-1/payment-methods", params={"limit": 1, "cursor": first["next_cursor"]}
    )
    assert ([c["last4"] for c in rest["data"]], rest["has_more"]) == (["4242"], False)

    chosen = await tollgate.call("POST", f"/customers/cust-1/payment-methods/{visa}/default")
    assert (chosen["id"], chosen["default"]) == (visa, True)
    stripe = tollgate.emulator.stripe_client(tollgate.keys["alpha"])
    stripe_customer = (await tollgate.call("GET", "/customers/cust-1"))["stripe_customer_id"]
    assert stripe.v1.customers.retrieve(stripe_customer).invoice_settings.default_payment_method == visa
    page = await tollgate.call("GET", "/customers/cust-1/payment-methods")
    assert [(c["last4"], c["default"]) for c in page["data"]] == [("3155", False), ("4242", True)]

    detached = await tollgate.call("DELETE", f"/customers/cust-1/payment-methods/{visa}")
    assert detached["id"] == visa
    assert stripe.v1.payment_methods.retrieve(visa).customer is None
    assert stripe.v1.customers.retrieve(stripe_customer).invoice_settings.default_payment_method is None
    assert [c["last4"] for c in (await tollgate.call("GET", "/customers/cust-1/payment-methods"))["data"]] == ["3155"]
    again = await tollgate.request("DELETE", f"/customers/cust-1/payment-methods/{visa}")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "payment_method_not_found")


async def test_a_customer_without_cards_lists_none_and_a_declined_setup_saves_nothing(tollgate: Tollgate) -> None:
    assert (await tollgate.call("GET", "/customers/cust-2/payment-methods"))["data"] == []
    setup = await tollgate.call("POST", "/customers/cust-2/setup-intents")
    with pytest.raises(Exception, match="402"):
        await tollgate.emulator.control.aio.confirm(None, setup["client_secret"], "pm_card_chargeDeclined")
    assert (await tollgate.call("GET", "/customers/cust-2/payment-methods"))["data"] == []
    missing = await tollgate.request("GET", "/customers/nobody/payment-methods")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "customer_not_found")
    bad = await tollgate.request("GET", "/customers/cust-2/payment-methods", params={"cursor": "nope"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_a_setup_intent_honours_the_idempotency_key(tollgate: Tollgate) -> None:
    headers = {"Idempotency-Key": "setup-1"}
    first = await tollgate.call("POST", "/customers/cust-1/setup-intents", headers=headers)
    second = await tollgate.call("POST", "/customers/cust-1/setup-intents", headers=headers)
    assert first == second


async def test_payg_off_session_with_a_saved_card_grants_once(tollgate: Tollgate) -> None:
    card = await tollgate.save_card("cust-1", "pm_card_visa")
    purchase = await tollgate.call(
        "POST",
        "/customers/cust-1/credit-purchases",
        json={"credits": 500, "currency": "usd", "payment_method": card},
        headers={"Idempotency-Key": "buy-1"},
    )
    assert (purchase["status"], purchase["credits"], purchase["amount"], purchase["client_secret"]) == (
        "succeeded",
        500,
        500,
        None,
    )
    assert purchase["grant_id"] and purchase["payment_intent_id"].startswith("pi_")
    # Stripe's signed payment_intent.succeeded reaches the app and is processed: nothing granted twice.
    await tollgate.webhooks_done()
    deliveries = (await tollgate.emulator.control.aio.deliveries(tollgate.keys["alpha"]))["data"]
    assert any(d["event_type"] == "payment_intent.succeeded" and d["ok"] for d in deliveries)
    assert await tollgate.balance("cust-1") == 500
    assert await count(tollgate, CreditGrant) == 1
    replay = await tollgate.call(
        "POST",
        "/customers/cust-1/credit-purchases",
        json={"credits": 500, "currency": "usd", "payment_method": card},
        headers={"Idempotency-Key": "buy-1"},
    )
    assert replay == purchase
    stripe = tollgate.emulator.stripe_client(tollgate.keys["alpha"])
    intent = stripe.v1.payment_intents.retrieve(purchase["payment_intent_id"])
    assert (intent.status, intent.payment_method, intent.amount) == ("succeeded", card, 500)
    read = await tollgate.call("GET", f"/customers/cust-1/credit-purchases/{purchase['id']}")
    assert (read["status"], read["grant_id"]) == ("succeeded", purchase["grant_id"])
    await paid_with_receipt(tollgate, purchase["payment_intent_id"])


@pytest.mark.parametrize(
    ("card", "status", "code", "decline_code"),
    [
        ("pm_card_chargeDeclinedInsufficientFunds", 402, "card_declined", "insufficient_funds"),
        ("pm_card_chargeCustomerFail", 402, "card_declined", "generic_decline"),
        ("pm_card_authenticationRequired", 402, "requires_action", "authentication_required"),
    ],
)
async def test_a_refused_saved_card_answers_402_and_changes_nothing(
    tollgate: Tollgate, card: str, status: int, code: str, decline_code: str
) -> None:
    saved = await tollgate.save_card("cust-1", card)
    response = await tollgate.request(
        "POST", "/customers/cust-1/credit-purchases", json={"credits": 500, "currency": "usd", "payment_method": saved}
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["detail"]["decline_code"], error["detail"]["payment_method"]) == (
        code,
        decline_code,
        saved,
    )
    order = await tollgate.request(
        "POST",
        "/customers/cust-1/orders",
        json={"package": "boost", "success_url": "https://app.example/ok", "payment_method": saved},
    )
    assert (order.status_code, order.json()["error"]["code"]) == (status, code)
    await tollgate.webhooks_done()  # payment_intent.payment_failed arrives and finds nothing of ours
    assert await tollgate.balance("cust-1") == 0
    assert (
        await count(tollgate, CreditPurchase),
        await count(tollgate, Order),
        await count(tollgate, CreditGrant),
    ) == (
        0,
        0,
        0,
    )


async def test_a_card_set_up_with_3d_secure_pays_off_session_without_a_challenge(tollgate: Tollgate) -> None:
    card = await tollgate.save_card("cust-1", "pm_card_authenticationRequiredOnSetup")
    purchase = await tollgate.call(
        "POST", "/customers/cust-1/credit-purchases", json={"credits": 200, "currency": "usd", "payment_method": card}
    )
    assert purchase["status"] == "succeeded"
    await tollgate.webhooks_done()
    assert await tollgate.balance("cust-1") == 200


async def test_a_token_pack_paid_with_a_saved_card_grants_once(tollgate: Tollgate) -> None:
    card = await tollgate.save_card("cust-1", "pm_card_mastercard")
    # No Checkout, so no `success_url` to give.
    order = await tollgate.call("POST", "/customers/cust-1/orders", json={"package": "boost", "payment_method": card})
    assert (order["status"], order["credits_granted"], order["checkout_session_id"], order["payment_url"]) == (
        "succeeded",
        1000,
        None,
        None,
    )
    assert [p["amount"] for p in order["payments"]] == [900]
    await tollgate.webhooks_done()
    assert await tollgate.balance("cust-1") == 1000
    assert await count(tollgate, CreditGrant) == 1
    read = await tollgate.call("GET", f"/customers/cust-1/orders/{order['id']}")
    assert (read["status"], len(read["payments"])) == ("succeeded", 1)
    await paid_with_receipt(tollgate, read["payments"][0]["payment_intent_id"])
    recurring = await tollgate.request(
        "POST",
        "/customers/cust-1/orders",
        json={"package": "monthly", "success_url": "https://app.example/ok", "payment_method": card},
    )
    assert (recurring.status_code, recurring.json()["error"]["code"]) == (400, "saved_card_not_supported")


async def test_cards_never_cross_customers_or_tenants(tollgate: Tollgate) -> None:
    mine = await tollgate.save_card("cust-1", "pm_card_visa")
    other_tenant = await tollgate.save_card("cust-1", "pm_card_visa", slug="beta")
    await tollgate.save_card("cust-2", "pm_card_visa")
    for path_customer, pm, slug in (
        ("cust-2", mine, "alpha"),
        ("cust-1", other_tenant, "alpha"),
        ("cust-1", mine, "beta"),
    ):
        for method, path in (("POST", f"/payment-methods/{pm}/default"), ("DELETE", f"/payment-methods/{pm}")):
            refused = await tollgate.request(method, f"/customers/{path_customer}{path}", slug=slug)
            assert (refused.status_code, refused.json()["error"]["code"]) == (404, "payment_method_not_found")
        buy = await tollgate.request(
            "POST",
            f"/customers/{path_customer}/credit-purchases",
            slug=slug,
            json={"credits": 100, "currency": "usd", "payment_method": pm},
        )
        assert (buy.status_code, buy.json()["error"]["code"]) == (404, "payment_method_not_found")
    stripe = tollgate.emulator.stripe_client(tollgate.keys["alpha"])
    assert stripe.v1.payment_methods.retrieve(mine).customer is not None
    assert [c["id"] for c in (await tollgate.call("GET", "/customers/cust-1/payment-methods"))["data"]] == [mine]
    assert await count(tollgate, CreditPurchase) == 0


async def test_an_end_user_manages_only_its_own_cards(tollgate: Tollgate) -> None:
    setup = await tollgate.call("POST", "/customers/cust-1/setup-intents", user="cust-1")
    done = await tollgate.emulator.control.aio.confirm(None, setup["client_secret"], "pm_card_visa")
    card = done["setup_intent"]["payment_method"]
    listed = await tollgate.call("GET", "/customers/cust-1/payment-methods", user="cust-1")
    assert [c["id"] for c in listed["data"]] == [card]
    assert (await tollgate.call("POST", f"/customers/cust-1/payment-methods/{card}/default", user="cust-1"))["default"]
    for method, path in (
        ("POST", "/customers/cust-1/setup-intents"),
        ("GET", "/customers/cust-1/payment-methods"),
        ("POST", f"/customers/cust-1/payment-methods/{card}/default"),
        ("DELETE", f"/customers/cust-1/payment-methods/{card}"),
    ):
        refused = await tollgate.request(method, path, user="cust-2")
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "customer_not_found"), path
    assert (await tollgate.call("DELETE", f"/customers/cust-1/payment-methods/{card}", user="cust-1"))["id"] == card


async def test_the_money_audit_finds_saved_card_payments_granted(tollgate: Tollgate) -> None:
    card = await tollgate.save_card("cust-1", "pm_card_visa")
    await tollgate.call(
        "POST", "/customers/cust-1/credit-purchases", json={"credits": 300, "currency": "usd", "payment_method": card}
    )
    await tollgate.call(
        "POST",
        "/customers/cust-1/orders",
        json={"package": "boost", "success_url": "https://app.example/ok", "payment_method": card},
    )
    await tollgate.webhooks_done()
    # A window that ends in the future: Stripe's `created` is in whole seconds, so a window ending now would
    # leave out a PaymentIntent made within the current second while counting its grant.
    window = {"since": "2000-01-01T00:00:00Z", "until": "2199-01-01T00:00:00Z"}
    run = await tollgate.http.post("/t/alpha/v1/admin/money-audits", json=window, headers=auth("alpha", "admin"))
    assert run.status_code == 201, run.text
    detail = await tollgate.http.get(
        f"/t/alpha/v1/admin/money-audits/{run.json()['id']}", headers=auth("alpha", "admin")
    )
    assert [(d["kind"], d["stripe_object"]) for d in detail.json()["differences"]] == []
    assert detail.json()["status"] == "clean"
