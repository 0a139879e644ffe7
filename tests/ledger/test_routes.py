"""The ledger over HTTP: balance, entries, spends, holds, grants, clawbacks, and every error path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from tests.ledger.conftest import assert_invariants, balance, grant, put_customer, row_counts, spend
from tests.support.tenants import auth, user_auth

BASE = "/t/alpha/v1/customers"


async def test_grant_spend_balance_and_ledger(client: Any, runtime: Any, customer: str) -> None:
    first = await grant(client, customer, 100, reason="welcome")
    assert (first["credits"], first["remaining"], first["source"]) == (100, 100, "admin")
    r = await spend(client, customer, 30, reason="generation", metadata={"model": "m1"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["credits"], body["charged"], body["balance"]) == (30, 30, 70)
    assert body["allocations"] == [{"grant_id": first["id"], "credits": 30}]

    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"], shown["unlimited"]) == (70, 0, False)
    assert [(g["id"], g["remaining"]) for g in shown["grants"]] == [(first["id"], 70)]

    page = (await client.get(f"{BASE}/{customer}/ledger", headers=auth("alpha"))).json()
    assert [(e["kind"], e["credits"], e["balance_after"]) for e in page["data"]] == [
        ("spend", -30, 70),
        ("grant", 100, 100),
    ]
    assert page["data"][0]["metadata"] == {"model": "m1"}
    await assert_invariants(runtime.engine)


async def test_ledger_cursor_pagination(client: Any, customer: str) -> None:
    await grant(client, customer, 100)
    for _ in range(6):
        assert (await spend(client, customer, 1)).status_code == 201
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{BASE}/{customer}/ledger", params=params, headers=auth("alpha"))).json()
        seen += [e["seq"] for e in page["data"]]
        cursor = page["next_cursor"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1]
    # A last page that is exactly full says so: no empty page after it.
    full = (await client.get(f"{BASE}/{customer}/ledger", params={"limit": 7}, headers=auth("alpha"))).json()
    assert (len(full["data"]), full["has_more"], full["next_cursor"]) == (7, False, None)
    bad = await client.get(f"{BASE}/{customer}/ledger", params={"cursor": "x"}, headers=auth("alpha"))
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_insufficient_credits_is_402_and_writes_nothing(client: Any, runtime: Any, customer: str) -> None:
    r = await spend(client, customer, 1)
    assert (r.status_code, r.json()["error"]["code"]) == (402, "insufficient_credits")
    await grant(client, customer, 10)
    before = await row_counts(runtime.engine)
    r = await spend(client, customer, 11, headers={"Idempotency-Key": "too-much"})
    assert (r.status_code, r.json()["error"]["code"]) == (402, "insufficient_credits")
    assert r.json()["error"]["detail"] == {"balance": 10, "requested": 11}
    assert await row_counts(runtime.engine) == before
    # The failed key was not consumed: once there are credits, the same key goes through.
    await grant(client, customer, 5)
    assert (await spend(client, customer, 11, headers={"Idempotency-Key": "too-much"})).status_code == 201


async def test_idempotent_spend_replays_and_conflicts(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 100)
    key = {"Idempotency-Key": "order-42"}
    first = await spend(client, customer, 10, reason="r", headers=key)
    again = await spend(client, customer, 10, reason="r", headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await spend(client, customer, 11, reason="r", headers=key)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert (await balance(client, customer))["balance"] == 90
    for bad_key in ("", "has space", "x" * 256):
        r = await spend(client, customer, 1, headers={"Idempotency-Key": bad_key})
        assert r.status_code == 400, bad_key
        assert r.json()["error"]["code"] == "invalid_idempotency_key"
    await assert_invariants(runtime.engine)


@pytest.mark.parametrize(
    "body",
    [
        {"credits": 0},
        {"credits": -5},
        {"credits": 1.5},
        {},
        {"credits": 1, "metadata": {f"k{i}": "v" for i in range(51)}},
        {"credits": 1, "metadata": {"k": "v" * 501}},
        {"credits": 1, "reason": "r" * 256},
        {"credits": 1, "unknown": True},
    ],
)
async def test_bad_spend_input_is_400_and_writes_nothing(client: Any, runtime: Any, customer: str, body: Any) -> None:
    await grant(client, customer, 100)
    before = await row_counts(runtime.engine)
    r = await client.post(f"{BASE}/{customer}/spend", json=body, headers=auth("alpha"))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert await row_counts(runtime.engine) == before


async def test_unknown_customer_is_404(client: Any, runtime: Any) -> None:
    for method, path, body in [
        ("GET", "balance", None),
        ("GET", "ledger", None),
        ("POST", "spend", {"credits": 1}),
        ("POST", "holds", {"credits": 1}),
    ]:
        r = await client.request(method, f"{BASE}/ghost/{path}", json=body, headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found"), path
    r = await client.post(f"{BASE}/ghost/grants", json={"credits": 5}, headers=auth("alpha", "admin"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    assert (await row_counts(runtime.engine))["credit_accounts"] == 0


async def test_grants_need_the_admin_scope(client: Any, customer: str) -> None:
    r = await client.post(f"{BASE}/{customer}/grants", json={"credits": 5}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "insufficient_scope")
    r = await client.post(f"{BASE}/{customer}/grants", json={"credits": 5}, headers=user_auth("alpha", customer))
    assert r.status_code == 403


async def test_grant_reference_is_idempotent(client: Any, runtime: Any, customer: str) -> None:
    first = await client.post(
        f"{BASE}/{customer}/grants", json={"credits": 5, "reference": "promo-1"}, headers=auth("alpha", "admin")
    )
    again = await client.post(
        f"{BASE}/{customer}/grants", json={"credits": 5, "reference": "promo-1"}, headers=auth("alpha", "admin")
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    changed = await client.post(
        f"{BASE}/{customer}/grants", json={"credits": 6, "reference": "promo-1"}, headers=auth("alpha", "admin")
    )
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "idempotency_key_reused")
    by_key = {"Idempotency-Key": "grant-key", **auth("alpha", "admin")}
    k1 = await client.post(f"{BASE}/{customer}/grants", json={"credits": 7}, headers=by_key)
    k2 = await client.post(f"{BASE}/{customer}/grants", json={"credits": 7}, headers=by_key)
    assert (k1.status_code, k2.status_code, k1.json()["id"]) == (201, 200, k2.json()["id"])
    past = await client.post(
        f"{BASE}/{customer}/grants",
        json={"credits": 5, "expires_at": "2000-01-01T00:00:00Z"},
        headers=auth("alpha", "admin"),
    )
    assert (past.status_code, past.json()["error"]["code"]) == (400, "invalid_expires_at")
    assert (await balance(client, customer))["balance"] == 12
    await assert_invariants(runtime.engine)


async def test_end_user_reaches_only_their_own_customer(client: Any, customer: str) -> None:
    await put_customer(client, "cust-2")
    await grant(client, customer, 10)
    mine = await client.get(f"{BASE}/{customer}/balance", headers=user_auth("alpha", customer))
    assert (mine.status_code, mine.json()["balance"]) == (200, 10)
    # A frontend never decides what its customer is charged: spending is the backend's.
    own_spend = await client.post(f"{BASE}/{customer}/spend", json={"credits": 1}, headers=user_auth("alpha", customer))
    assert (own_spend.status_code, own_spend.json()["error"]["code"]) == (403, "insufficient_scope")
    other = await client.get(f"{BASE}/cust-2/balance", headers=user_auth("alpha", customer))
    assert (other.status_code, other.json()["error"]["code"]) == (404, "customer_not_found")
    theirs = await client.post(f"{BASE}/cust-2/spend", json={"credits": 1}, headers=user_auth("alpha", customer))
    assert theirs.status_code == 403
    assert (await balance(client, customer))["balance"] == 10


async def test_tenants_never_see_each_other(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 10)
    r = await client.get(f"/t/beta/v1/customers/{customer}/balance", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    await put_customer(client, customer, tenant="beta")
    assert (await balance(client, customer, tenant="beta"))["balance"] == 0
    r = await spend(client, customer, 1, tenant="beta")
    assert r.status_code == 402
    wrong_key = await client.get(f"/t/beta/v1/customers/{customer}/balance", headers=auth("alpha"))
    assert wrong_key.status_code == 401
    assert (await balance(client, customer))["balance"] == 10
    # The same grant reference may exist once per tenant.
    await client.post(
        f"/t/beta/v1/customers/{customer}/grants",
        json={"credits": 3, "reference": "same"},
        headers=auth("beta", "admin"),
    )
    await client.post(
        f"{BASE}/{customer}/grants", json={"credits": 4, "reference": "same"}, headers=auth("alpha", "admin")
    )
    assert (await balance(client, customer, tenant="beta"))["balance"] == 3
    assert (await balance(client, customer))["balance"] == 14


async def test_hold_capture_part_and_release(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 100)
    h = await client.post(f"{BASE}/{customer}/holds", json={"credits": 40}, headers=auth("alpha"))
    assert h.status_code == 201, h.text
    hold = h.json()
    assert (hold["status"], hold["balance"]) == ("active", 60)
    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"]) == (60, 40)
    assert (await spend(client, customer, 61)).status_code == 402

    captured = await client.post(
        f"{BASE}/{customer}/holds/{hold['id']}/capture", json={"credits": 15}, headers=auth("alpha")
    )
    assert captured.status_code == 200, captured.text
    assert (captured.json()["status"], captured.json()["captured"], captured.json()["balance"]) == ("captured", 15, 85)
    again = await client.post(
        f"{BASE}/{customer}/holds/{hold['id']}/capture", json={"credits": 15}, headers=auth("alpha")
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "hold_already_captured")
    other = await client.post(
        f"{BASE}/{customer}/holds/{hold['id']}/capture", json={"credits": 16}, headers=auth("alpha")
    )
    assert (other.status_code, other.json()["error"]["code"]) == (409, "hold_already_captured")
    rel = await client.post(f"{BASE}/{customer}/holds/{hold['id']}/release", headers=auth("alpha"))
    assert (rel.status_code, rel.json()["error"]["code"]) == (409, "hold_already_captured")

    second = (await client.post(f"{BASE}/{customer}/holds", json={"credits": 20}, headers=auth("alpha"))).json()
    too_much = await client.post(
        f"{BASE}/{customer}/holds/{second['id']}/capture", json={"credits": 21}, headers=auth("alpha")
    )
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (400, "capture_exceeds_hold")
    released = await client.post(f"{BASE}/{customer}/holds/{second['id']}/release", headers=auth("alpha"))
    assert (released.json()["status"], released.json()["balance"]) == ("released", 85)
    again = await client.post(f"{BASE}/{customer}/holds/{second['id']}/release", headers=auth("alpha"))
    assert (again.status_code, again.json()["error"]["code"]) == (409, "hold_already_released")

    third = (await client.post(f"{BASE}/{customer}/holds", json={"credits": 5}, headers=auth("alpha"))).json()
    whole = await client.post(f"{BASE}/{customer}/holds/{third['id']}/capture", headers=auth("alpha"))
    assert (whole.status_code, whole.json()["captured"], whole.json()["balance"]) == (200, 5, 80)
    await assert_invariants(runtime.engine)


async def test_hold_errors(client: Any, runtime: Any, customer: str) -> None:
    r = await client.post(f"{BASE}/{customer}/holds", json={"credits": 1}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (402, "insufficient_credits")
    await grant(client, customer, 10)
    r = await client.post(f"{BASE}/{customer}/holds", json={"credits": 1, "ttl_seconds": 10**9}, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "invalid_hold_ttl")
    for hold_id in ("not-a-uuid", "01a200a4-f5ab-7375-ba5d-1c7dca39800c"):
        r = await client.post(f"{BASE}/{customer}/holds/{hold_id}/capture", headers=auth("alpha"))
        assert (r.status_code, r.json()["error"]["code"]) == (404, "hold_not_found")
    # A hold of another customer is not found through this one.
    await put_customer(client, "cust-2")
    await grant(client, "cust-2", 10)
    theirs = (await client.post(f"{BASE}/cust-2/holds", json={"credits": 2}, headers=auth("alpha"))).json()
    r = await client.post(f"{BASE}/{customer}/holds/{theirs['id']}/release", headers=auth("alpha"))
    assert r.status_code == 404
    key = {"Idempotency-Key": "hold-1", **auth("alpha")}
    h1 = await client.post(f"{BASE}/{customer}/holds", json={"credits": 3}, headers=key)
    h2 = await client.post(f"{BASE}/{customer}/holds", json={"credits": 3}, headers=key)
    assert h1.json()["id"] == h2.json()["id"]
    h3 = await client.post(f"{BASE}/{customer}/holds", json={"credits": 4}, headers=key)
    assert h3.status_code == 409
    assert (await balance(client, customer))["held"] == 3
    await assert_invariants(runtime.engine)


async def test_expired_hold_releases_itself(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 10)
    hold = (
        await client.post(f"{BASE}/{customer}/holds", json={"credits": 8, "ttl_seconds": 60}, headers=auth("alpha"))
    ).json()
    assert (await balance(client, customer))["balance"] == 2
    clock.advance(dt.timedelta(seconds=61))
    assert (await balance(client, customer))["balance"] == 10
    r = await client.post(f"{BASE}/{customer}/holds/{hold['id']}/capture", headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "hold_expired")
    read = await client.get(f"{BASE}/{customer}/holds/{hold['id']}", headers=auth("alpha"))
    assert read.json()["status"] == "expired"
    await assert_invariants(runtime.engine)


async def test_clawback_route(client: Any, runtime: Any, customer: str) -> None:
    await client.post(
        f"{BASE}/{customer}/grants", json={"credits": 50, "reference": "pack"}, headers=auth("alpha", "admin")
    )
    await spend(client, customer, 20)
    body = {"source": "admin", "source_ref": "pack"}
    r = await client.post(f"{BASE}/{customer}/clawbacks", json=body, headers=auth("alpha"))
    assert r.status_code == 403
    r = await client.post(f"{BASE}/{customer}/clawbacks", json=body, headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    assert (r.json()["requested"], r.json()["clawed_back"], r.json()["balance"]) == (50, 30, 0)
    missing = await client.post(
        f"{BASE}/{customer}/clawbacks", json={"source": "admin", "source_ref": "nope"}, headers=auth("alpha", "admin")
    )
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "grant_not_found")
    await assert_invariants(runtime.engine)
