"""Fixtures of the saved-card tests: Automate (alpha: payg and token packages) and beta (payg), each on its own
emulator account, the app on a real port, and Stripe's signed webhooks reaching it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.app import create_app
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.stripe_tenants import *  # noqa: F403 - alpha_key, beta_key, tenant_secrets, settings_overrides
from tests.support.tenants import WEBHOOK_SECRETS, auth, tenant_block, user_auth

PAYG = {"prices": {"usd": {"unit_amount": 100, "credits": 100}}, "min_credits": 50, "expires_in_days": 180}
PACKAGES = {
    "packages": {
        "boost": {"name": "Boost", "credits": 1000, "prices": {"usd": 900}},
        "monthly": {"name": "Monthly", "credits": 5000, "prices": {"usd": 2000}, "interval": "month"},
    }
}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("Automate", ["payg", "token_packages"], payg=PAYG, token_packages=PACKAGES),
        "beta": tenant_block("Beta App", ["payg"], payg=PAYG),
    }


class Tollgate:
    """The live app as tenant apps call it, and Stripe's side (the customer's browser) through the emulator."""

    def __init__(self, http: httpx.AsyncClient, runtime: Runtime, emulator: EmulatorHandle, keys: dict[str, str]):
        self.http, self.runtime, self.emulator, self.keys = http, runtime, emulator, keys

    async def request(
        self,
        method: str,
        path: str,
        *,
        slug: str = "alpha",
        user: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = {**(user_auth(slug, user) if user else auth(slug)), **(headers or {})}
        return await self.http.request(method, f"/t/{slug}/v1{path}", headers=sent, **kwargs)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    async def webhooks_done(self, slug: str = "alpha") -> None:
        """Stripe delivered every event to the app (signed), and the app processed each."""
        await self.emulator.control.aio.settle(self.keys[slug], timeout=10)
        await drain(self.runtime)

    async def save_card(self, customer: str, card: str, *, slug: str = "alpha", **confirm: Any) -> str:
        """The customer saves `card` in the app's form: a SetupIntent confirmed by Stripe.js (the helper)."""
        setup = await self.call("POST", f"/customers/{customer}/setup-intents", slug=slug)
        done = await self.emulator.control.aio.confirm(None, setup["client_secret"], card, **confirm)
        assert done["status"] == "succeeded", done
        return str(done["setup_intent"]["payment_method"])

    async def balance(self, customer: str, slug: str = "alpha") -> int:
        return int((await self.call("GET", f"/customers/{customer}/balance", slug=slug))["balance"])


@pytest.fixture
async def tollgate(
    runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, beta_key: str
) -> AsyncIterator[Tollgate]:
    async with live_server(create_app(runtime)) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        keys = {"alpha": alpha_key, "beta": beta_key}
        for slug, key in keys.items():
            await stripe_emulator.control.aio.register_webhook(
                key, f"{base}/t/{slug}/webhooks/stripe", secret=WEBHOOK_SECRETS[slug]
            )
        app = Tollgate(http, runtime, stripe_emulator, keys)
        for slug in keys:
            for customer in ("cust-1", "cust-2"):
                await app.call("PUT", f"/customers/{customer}", slug=slug, json={"email": f"{customer}@example.com"})
        yield app
        for slug in keys:
            await app.webhooks_done(slug)


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
