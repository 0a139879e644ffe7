"""Fixtures of the payg tests: alpha sells credits on its own emulator account; beta has not enabled payg."""

from __future__ import annotations

from typing import Any

import pytest

from core.db import session_scope
from core.inbox.context import EventContext
from core.inbox.dispatch import dispatch, handlers_for
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import *  # noqa: F403 - the emulator's fixtures
from tests.support.stripe_tenants import alpha_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import secrets_document, tenant_block

PAYG = {
    "prices": {"usd": {"unit_amount": 100, "credits": 100}, "eur": {"unit_amount": 3, "credits": 2}},
    "packs": {"starter": {"currency": "usd", "unit_amount": 500, "credits": 600, "name": "Starter"}},
    "min_credits": 50,
    "max_credits": 10_000,
    "max_quantity": 5,
    "expires_in_days": 180,
}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": tenant_block("Automate", ["payg"], payg=PAYG), "beta": tenant_block("Beta App")}


@pytest.fixture
def tenant_secrets(alpha_key: str) -> dict[str, Any]:
    return {"alpha": secrets_document("alpha", stripe_key=alpha_key), "beta": secrets_document("beta")}


async def apply_event(runtime: Runtime, event: dict[str, Any], slug: str = "alpha") -> None:
    """What the inbox worker does with a verified event: every enabled handler, one transaction."""
    tenant = runtime.tenants.get(slug)
    async with session_scope(runtime.sessions) as session:
        ctx = EventContext(tenant=tenant, event=event, session=session, runtime=runtime)
        await dispatch(ctx, handlers_for(runtime, tenant, event["type"]))


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
