"""Per-tenant Stripe clients against the emulator: own account each, retries with backoff, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests.support.tenants import secrets_document


@pytest.fixture
def accounts(stripe_emulator: Any) -> dict[str, str]:
    return {slug: stripe_emulator.new_account() for slug in ("alpha", "beta")}


@pytest.fixture
def tenant_secrets(accounts: dict[str, str]) -> dict[str, Any]:
    return {slug: secrets_document(slug, stripe_key=key) for slug, key in accounts.items()}


@pytest.fixture
def settings_overrides(stripe_emulator: Any) -> dict[str, Any]:
    return {"stripe": {"api_base": stripe_emulator.url, "max_network_retries": 3, "timeout_seconds": 2.0}}


async def test_each_tenant_uses_its_own_account(runtime: Any, stripe_emulator: Any, accounts: dict[str, str]) -> None:
    alpha = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    beta = await runtime.stripe.for_tenant(runtime.tenants.get("beta"))
    created = await alpha.v1.customers.create_async(params={"email": "a@example.com"})
    with pytest.raises(stripe.InvalidRequestError):
        await beta.v1.customers.retrieve_async(created.id)
    assert (await alpha.v1.customers.retrieve_async(created.id)).email == "a@example.com"
    assert stripe.api_key is None, "never the global key"


async def test_rate_limit_and_server_errors_are_retried(
    runtime: Any, stripe_emulator: Any, accounts: dict[str, str]
) -> None:
    client = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    stripe_emulator.control.fail_next(accounts["alpha"], 2, status=429, code="rate_limit")
    customer = await client.v1.customers.create_async(params={"email": "r@example.com"})
    assert customer.id.startswith("cus_")
    stripe_emulator.control.fail_next(accounts["alpha"], 1, status=503)
    assert (await client.v1.customers.retrieve_async(customer.id)).id == customer.id


async def test_retry_after_processing_never_creates_twice(
    runtime: Any, stripe_emulator: Any, accounts: dict[str, str]
) -> None:
    client = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    stripe_emulator.control.fail_next(accounts["alpha"], 1, status=500, when="after", method="POST")
    created = await client.v1.customers.create_async(
        params={"email": "once@example.com"}, options={"idempotency_key": "tollgate:test:once"}
    )
    listed = await client.v1.customers.list_async(params={"limit": 100})
    assert [c.id for c in listed.data if c.email == "once@example.com"] == [created.id]


async def test_a_hung_call_times_out_and_is_retried(
    runtime: Any, stripe_emulator: Any, accounts: dict[str, str]
) -> None:
    client = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    stripe_emulator.control.hang_next(accounts["alpha"], 5.0, when="after", method="POST")
    created = await client.v1.customers.create_async(
        params={"email": "slow@example.com"}, options={"idempotency_key": "tollgate:test:slow"}
    )
    listed = await client.v1.customers.list_async(params={"limit": 100})
    assert [c.id for c in listed.data if c.email == "slow@example.com"] == [created.id]


async def test_rotated_key_builds_a_new_client(runtime: Any, stripe_emulator: Any) -> None:
    tenant = runtime.tenants.get("alpha")
    first = await runtime.stripe.for_tenant(tenant)
    assert await runtime.stripe.for_tenant(tenant) is first
    runtime.secrets.invalidate("alpha")
    runtime.secrets.backend._documents["alpha"] = {
        **runtime.secrets.backend._documents["alpha"],
        "stripe_secret_key": stripe_emulator.new_account(),
    }
    assert await runtime.stripe.for_tenant(tenant) is not first


async def test_stripe_customer_is_created_lazily_once(
    client: Any, runtime: Any, accounts: dict[str, str], stripe_emulator: Any
) -> None:
    from core.customers.services import CustomerService
    from core.db import session_scope
    from tests.support.tenants import auth

    await client.put("/t/alpha/v1/customers/lazy", json={"email": "lazy@example.com"}, headers=auth("alpha"))
    ids = []
    for _ in range(2):
        async with session_scope(runtime.sessions) as session:
            service = CustomerService(session, runtime.tenants.get("alpha"))
            ids.append(await service.ensure_stripe_customer(await service.get("lazy"), runtime.stripe))
    assert ids[0] == ids[1] and ids[0].startswith("cus_")
    sdk = stripe_emulator.stripe_client(accounts["alpha"])
    assert sdk.v1.customers.retrieve(ids[0]).metadata["tollgate_customer"] == "lazy"


async def test_a_tenant_stripe_api_base_overrides_the_deployments_for_that_tenant_alone(
    make_runtime: Any, stripe_emulator: Any, tenants_config: dict[str, Any]
) -> None:
    """alpha reaches the emulator through its own `stripe.api_base`; beta keeps the deployment's, where nothing
    answers."""
    tenants = {**tenants_config, "alpha": {**tenants_config["alpha"], "stripe": {"api_base": stripe_emulator.url}}}
    nowhere = {"api_base": "http://127.0.0.1:9", "max_network_retries": 0, "timeout_seconds": 2.0}
    runtime = make_runtime(tenants=tenants, stripe=nowhere)
    alpha = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    assert (await alpha.v1.customers.create_async(params={"email": "own@example.com"})).id.startswith("cus_")
    beta = await runtime.stripe.for_tenant(runtime.tenants.get("beta"))
    with pytest.raises(stripe.APIConnectionError):
        await beta.v1.customers.list_async(params={"limit": 1})
    await runtime.engine.dispose()
