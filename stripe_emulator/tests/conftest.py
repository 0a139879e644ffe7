"""Fixtures for the emulator's own tests: the plugin's fixtures, a webhook receiver."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from stripe_emulator.pytest_plugin import EmulatorHandle
from stripe_emulator.tests.receiver import WebhookReceiver

PLUGIN = "stripe_emulator.pytest_plugin"

# tests/conftest.py registers the plugin when the main suite runs too; re-exporting its fixtures
# here as well would give this folder a second session emulator. Run alone, re-export them.
if PLUGIN not in getattr(sys.modules.get("tests.conftest"), "pytest_plugins", ()):
    from stripe_emulator.pytest_plugin import *  # noqa: F403


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def hooked_account(
    stripe_emulator: EmulatorHandle, stripe_account: str, receiver: WebhookReceiver
) -> str:
    """`stripe_account` with an endpoint for every event, pointed at `receiver`.

    Registered through the SDK, as the platform does; the `whsec_` secret comes back from
    `webhook_endpoints.create` only.
    """
    client = stripe_emulator.stripe_client(stripe_account)
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["*"]}
    )
    receiver.secret = endpoint.secret
    return stripe_account


def pytest_configure(config: pytest.Config) -> None:
    # stripe.HTTPXClient posts its form body with `data=<str>`, which httpx deprecates.
    config.addinivalue_line("filterwarnings", "ignore:Use 'content=<...>':DeprecationWarning")
