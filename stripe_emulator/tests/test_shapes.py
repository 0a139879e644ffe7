"""Today's shapes: every resource the emulator returns, fetched through the SDK, has the
key set of Stripe's example object in `shared/stripe/fixtures3.json`, and the nested
shapes that moved in recent API versions are where Stripe now puts them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stripe_emulator.pytest_plugin import EmulatorHandle

HERE = Path(__file__).resolve().parent
VENDORED = HERE / "data" / "stripe_fixtures.json"
SHARED_CANDIDATES = (
    HERE.parents[2] / "shared" / "stripe" / "fixtures3.json",
    Path("/work/shared/stripe/fixtures3.json"),
)

Obj = dict[str, Any]


def _shared() -> Obj | None:
    for path in SHARED_CANDIDATES:
        if path.exists():
            return json.loads(path.read_text())["resources"]  # type: ignore[no-any-return]
    return None


def _fixtures() -> Obj:
    vendored = json.loads(VENDORED.read_text())["resources"]
    shared = _shared()
    if shared is None:
        return vendored  # type: ignore[no-any-return]
    return {name: shared[name] for name in vendored}


FIXTURES = _fixtures()


def test_vendored_fixtures_match_the_shared_file() -> None:
    shared = _shared()
    if shared is None:
        pytest.skip("shared/stripe/fixtures3.json is not beside this checkout")
    vendored = json.loads(VENDORED.read_text())["resources"]
    for name, example in vendored.items():
        assert shared[name] == example, name


@pytest.fixture(scope="module")
def world(stripe_emulator: EmulatorHandle) -> dict[str, Obj]:
    """One of each resource, made the way the platform makes them, as plain dicts."""
    key = stripe_emulator.new_account()
    client = stripe_emulator.stripe_client(key)
    control = stripe_emulator.control
    out: dict[str, Obj] = {}

    endpoint = client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/t/acme/webhooks/stripe",
                "enabled_events": ["charge.dispute.closed"]}
    )
    out["webhook_endpoint.created"] = endpoint.to_dict()
    out["webhook_endpoint"] = client.v1.webhook_endpoints.retrieve(endpoint.id).to_dict()

    product = client.v1.products.create(params={"name": "Premium", "metadata": {"tier": "3"}})
    out["product"] = product.to_dict()
    monthly = client.v1.prices.create(params={
        "product": product.id, "currency": "usd", "unit_amount": 2000,
        "recurring": {"interval": "month"}, "lookup_key": "premium_monthly",
    })
    yearly = client.v1.prices.create(params={
        "product": product.id, "currency": "usd", "unit_amount": 20000,
        "recurring": {"interval": "year"},
    })
    bigger = client.v1.prices.create(params={
        "product": product.id, "currency": "usd", "unit_amount": 5000,
        "recurring": {"interval": "month"},
    })
    one_time = client.v1.prices.create(params={
        "product": product.id, "currency": "usd", "unit_amount": 999,
    })
    out["price"] = monthly.to_dict()
    coupon = client.v1.coupons.create(params={"percent_off": 25, "duration": "forever"})
    out["coupon"] = coupon.to_dict()
    promo = client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "FALL25"}
    )
    out["promotion_code"] = promo.to_dict()

    customer = client.v1.customers.create(params={"email": "ann@example.com", "name": "Ann"})
    out["customer"] = customer.to_dict()
    session = client.v1.checkout.sessions.create(params={
        "mode": "subscription", "customer": customer.id,
        "line_items": [{"price": monthly.id, "quantity": 1}],
        "discounts": [{"promotion_code": promo.id}],
        "success_url": "https://app.example/ok", "cancel_url": "https://app.example/no",
    })
    out["item"] = client.v1.checkout.sessions.line_items.list(session.id).data[0].to_dict()
    control.complete_checkout(key, session.id)
    out["checkout.session"] = client.v1.checkout.sessions.retrieve(session.id).to_dict()
    payment_session = client.v1.checkout.sessions.create(params={
        "mode": "payment", "line_items": [{"price": one_time.id, "quantity": 3}],
        "success_url": "https://app.example/ok",
    })
    out["checkout.session.payment"] = payment_session.to_dict()

    sub_id = out["checkout.session"]["subscription"]
    sub = client.v1.subscriptions.retrieve(sub_id, params={"expand": ["discounts"]})
    out["discount"] = sub.discounts[0].to_dict()
    item_id = sub["items"].data[0].id
    client.v1.subscriptions.update(sub_id, params={
        "items": [{"id": item_id, "price": bigger.id}], "proration_behavior": "create_prorations",
    })
    out["subscription"] = client.v1.subscriptions.retrieve(sub_id).to_dict()
    out["subscription_item"] = client.v1.subscription_items.retrieve(item_id).to_dict()
    out["plan"] = out["subscription_item"]["plan"]
    out["invoiceitem"] = client.v1.invoice_items.list(
        params={"customer": customer.id, "pending": True}
    ).data[0].to_dict()
    invoice_id = out["subscription"]["latest_invoice"]
    out["invoice"] = client.v1.invoices.retrieve(invoice_id).to_dict()
    out["invoice.expanded"] = client.v1.invoices.retrieve(
        invoice_id, params={"expand": ["payments"]}
    ).to_dict()
    out["line_item"] = out["invoice"]["lines"]["data"][0]
    payment = client.v1.invoice_payments.list(params={"invoice": invoice_id}).data[0]
    out["invoice_payment"] = payment.to_dict()
    intent = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    out["payment_intent"] = intent.to_dict()
    out["payment_method"] = client.v1.payment_methods.retrieve(
        out["subscription"]["default_payment_method"]
    ).to_dict()
    refund = client.v1.refunds.create(params={"charge": intent.latest_charge, "amount": 500})
    out["refund"] = refund.to_dict()
    out["charge"] = client.v1.charges.retrieve(intent.latest_charge).to_dict()

    paid = client.v1.payment_intents.create(params={
        "amount": 3000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
    })
    dispute = control.dispute(key, paid.latest_charge)["dispute"]
    out["dispute"] = client.v1.disputes.retrieve(dispute["id"]).to_dict()
    out["billing_portal.session"] = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "https://app.example/account"}
    ).to_dict()
    out["event"] = client.v1.events.list(params={"type": "customer.created"}).data[0].to_dict()
    out["event.updated"] = client.v1.events.list(
        params={"type": "customer.subscription.updated"}
    ).data[0].to_dict()

    doomed = client.v1.products.create(params={"name": "Doomed"})
    out["deleted_product"] = client.v1.products.delete(doomed.id).to_dict()
    out["deleted_customer"] = client.v1.customers.delete(
        client.v1.customers.create(params={"name": "Gone"}).id
    ).to_dict()
    out["deleted_coupon"] = client.v1.coupons.delete(
        client.v1.coupons.create(params={"amount_off": 100, "currency": "usd"}).id
    ).to_dict()
    out["deleted_webhook_endpoint"] = client.v1.webhook_endpoints.delete(endpoint.id).to_dict()
    out["deleted_price"] = control.dashboard_price(key, "delete", yearly.id)
    return out


RESOURCES = sorted(
    [
        "billing_portal.session", "charge", "checkout.session", "coupon", "customer",
        "deleted_coupon", "deleted_customer", "deleted_price", "deleted_product",
        "deleted_webhook_endpoint", "discount", "dispute", "event", "invoice",
        "invoice_payment", "invoiceitem", "item", "line_item", "payment_intent",
        "payment_method", "plan", "price", "product", "promotion_code", "refund",
        "subscription", "subscription_item", "webhook_endpoint",
    ]
)


def test_every_vendored_resource_is_covered() -> None:
    assert sorted(FIXTURES) == RESOURCES


@pytest.mark.parametrize("resource", RESOURCES)
def test_top_level_keys_match_stripe(world: dict[str, Obj], resource: str) -> None:
    ours, theirs = world[resource], FIXTURES[resource]
    missing = sorted(set(theirs) - set(ours))
    extra = sorted(set(ours) - set(theirs))
    assert (missing, extra) == ([], []), resource
    assert ours["object"] == theirs["object"]


def test_ids_carry_stripes_prefixes(world: dict[str, Obj]) -> None:
    prefixes = {
        "customer": "cus_", "product": "prod_", "price": "price_",
        "checkout.session": "cs_test_", "item": "li_", "billing_portal.session": "bps_",
        "subscription": "sub_", "subscription_item": "si_", "invoice": "in_",
        "line_item": "il_", "invoiceitem": "ii_", "invoice_payment": "inpay_",
        "payment_intent": "pi_", "payment_method": "pm_", "charge": "ch_", "refund": "re_",
        "promotion_code": "promo_", "discount": "di_", "event": "evt_",
        "webhook_endpoint": "we_", "dispute": "dp_",
    }
    for resource, prefix in prefixes.items():
        assert world[resource]["id"].startswith(prefix), resource
    assert world["charge"]["balance_transaction"].startswith("txn_")


def test_webhook_endpoint_secret_only_on_create(world: dict[str, Obj]) -> None:
    created = world["webhook_endpoint.created"]
    assert set(created) - set(FIXTURES["webhook_endpoint"]) == {"secret"}
    assert created["secret"].startswith("whsec_")
    assert "secret" not in world["webhook_endpoint"]


def _assert_keys(ours: Obj, theirs: Obj, where: str, *, subset: bool = False) -> None:
    if subset:
        assert set(theirs) <= set(ours), f"{where}: missing {sorted(set(theirs) - set(ours))}"
    else:
        assert set(ours) == set(theirs), (
            f"{where}: missing {sorted(set(theirs) - set(ours))}, "
            f"extra {sorted(set(ours) - set(theirs))}"
        )


def test_subscription_periods_live_on_items(world: dict[str, Obj]) -> None:
    sub = world["subscription"]
    assert "current_period_start" not in sub
    assert "current_period_end" not in sub
    item = sub["items"]["data"][0]
    _assert_keys(item, FIXTURES["subscription_item"], "subscription.items.data[0]")
    _assert_keys(item["price"], FIXTURES["price"], "subscription item price")
    _assert_keys(item["plan"], FIXTURES["plan"], "subscription item plan")
    assert item["current_period_end"] > item["current_period_start"] >= sub["start_date"]
    assert sub["items"]["url"] == f"/v1/subscription_items?subscription={sub['id']}"
    _assert_keys(sub["items"], FIXTURES["subscription"]["items"], "subscription.items")
    assert item["subscription"] == sub["id"]


def test_invoice_subscription_and_lines_use_parent(world: dict[str, Obj]) -> None:
    invoice, sub = world["invoice"], world["subscription"]
    _assert_keys(invoice["parent"], FIXTURES["invoice"]["parent"], "invoice.parent")
    assert invoice["parent"]["type"] == "subscription_details"
    assert invoice["parent"]["subscription_details"]["subscription"] == sub["id"]
    assert invoice["subscription"] is None  # the legacy field stays null, as in Stripe's example
    for legacy in ("charge", "payment_intent", "paid"):
        assert legacy not in invoice
    line = invoice["lines"]["data"][0]
    _assert_keys(line, FIXTURES["line_item"], "invoice line")
    _assert_keys(line["parent"], FIXTURES["line_item"]["parent"], "invoice line parent")
    assert line["parent"]["type"] == "subscription_item_details"
    details = line["parent"]["subscription_item_details"]
    _assert_keys(details, FIXTURES["line_item"]["parent"]["subscription_item_details"],
                 "subscription_item_details")
    assert details["subscription"] == sub["id"]
    assert details["subscription_item"] == sub["items"]["data"][0]["id"]
    _assert_keys(line["pricing"], FIXTURES["line_item"]["pricing"], "line pricing", subset=True)
    assert line["pricing"]["price_details"]["price"].startswith("price_")
    payments = world["invoice.expanded"]["payments"]
    _assert_keys(payments["data"][0], FIXTURES["invoice_payment"], "invoice.payments.data[0]")
    assert payments["data"][0]["payment"]["payment_intent"] == world["payment_intent"]["id"]


def test_invoice_item_parent_points_at_the_subscription(world: dict[str, Obj]) -> None:
    item = world["invoiceitem"]
    _assert_keys(item["parent"], FIXTURES["invoiceitem"]["parent"], "invoiceitem.parent")
    assert item["parent"]["subscription_details"]["subscription"] == world["subscription"]["id"]
    assert item["proration"] is True


def test_event_shape(world: dict[str, Obj]) -> None:
    event = world["event"]
    _assert_keys(event["request"], FIXTURES["event"]["request"], "event.request")
    assert set(event["data"]) == {"object"}
    assert event["livemode"] is False
    assert event["api_version"] == "2026-10-28.endive"
    assert event["data"]["object"]["object"] == "customer"
    updated = world["event.updated"]
    assert set(updated["data"]) == {"object", "previous_attributes"}
    previous_items = updated["data"]["previous_attributes"]["items"]["data"]
    assert previous_items[0]["price"]["unit_amount"] == 2000
    assert updated["data"]["object"]["items"]["data"][0]["price"]["unit_amount"] == 5000


def test_nested_shapes_of_money_objects(world: dict[str, Obj]) -> None:
    charge, fixture = world["charge"], FIXTURES["charge"]
    _assert_keys(charge["payment_method_details"]["card"],
                 fixture["payment_method_details"]["card"], "charge card details")
    _assert_keys(charge["outcome"], fixture["outcome"], "charge.outcome")
    _assert_keys(charge["refunds"], fixture["refunds"], "charge.refunds")
    assert charge["refunds"]["data"][0]["id"] == world["refund"]["id"]
    assert (charge["amount_refunded"], charge["refunded"]) == (500, False)
    _assert_keys(world["promotion_code"]["promotion"], FIXTURES["promotion_code"]["promotion"],
                 "promotion_code.promotion")
    assert world["promotion_code"]["promotion"]["coupon"] == world["coupon"]["id"]
    _assert_keys(world["discount"]["source"], FIXTURES["discount"]["source"], "discount.source")
    assert world["discount"]["source"]["coupon"] == world["coupon"]["id"]
    _assert_keys(world["payment_method"]["card"], FIXTURES["payment_method"]["card"],
                 "payment_method.card")
    _assert_keys(world["customer"]["invoice_settings"], FIXTURES["customer"]["invoice_settings"],
                 "customer.invoice_settings")
    _assert_keys(world["dispute"]["evidence"], FIXTURES["dispute"]["evidence"], "dispute.evidence")
    _assert_keys(world["dispute"]["evidence_details"], FIXTURES["dispute"]["evidence_details"],
                 "dispute.evidence_details")


def test_checkout_session_values_are_honest(world: dict[str, Obj]) -> None:
    done = world["checkout.session"]
    assert (done["status"], done["payment_status"], done["url"]) == ("complete", "paid", None)
    assert done["amount_subtotal"] == 2000
    assert done["amount_total"] == 1500
    assert done["total_details"]["amount_discount"] == 500
    assert done["subscription"] == world["subscription"]["id"]
    assert done["invoice"].startswith("in_")
    fresh = world["checkout.session.payment"]
    assert (fresh["status"], fresh["mode"], fresh["amount_total"]) == ("open", "payment", 2997)
    assert fresh["url"].endswith(f"/_emulator/pay/{fresh['id']}")
    assert fresh["payment_intent"] is None
    _assert_keys(fresh, FIXTURES["checkout.session"], "open checkout session")
