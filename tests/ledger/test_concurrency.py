"""64 concurrent spenders over HTTP, on one customer and on many, on PostgreSQL and SQLite.

Every spend either succeeds or is refused with 402; the credits spent equal the credits granted
(never more: no double spend), no balance goes below zero, and the invariants hold after the storm.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from tests.ledger.conftest import assert_invariants, balance, grant, put_customer, spend

CLIENTS = 64
BACKENDS = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def storm(client: Any, customers: list[str], attempts_per_client: int, amount: int) -> dict[str, int]:
    """Each of 64 clients spends `amount` repeatedly on random customers; returns credits spent per customer."""
    spent = dict.fromkeys(customers, 0)
    statuses: list[int] = []

    async def spender(seed: int) -> None:
        rng = random.Random(seed)
        for i in range(attempts_per_client):
            customer = rng.choice(customers)
            r = await spend(client, customer, amount, headers={"Idempotency-Key": f"s{seed}-{i}"})
            statuses.append(r.status_code)
            if r.status_code == 201:
                spent[customer] += amount
            else:
                assert (r.status_code, r.json()["error"]["code"]) == (402, "insufficient_credits"), r.text

    await asyncio.gather(*(spender(n) for n in range(CLIENTS)))
    assert set(statuses) <= {201, 402}
    return spent


@BACKENDS
async def test_64_spenders_on_one_customer(client: Any, runtime: Any) -> None:
    await put_customer(client, "hot")
    await grant(client, "hot", 300, reference="a")
    await grant(client, "hot", 200, reference="b", priority=10)
    spent = await storm(client, ["hot"], attempts_per_client=4, amount=3)
    # 256 attempts of 3 = 768 wanted, 500 granted: exactly 166 spends fit (498), none more.
    assert spent == {"hot": 498}
    assert (await balance(client, "hot"))["balance"] == 2
    await assert_invariants(runtime.engine)


@BACKENDS
async def test_64_spenders_on_many_customers(client: Any, runtime: Any) -> None:
    customers = [f"c{i}" for i in range(16)]
    for c in customers:
        await put_customer(client, c)
        await grant(client, c, 20)
    spent = await storm(client, customers, attempts_per_client=4, amount=2)
    for c in customers:
        assert spent[c] <= 20
        assert (await balance(client, c))["balance"] == 20 - spent[c]
    await assert_invariants(runtime.engine)
