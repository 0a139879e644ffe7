"""`make demo`: the five reference tenants walked on one deployment, run as an operator runs it.

`python -m demo` runs in a subprocess (its own clock, runtime and emulator), and its JSON summary is
checked figure by figure. Real-Stripe mode is exercised up to the call to Stripe by pointing the
Stripe API base at an emulator that accepts any test key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stripe_emulator.pytest_plugin import start_emulator, stop_emulator
from tests.demo.figures import check_the_five_walks
from tests.demo.logged import LOG_ENV, check_logs

ROOT = Path(__file__).resolve().parents[2]


def run_demo(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    summary = tmp_path / "summary.json"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")}
    result = subprocess.run(
        [sys.executable, "-m", "demo", "--json", str(summary), *args],
        cwd=ROOT,
        env={**clean, "COLUMNS": "120", **env},
        capture_output=True,
        text=True,
        timeout=240,
    )
    return result, (json.loads(summary.read_text()) if summary.exists() else {})


def test_make_demo_walks_the_five_tenants_and_exits_0(tmp_path: Path) -> None:
    result, summary = run_demo(tmp_path, **LOG_ENV)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    check_logs(result)
    assert "Five tenants walked" in result.stdout
    assert list(summary["tenants"]) == ["imagegen", "automate", "fiko", "quickscale", "creditshop"]
    assert (summary["stopped"], summary["failure"]) == (None, None)
    assert "Ledger verified" in result.stdout
    assert summary["ledger"]["violations"] == 0 and summary["ledger"]["accounts"] > 0

    check_the_five_walks(summary)


@pytest.fixture
def any_key_emulator(tmp_path: Path) -> Any:
    """An emulator standing in for real Stripe: any test key is an account, as at Stripe."""
    handle = start_emulator("--auto-accounts", r"sk_test_\w+", work_dir=tmp_path)
    yield handle
    stop_emulator(handle)


def test_real_stripe_mode_stops_at_the_first_checkout_page(tmp_path: Path, any_key_emulator: Any) -> None:
    result, summary = run_demo(tmp_path, "--stripe", "real", TOLLGATE_STRIPE__API_BASE=any_key_emulator.url)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert summary["stopped"]["tenant"] == "imagegen"
    assert summary["stopped"]["action"] == "a person must pay in Stripe Checkout"
    assert summary["stopped"]["url"].startswith(f"{any_key_emulator.url}/_emulator/pay/cs_test_")
    assert "a person must pay in Stripe Checkout" in result.stdout
    # Tollgate made the Stripe customer and the Checkout Session in the tenant's own account.
    imagegen = any_key_emulator.stripe_client("sk_test_imagegen_demo")
    [session] = imagegen.v1.checkout.sessions.list().data
    assert (session.mode, session.status, session.url) == ("subscription", "open", summary["stopped"]["url"])


def test_real_stripe_mode_refuses_the_placeholder_keys(tmp_path: Path) -> None:
    result, summary = run_demo(tmp_path, "--stripe", "real")
    assert result.returncode == 1
    assert "each tenant's own test key" in summary["failure"]
    assert "TOLLGATE_TENANT_SECRETS__<SLUG>__STRIPE_SECRET_KEY" in summary["failure"]
