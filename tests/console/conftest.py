"""The console's fixtures: two tenants (alpha syncs its catalog), an operator key, and a little data.

`seeded` makes what every page shows: a customer with a grant, a spend and a hold, a catalog sync
run, and one dead Stripe event that a replay processes (a `product.deleted`: no call to Stripe).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from plugins.product_sync.models import SyncRun
from tests.inbox.stripe_events import deliver, event, stripe_object
from tests.support.jobs import drain
from tests.support.tenants import KEYS, auth, tenant_block

OPERATOR_KEY = "tg_test_operator_key"
CUSTOMER = "ada@1"


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        # Notices go nowhere (a closed port): each fails, so one can be made dead and replayed.
        "alpha": tenant_block(
            "Alpha App",
            ["product_sync"],
            product_sync={"schedule": False},
            notifications={"url": "http://127.0.0.1:9/notices"},
        ),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"console": {"operator_key_hash": hashlib.sha256(OPERATOR_KEY.encode()).hexdigest()}}


@dataclass
class Seeded:
    dead_event: str  # our row id
    stripe_event: str


async def seed(runtime: Runtime, client: httpx.AsyncClient) -> Seeded:
    """The data every page shows, made through the API as a tenant app would (and one event made dead)."""
    service, admin = auth("alpha", "service"), auth("alpha", "admin")
    path = f"/t/alpha/v1/customers/{CUSTOMER}"
    assert (await client.put(path, json={"email": "ada@example.com"}, headers=service)).status_code in (200, 201)
    grant = {"credits": 500, "expires_at": "2199-01-01T00:00:00Z"}
    assert (await client.post(f"{path}/grants", json=grant, headers=admin)).status_code == 201
    assert (await client.post(f"{path}/spend", json={"credits": 120}, headers=service)).status_code == 201
    assert (await client.post(f"{path}/holds", json={"credits": 30}, headers=service)).status_code == 201
    put_beta = await client.put("/t/beta/v1/customers/bob", json={"email": "bob@beta.test"}, headers=auth("beta"))
    assert put_beta.status_code in (200, 201)
    evt = event("product.deleted", stripe_object("product", deleted=True))
    row_id = (await deliver(client, evt)).json()["id"]
    await drain(runtime)
    async with session_scope(runtime.sessions) as session:
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == row_id, WebhookEvent.tenant_id == "alpha")
            .values(status="dead", attempts=10, last_error="RuntimeError: made dead by the test")
        )
        session.add(SyncRun(tenant_id="alpha", trigger="admin", status="succeeded", products=3, prices=5))
    return Seeded(dead_event=row_id, stripe_event=evt["id"])


@pytest.fixture
async def seeded(runtime: Runtime, client: httpx.AsyncClient) -> Seeded:
    return await seed(runtime, client)


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, key: str, tenant: str = "") -> httpx.Response:
    """Sign in through the form as a browser would: read the form (its token), post it back."""
    form = await client.get("/console/sign-in")
    return await client.post(
        "/console/sign-in", data={"key": key, "tenant": tenant, "csrf_token": form_token(form.text)}
    )


def admin_key(slug: str) -> str:
    return KEYS[slug]["admin"]
