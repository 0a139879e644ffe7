"""Tenant secrets from a real OpenBao (Vault API): token and AppRole auth, TTL cache, fail-closed 503,
one read in flight per tenant and its failure remembered."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from core import clock
from core.errors import SecretsUnavailable
from core.settings import VaultConfig
from tenants.registry import Tenant, TenantCore
from tenants.secrets import SecretsStore, SettingsSecretsBackend, VaultSecretsBackend
from tests.support.app import asgi_client
from tests.support.services import OpenBao, start_openbao
from tests.support.tenants import auth, secrets_document

pytestmark = pytest.mark.vault


def tenant(slug: str) -> Tenant:
    return Tenant(slug=slug, core=TenantCore(name=slug), plugin_blocks={})


@pytest.fixture(scope="module")
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    for slug in ("alpha", "beta"):
        bao.put_tenant(slug, secrets_document(slug))
    yield bao
    bao.stop()


async def test_vault_token_backend_reads_tenant_secrets(openbao: OpenBao) -> None:
    store = SecretsStore(VaultSecretsBackend(VaultConfig(url=openbao.url, token=openbao.root_token)), ttl_seconds=60)
    secrets = await store.get(tenant("alpha"))
    assert secrets.stripe_secret_key == "sk_test_alpha"
    assert secrets.find_api_key("tg_alpha_admin_key") is not None
    assert secrets.find_api_key("tg_beta_admin_key") is None


def _approle_for(openbao: OpenBao, slug: str) -> tuple[str, str]:
    root = openbao.client()
    if "approle/" not in root.sys.list_auth_methods():
        root.sys.enable_auth_method("approle")
    root.sys.create_or_update_policy(
        name=f"tollgate-{slug}", policy=f'path "secret/data/tollgate/tenants/{slug}" {{ capabilities = ["read"] }}'
    )
    root.auth.approle.create_or_update_approle(
        role_name=f"tollgate-{slug}", token_policies=[f"tollgate-{slug}"], token_ttl="1h"
    )
    role_id = root.auth.approle.read_role_id(role_name=f"tollgate-{slug}")["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id(role_name=f"tollgate-{slug}")["data"]["secret_id"]
    return role_id, secret_id


async def test_approle_policy_reads_its_tenant_and_not_another(openbao: OpenBao) -> None:
    role_id, secret_id = _approle_for(openbao, "alpha")
    backend = VaultSecretsBackend(VaultConfig(url=openbao.url, auth="approle", role_id=role_id, secret_id=secret_id))
    store = SecretsStore(backend, ttl_seconds=60)
    assert (await store.get(tenant("alpha"))).stripe_secret_key == "sk_test_alpha"
    with pytest.raises(SecretsUnavailable):
        await store.get(tenant("beta"))


async def test_cache_refresh_picks_up_rotation(openbao: OpenBao) -> None:
    openbao.put_tenant("gamma", {**secrets_document("alpha"), "stripe_webhook_secrets": ["whsec_old"]})
    store = SecretsStore(VaultSecretsBackend(VaultConfig(url=openbao.url, token=openbao.root_token)), ttl_seconds=300)
    assert (await store.get(tenant("gamma"))).stripe_webhook_secrets == ["whsec_old"]
    openbao.put_tenant("gamma", {**secrets_document("alpha"), "stripe_webhook_secrets": ["whsec_new", "whsec_old"]})
    assert (await store.get(tenant("gamma"))).stripe_webhook_secrets == ["whsec_old"], "served from cache"
    clock.advance(dt.timedelta(seconds=SecretsStore.MIN_FORCED_REFRESH_INTERVAL + 1))
    assert (await store.get(tenant("gamma"), refresh=True)).stripe_webhook_secrets == ["whsec_new", "whsec_old"]


async def test_refresh_is_rate_limited() -> None:
    reads: list[str] = []

    class Counting(SettingsSecretsBackend):
        async def read(self, t: Tenant) -> Any:
            reads.append(t.slug)
            return await super().read(t)

    store = SecretsStore(Counting({"alpha": secrets_document("alpha")}), ttl_seconds=300)
    for _ in range(5):
        await store.get(tenant("alpha"), refresh=True)
    assert reads == ["alpha"]


async def test_one_read_in_flight_serves_every_waiter_even_when_its_starter_leaves() -> None:
    reads: list[str] = []
    answer = asyncio.Event()

    class Slow(SettingsSecretsBackend):
        async def read(self, t: Tenant) -> Any:
            reads.append(t.slug)
            await answer.wait()
            return await super().read(t)

    store = SecretsStore(Slow({"alpha": secrets_document("alpha")}), ttl_seconds=300)
    first = asyncio.create_task(store.get(tenant("alpha")))
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(store.get(tenant("alpha"))) for _ in range(10)]
    await asyncio.sleep(0)
    first.cancel()  # the request that started the read goes away (its client hung up)
    answer.set()
    assert {(await w).stripe_secret_key for w in waiters} == {"sk_test_alpha"}
    assert reads == ["alpha"]


async def test_vault_down_serves_cache_until_ttl_then_503(make_runtime: Any) -> None:
    bao = start_openbao()
    try:
        bao.put_tenant("alpha", secrets_document("alpha"))
        runtime = make_runtime(
            secrets={"backend": "vault", "ttl_seconds": 60},
            vault={"url": bao.url, "token": bao.root_token, "timeout_seconds": 1.0},
        )
        from core.app import create_app

        async with asgi_client(create_app(runtime)) as client:
            assert (await client.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200
            ready = await client.get("/health/ready")
            assert ready.json()["checks"]["secrets"] == {"ok": True, "backend": "vault", "error": None}

            bao.stop()
            clock.advance(dt.timedelta(seconds=30))
            assert (await client.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200, "cached within TTL"
            ready = await client.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["secrets"]["ok"] is False

            clock.advance(dt.timedelta(seconds=31))
            r = await client.get("/t/alpha/v1/", headers=auth("alpha"))
            assert r.status_code == 503
            assert r.json()["error"]["code"] == "secrets_unavailable"
            assert "Traceback" not in r.text
        await runtime.stop()
    finally:
        bao.stop()


async def test_a_hung_vault_fails_a_burst_within_one_timeout_and_is_not_asked_again_at_once(
    make_runtime: Any,
) -> None:
    """A stopped (SIGSTOP) OpenBao is a hung one: the kernel accepts connections, nothing answers."""
    timeout, failure_ttl = 1.0, 10.0
    bao = start_openbao()
    try:
        bao.put_tenant("alpha", secrets_document("alpha"))
        runtime = make_runtime(
            secrets={"backend": "vault", "ttl_seconds": 60, "failure_ttl_seconds": failure_ttl},
            vault={"url": bao.url, "token": bao.root_token, "timeout_seconds": timeout},
        )
        reads: list[str] = []
        backend_read = runtime.secrets.backend.read

        async def counted(t: Tenant) -> Mapping[str, Any]:
            reads.append(t.slug)
            return await backend_read(t)

        runtime.secrets.backend.read = counted
        from core.app import create_app

        async with asgi_client(create_app(runtime)) as client:
            assert (await client.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200
            os.kill(bao.process.pid, signal.SIGSTOP)
            clock.advance(dt.timedelta(seconds=61))

            started = time.monotonic()
            burst = await asyncio.gather(*(client.get("/t/alpha/v1/", headers=auth("alpha")) for _ in range(20)))
            took = time.monotonic() - started
            assert [(r.status_code, r.json()["error"]["code"]) for r in burst] == [(503, "secrets_unavailable")] * 20
            assert all(1 <= int(r.headers["Retry-After"]) <= failure_ttl for r in burst)
            assert len(reads) == 2, "one read for the whole burst"
            # Each request retrying the backend in turn would take 20 timeouts.
            assert took < 5 * timeout

            # Within the failure TTL the failure is answered at once, without asking the backend.
            r = await client.get("/t/alpha/v1/", headers=auth("alpha"))
            assert (r.status_code, len(reads)) == (503, 2)

            # After it, the backend is asked again: once more hung, then answering.
            clock.advance(dt.timedelta(seconds=failure_ttl + 1))
            r = await client.get("/t/alpha/v1/", headers=auth("alpha"))
            assert (r.status_code, len(reads)) == (503, 3)
            os.kill(bao.process.pid, signal.SIGCONT)
            clock.advance(dt.timedelta(seconds=failure_ttl + 1))
            assert (await client.get("/t/alpha/v1/", headers=auth("alpha"))).status_code == 200
            assert len(reads) == 4
        await runtime.stop()
    finally:
        os.kill(bao.process.pid, signal.SIGCONT)
        bao.stop()
