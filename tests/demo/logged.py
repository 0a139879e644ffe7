"""What a demo run logged: JSON lines on stderr (TOLLGATE_LOGGING__FORMAT=json), and never a secret.

The real guarantee behind `core.logs.redact`: every secret the demo holds (each tenant's Stripe key,
webhook secrets, JWT and notification secrets from `.secrets.toml`, and the demo API keys of
`demo/world.py`) is looked for in everything the run printed.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from demo.world import TENANTS, admin_key, service_key

ROOT = Path(__file__).resolve().parents[2]
# Logged by the run: from INFO (one line per request, task and worker line), as JSON.
LOG_ENV = {"TOLLGATE_LOGGING__FORMAT": "json", "TOLLGATE_LOGGING__LEVEL": "INFO"}


def demo_secrets() -> dict[str, str]:
    """Every secret value of the demo, by where it comes from."""
    documents: dict[str, Any] = tomllib.loads((ROOT / ".secrets.toml").read_text())["default"]["tenant_secrets"]
    found: dict[str, str] = {}
    for slug in TENANTS:
        document = documents[slug]
        found[f"{slug}.stripe_secret_key"] = document["stripe_secret_key"]
        for n, secret in enumerate(document["stripe_webhook_secrets"]):
            found[f"{slug}.stripe_webhook_secrets[{n}]"] = secret
        found[f"{slug}.jwt_secret"] = document["jwt_secret"]
        found[f"{slug}.notification_secret"] = document["notification_secret"]
        found[f"{slug} service key"] = service_key(slug)
        found[f"{slug} admin key"] = admin_key(slug)
    return found


def check_logs(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The run's log lines (each one JSON), once no secret is found in anything it printed."""
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) > 100, "the walk's requests were logged"
    assert all(line.get("request_id") for line in requests)
    printed = result.stdout + result.stderr
    leaked = [where for where, secret in demo_secrets().items() if secret in printed]
    assert leaked == [], f"secrets in the demo's output: {leaked}"
    return lines
