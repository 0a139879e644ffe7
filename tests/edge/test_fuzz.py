"""Schemathesis with all its checks over every operation of the five reference tenants: 0 failures.

The app runs as a live server on this test's loop, with the tenants of settings.toml (their plugin
sets and blocks), each on its own emulator account with its tiers' prices. Schemathesis runs as its
own process (its CLI, as an operator would run it) once per tenant, with a service+admin key and a
customer that exists; an operation of a plugin the tenant has not enabled answers 404
`plugin_not_enabled`. Refusals that depend on the tenant's configuration or on server state are
listed in tests/edge/fuzz_checks.py, whose checks hold them to their codes. Bounded by examples per
operation so `make test` stays short.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.app import create_app
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.conftest import ROOT
from tests.edge.fuzz_checks import REFUSALS
from tests.edge.routes import OWN
from tests.support.app import live_server
from tests.support.tenants import notification_secret

pytestmark = pytest.mark.postgres

REFERENCE = tomllib.loads((ROOT / "settings.toml").read_text())["default"]["tenants"]
MAX_EXAMPLES = 5
# The example plugin's route that raises on purpose (it shows a 500 carries no internals).
EXCLUDE = r"/example/boom$"


def key(slug: str) -> str:
    return f"tg_{slug}_fuzz_key"


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return REFERENCE


@pytest.fixture
def tenant_secrets(stripe_emulator: EmulatorHandle) -> dict[str, Any]:
    return {slug: secrets(stripe_emulator, slug, block) for slug, block in REFERENCE.items()}


def secrets(stripe_emulator: EmulatorHandle, slug: str, block: dict[str, Any]) -> dict[str, Any]:
    """The tenant's secrets: its own emulator account, with a price for each of its tiers' prices."""
    stripe_key = stripe_emulator.new_account()
    client = stripe_emulator.stripe_client(stripe_key)
    prices: dict[str, str] = {}
    for tier in block.get("subscriptions", {}).get("tiers", []):
        if not tier.get("prices"):
            continue
        product = client.v1.products.create(params={"name": f"{block['name']} {tier['name']}"})
        for price in tier["prices"]:
            currency = price.get("currency", "usd")
            params: Any = {
                "product": product.id,
                "currency": currency,
                "unit_amount": price["unit_amount"],
                "recurring": {"interval": price["interval"]},
            }
            name = f"{tier['id']}/{price['interval']}" + ("" if currency == "usd" else f"/{currency}")
            prices[name] = client.v1.prices.create(params=params).id
    return {
        "stripe_secret_key": stripe_key,
        "stripe_webhook_secrets": [f"whsec_{slug}_fuzz"],
        "jwt_secret": f"{slug}-jwt-secret-for-the-fuzz-run-0123456789",
        "notification_secret": notification_secret(slug),
        "prices": prices,
        "api_keys": [
            {
                "name": f"{slug}-fuzz",
                "hash": hashlib.sha256(key(slug).encode()).hexdigest(),
                "scopes": ["service", "admin"],
            }
        ],
    }


def config(slug: str) -> str:
    """The run's schemathesis.toml: the tenant, and per operation the refusals valid data may get."""
    lines = [
        "[parameters]",
        f'tenant_slug = "{slug}"',
        f'customer_id = "{OWN}"',
        "",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
    ]
    for operation, refusals in sorted(REFUSALS.items()):
        statuses = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx", *map(str, sorted(refusals))]
        lines += [
            "",
            "[[operations]]",
            f'include-operation-id = "{operation}"',
            f"checks.positive_data_acceptance.expected-statuses = {json.dumps(statuses)}",
        ]
    return "\n".join(lines) + "\n"


async def test_every_check_passes_on_every_reference_tenant(runtime: Runtime, tmp_path: Path) -> None:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.edge.fuzz_checks"}
    failures: list[str] = []
    async with live_server(create_app(runtime)) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            for slug in REFERENCE:
                headers = {"Authorization": f"Bearer {key(slug)}"}
                r = await http.put(f"/t/{slug}/v1/customers/{OWN}", json={"email": "c@x.io"}, headers=headers)
                assert r.status_code in (200, 201), r.text
                r = await http.post(f"/t/{slug}/v1/customers/{OWN}/grants", json={"credits": 1000}, headers=headers)
                assert r.status_code == 201, r.text
        for slug in REFERENCE:
            run = tmp_path / slug
            run.mkdir()
            (run / "schemathesis.toml").write_text(config(slug))
            process = await asyncio.create_subprocess_exec(
                str(schemathesis),
                "run",
                f"{base}/schema/openapi.json",
                "--checks",
                "all",
                "--include-path-regex",
                "^/t/",
                "--exclude-path-regex",
                EXCLUDE,
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                "1",
                "--seed",
                "1",
                "--request-timeout",
                "30",
                "-H",
                f"Authorization: Bearer {key(slug)}",
                cwd=run,
                env=environment,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            output, _ = await process.communicate()
            text = output.decode(errors="replace")
            if process.returncode != 0 or not ("No issues found" in text or "passed" in text):
                failures.append(f"--- {slug} ---\n{text[-6000:]}")
    assert failures == [], "\n".join(failures)
