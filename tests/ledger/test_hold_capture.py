"""A hold is captured or released once, over HTTP: a second capture or release is a 409 that writes
nothing, unless it replays the first call (same Idempotency-Key, same body), which gets its answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from core import clock
from core.db import session_scope
from core.ledger.services import Ledger
from tests.ledger.conftest import assert_invariants, balance, grant, row_counts, spend
from tests.support.tenants import auth

BASE = "/t/alpha/v1/customers"
pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def hold(client: Any, customer: str, amount: int, **body: Any) -> dict[str, Any]:
    r = await client.post(f"{BASE}/{customer}/holds", json={"credits": amount, **body}, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def capture(
    client: Any, customer: str, hold_id: str, body: dict[str, Any] | None = None, key: str | None = None
) -> httpx.Response:
    """POST .../capture; no body at all when `body` is None (capture everything)."""
    headers = auth("alpha") | ({"Idempotency-Key": key} if key else {})
    url = f"{BASE}/{customer}/holds/{hold_id}/capture"
    if body is None:
        return await client.post(url, headers=headers)
    return await client.post(url, json=body, headers=headers)


async def release(client: Any, customer: str, hold_id: str, key: str | None = None) -> httpx.Response:
    headers = auth("alpha") | ({"Idempotency-Key": key} if key else {})
    return await client.post(f"{BASE}/{customer}/holds/{hold_id}/release", headers=headers)


async def refused(runtime: Any, call: Any, code: str) -> Any:
    """Make the call, require a 409 with `code` and no row written; return the error's detail."""
    before = await row_counts(runtime.engine)
    r = await call
    assert (r.status_code, r.json()["error"]["code"]) == (409, code), r.text
    assert await row_counts(runtime.engine) == before
    return r.json()["error"]["detail"]


async def test_capture_all_after_a_partial_capture_is_refused(client: Any, runtime: Any, customer: str) -> None:
    """The tester's finding: capture 5 of 50, then "capture all" answered 200 `captured: 5`."""
    await grant(client, customer, 50)
    held = await hold(client, customer, 50)
    first = await capture(client, customer, held["id"], {"credits": 5})
    assert (first.status_code, first.json()["captured"], first.json()["balance"]) == (200, 5, 45)

    detail = await refused(runtime, capture(client, customer, held["id"]), "hold_already_captured")
    assert detail == {"captured": 5, "status": "captured"}
    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"]) == (45, 0)
    # The same amount again is no replay either without the key.
    await refused(runtime, capture(client, customer, held["id"], {"credits": 5}), "hold_already_captured")
    await refused(runtime, capture(client, customer, held["id"], {"credits": 50}), "hold_already_captured")
    await assert_invariants(runtime.engine)


async def test_a_replayed_capture_gets_the_first_answer(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 100)
    part = await hold(client, customer, 50)
    whole = await hold(client, customer, 20)
    first = await capture(client, customer, part["id"], {"credits": 5}, key="cap-1")
    everything = await capture(client, customer, whole["id"], key="cap-2")
    assert (first.status_code, everything.status_code) == (200, 200)
    assert (everything.json()["captured"], everything.json()["balance"]) == (20, 75)
    assert (await spend(client, customer, 10)).status_code == 201

    before = await row_counts(runtime.engine)
    again = await capture(client, customer, part["id"], {"credits": 5}, key="cap-1")
    assert (again.status_code, again.json()) == (200, first.json())
    assert again.json()["balance"] == 75, "the balance the first answer showed, not today's 65"
    again = await capture(client, customer, whole["id"], key="cap-2")
    assert (again.status_code, again.json()) == (200, everything.json())
    # An empty body is the same request as no body: capture everything.
    again = await capture(client, customer, whole["id"], {}, key="cap-2")
    assert (again.status_code, again.json()) == (200, everything.json())
    assert await row_counts(runtime.engine) == before
    assert (await balance(client, customer))["balance"] == 65
    await assert_invariants(runtime.engine)


async def test_a_key_reused_with_another_body_is_refused(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 100)
    held = await hold(client, customer, 50)
    other = await hold(client, customer, 10)
    assert (await capture(client, customer, held["id"], {"credits": 5}, key="k")).status_code == 200

    await refused(runtime, capture(client, customer, held["id"], key="k"), "idempotency_key_reused")
    await refused(runtime, capture(client, customer, held["id"], {"credits": 6}, key="k"), "idempotency_key_reused")
    await refused(runtime, capture(client, customer, other["id"], {"credits": 5}, key="k"), "idempotency_key_reused")
    await refused(runtime, release(client, customer, held["id"], key="k"), "idempotency_key_reused")
    # A key spent on another kind of request is taken too, and a new key does not reopen the hold.
    assert (await spend(client, customer, 1, headers={"Idempotency-Key": "s"})).status_code == 201
    await refused(runtime, capture(client, customer, other["id"], key="s"), "idempotency_key_reused")
    detail = await refused(runtime, capture(client, customer, held["id"], key="new"), "hold_already_captured")
    assert detail == {"captured": 5, "status": "captured"}
    # The refusals left `other` active: it captures once.
    assert (await capture(client, customer, other["id"], key="other")).json()["status"] == "captured"
    bad = await capture(client, customer, other["id"], key="has space")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_idempotency_key")
    await assert_invariants(runtime.engine)


async def test_release_twice(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 30)
    plain = await hold(client, customer, 10)
    keyed = await hold(client, customer, 10)
    first = await release(client, customer, plain["id"])
    assert (first.status_code, first.json()["status"], first.json()["balance"]) == (200, "released", 20)
    detail = await refused(runtime, release(client, customer, plain["id"]), "hold_already_released")
    assert detail == {"captured": 0, "status": "released"}
    await refused(runtime, release(client, customer, plain["id"], key="late"), "hold_already_released")

    first = await release(client, customer, keyed["id"], key="rel-1")
    assert (first.status_code, first.json()["balance"]) == (200, 30)
    assert (await spend(client, customer, 4)).status_code == 201
    before = await row_counts(runtime.engine)
    again = await release(client, customer, keyed["id"], key="rel-1")
    assert (again.status_code, again.json()) == (200, first.json())
    assert await row_counts(runtime.engine) == before
    await refused(runtime, release(client, customer, keyed["id"]), "hold_already_released")
    assert (await balance(client, customer))["balance"] == 26
    await assert_invariants(runtime.engine)


@pytest.mark.parametrize("key", [None, "after"])
async def test_capture_after_release_and_release_after_capture(
    client: Any, runtime: Any, customer: str, key: str | None
) -> None:
    await grant(client, customer, 40)
    released = await hold(client, customer, 10)
    captured = await hold(client, customer, 10)
    assert (await release(client, customer, released["id"], key="rel")).status_code == 200
    assert (await capture(client, customer, captured["id"], {"credits": 3}, key="cap")).status_code == 200

    detail = await refused(runtime, capture(client, customer, released["id"], key=key), "hold_already_released")
    assert detail == {"captured": 0, "status": "released"}
    detail = await refused(runtime, release(client, customer, captured["id"], key=key), "hold_already_captured")
    assert detail == {"captured": 3, "status": "captured"}
    # The other act's key is a different request, whatever the hold.
    await refused(runtime, capture(client, customer, released["id"], key="rel"), "idempotency_key_reused")
    await refused(runtime, release(client, customer, captured["id"], key="cap"), "idempotency_key_reused")
    shown = await balance(client, customer)
    assert (shown["balance"], shown["held"]) == (37, 0)
    await assert_invariants(runtime.engine)


async def test_an_expired_hold_stays_expired(client: Any, runtime: Any, customer: str) -> None:
    await grant(client, customer, 10)
    held = await hold(client, customer, 8, ttl_seconds=60)
    clock.advance(dt.timedelta(seconds=61))
    assert (await balance(client, customer))["balance"] == 10
    for key in (None, "late"):
        await refused(runtime, capture(client, customer, held["id"], key=key), "hold_expired")
        await refused(runtime, release(client, customer, held["id"], key=key), "hold_expired")
    await assert_invariants(runtime.engine)


async def test_a_replayed_release_shows_the_balance_after_its_expiries(
    client: Any, runtime: Any, customer: str
) -> None:
    """Credits released to a grant that lapsed meanwhile expire in the same act; the replay shows that too."""
    await grant(client, customer, 10, expires_at=(clock.now() + dt.timedelta(hours=1)).isoformat())
    held = await hold(client, customer, 6, ttl_seconds=86400)
    clock.advance(dt.timedelta(hours=2))
    first = await release(client, customer, held["id"], key="rel")
    assert (first.status_code, first.json()["balance"]) == (200, 0)
    again = await release(client, customer, held["id"], key="rel")
    assert (again.status_code, again.json()) == (200, first.json())
    await assert_invariants(runtime.engine)


async def test_unlimited_holds_capture_once(client: Any, runtime: Any, customer: str) -> None:
    async with session_scope(runtime.sessions) as session:
        await Ledger(session, runtime.tenants.get("alpha")).set_unlimited(customer)
    held = await hold(client, customer, 500)
    first = await capture(client, customer, held["id"], {"credits": 200}, key="u")
    assert (first.status_code, first.json()["captured"], first.json()["unlimited"]) == (200, 200, True)
    again = await capture(client, customer, held["id"], {"credits": 200}, key="u")
    assert (again.status_code, again.json()) == (200, first.json())
    detail = await refused(runtime, capture(client, customer, held["id"]), "hold_already_captured")
    assert detail == {"captured": 200, "status": "captured"}
    await refused(runtime, release(client, customer, held["id"]), "hold_already_captured")
    await assert_invariants(runtime.engine)
