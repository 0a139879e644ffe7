"""The generated Python client (`tollgate_client`) against the app, in process: what a tenant app's backend does.

Create a customer, grant (admin key), read the balance, spend with an Idempotency-Key (a retry gets the
first answer), an end-user token minted as the README says, and the typed `Error` of a refused call.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from tollgate_client import AuthenticatedClient
from tollgate_client.api.customers import get_customer, upsert_customer
from tollgate_client.api.ledger import get_balance, grant_credits, spend_credits
from tollgate_client.models import Balance, Customer, CustomerUpsert, Error, Grant, GrantCreate, Spend, SpendCreate

from core.app import create_app
from core.runtime import Runtime
from tests.support.app import lifespan
from tests.support.tenants import JWT_SECRETS, KEYS

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BASE_URL = "http://tollgate.test"


@pytest.fixture
async def transport(runtime: Runtime) -> AsyncIterator[httpx.ASGITransport]:
    app = create_app(runtime)
    async with lifespan(app):
        yield httpx.ASGITransport(app=app)


def tollgate(transport: httpx.ASGITransport, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE_URL, token=token, httpx_args={"transport": transport})


async def test_a_backend_creates_grants_reads_and_spends_once(transport: httpx.ASGITransport) -> None:
    service, admin = tollgate(transport, KEYS["alpha"]["service"]), tollgate(transport, KEYS["alpha"]["admin"])
    path = {"tenant_slug": "alpha", "customer_id": "user-1"}

    created = await upsert_customer.asyncio_detailed(
        **path, client=service, body=CustomerUpsert(email="ada@example.com")
    )
    assert created.status_code == 201
    customer = await get_customer.asyncio(**path, client=service)
    assert isinstance(customer, Customer)
    assert (customer.id, customer.email) == ("user-1", "ada@example.com")
    grant = await grant_credits.asyncio(**path, client=admin, body=GrantCreate(credits_=10))
    assert isinstance(grant, Grant)
    assert grant.credits_ == 10

    spends = [
        await spend_credits.asyncio(**path, client=service, body=SpendCreate(credits_=4), idempotency_key="job-1")
        for _ in range(2)
    ]
    assert all(isinstance(spend, Spend) for spend in spends)
    first, retry = spends
    assert isinstance(first, Spend)
    assert isinstance(retry, Spend)
    assert (retry.entry_id, retry.balance) == (first.entry_id, 6)

    balance = await get_balance.asyncio(**path, client=service)
    assert isinstance(balance, Balance)
    assert (balance.balance, balance.held) == (6, 0)


async def test_an_end_user_token_reads_its_own_balance(transport: httpx.ASGITransport) -> None:
    service = tollgate(transport, KEYS["alpha"]["service"])
    await upsert_customer.asyncio("alpha", "user-2", client=service, body=CustomerUpsert())
    now = int(time.time())
    token = jwt.encode({"sub": "user-2", "iat": now, "exp": now + 300}, JWT_SECRETS["alpha"], algorithm="HS256")

    balance = await get_balance.asyncio("alpha", "user-2", client=tollgate(transport, token))
    assert isinstance(balance, Balance)
    assert balance.customer == "user-2"
    refused = await get_balance.asyncio("alpha", "user-1", client=tollgate(transport, token))
    assert isinstance(refused, Error)
    assert refused.error.code == "customer_not_found"


async def test_an_unknown_customer_is_a_typed_error(transport: httpx.ASGITransport) -> None:
    answer = await get_balance.asyncio_detailed("alpha", "nobody", client=tollgate(transport, KEYS["alpha"]["service"]))
    assert answer.status_code == 404
    assert isinstance(answer.parsed, Error)
    assert answer.parsed.error.code == "customer_not_found"


async def test_creating_a_customer_answers_a_typed_customer(transport: httpx.ASGITransport) -> None:
    service = tollgate(transport, KEYS["alpha"]["service"])
    customer = await upsert_customer.asyncio("alpha", "user-4", client=service, body=CustomerUpsert(name="Ada"))
    assert isinstance(customer, Customer)
    assert (customer.id, customer.name) == ("user-4", "Ada")


async def test_a_spend_beyond_the_balance_is_a_typed_402(transport: httpx.ASGITransport) -> None:
    service = tollgate(transport, KEYS["alpha"]["service"])
    await upsert_customer.asyncio("alpha", "user-3", client=service, body=CustomerUpsert())
    answer = await spend_credits.asyncio_detailed("alpha", "user-3", client=service, body=SpendCreate(credits_=1))
    assert answer.status_code == 402
    assert isinstance(answer.parsed, Error)
    assert answer.parsed.error.code == "insufficient_credits"
