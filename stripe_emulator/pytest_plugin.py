"""Pytest fixtures: the emulator as a subprocess HTTP server, fresh accounts, SDK clients.

Load with `pytest_plugins = ["stripe_emulator.pytest_plugin"]` in a top-level conftest.
Set `STRIPE_EMULATOR_URL` to use an emulator that is already running instead.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import stripe

from .control import EmulatorControl

REPO_ROOT = Path(__file__).resolve().parents[1]

__all__ = [
    "EmulatorHandle",
    "make_stripe_client",
    "new_api_key",
    "start_emulator",
    "stripe_account",
    "stripe_client",
    "stripe_emulator",
]


def new_api_key() -> str:
    return f"sk_test_emu_{secrets.token_hex(12)}"


def make_stripe_client(
    url: str, api_key: str, *, max_network_retries: int = 0, timeout: float = 10.0
) -> stripe.StripeClient:
    """A StripeClient aimed at the emulator (sync and `*_async` methods both work)."""
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": url, "files": url, "connect": url, "meter_events": url},
        http_client=stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True),
        max_network_retries=max_network_retries,
    )


@dataclass
class EmulatorHandle:
    """A running emulator: its base `url`, the helper client, and its process."""

    url: str
    control: EmulatorControl
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def stripe_client(
        self, api_key: str, *, max_network_retries: int = 0, timeout: float = 10.0
    ) -> stripe.StripeClient:
        return make_stripe_client(
            self.url, api_key, max_network_retries=max_network_retries, timeout=timeout
        )

    def new_account(self, api_key: str | None = None) -> str:
        """Create an account and return its API key."""
        return str(self.control.create_account(api_key or new_api_key())["api_key"])

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_emulator(
    *args: str, work_dir: Path | None = None, startup_timeout: float = 20.0
) -> EmulatorHandle:
    """Start `python -m stripe_emulator --port 0 ARGS...` and wait until it answers.

    Its request log goes to `<work_dir>/emulator.log` (a temporary directory by default).
    """
    work = work_dir or Path(tempfile.mkdtemp(prefix="stripe-emulator-"))
    ready = work / "url"
    log_path = work / "emulator.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_emulator", "--port", "0",
         "--ready-file", str(ready), *args],
        cwd=REPO_ROOT,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    deadline = time.monotonic() + startup_timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if ready.exists() and ready.read_text():
            url = ready.read_text().strip()
            try:
                probe = httpx.get(f"{url}/_emulator/health", timeout=1.0, trust_env=False)
                if probe.status_code == 200:
                    return EmulatorHandle(url, EmulatorControl(url), process, log_path)
            except httpx.HTTPError:
                pass
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(
        f"the Stripe emulator did not start (url={url}); log:\n"
        + log_path.read_text(errors="replace")
    )


def stop_emulator(handle: EmulatorHandle) -> None:
    handle.control.close()
    if handle.process is None:
        return
    handle.process.terminate()
    try:
        handle.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        handle.process.kill()
        handle.process.wait(timeout=5)


@pytest.fixture(scope="session")
def stripe_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """The emulator for the whole session (`.url`, `.control`, `.stripe_client(key)`)."""
    external = os.environ.get("STRIPE_EMULATOR_URL")
    handle = (
        EmulatorHandle(external.rstrip("/"), EmulatorControl(external))
        if external
        else start_emulator(work_dir=tmp_path_factory.mktemp("stripe-emulator"))
    )
    try:
        yield handle
    finally:
        stop_emulator(handle)


@pytest.fixture
def stripe_account(stripe_emulator: EmulatorHandle) -> str:
    """A fresh, empty account; its API key."""
    return stripe_emulator.new_account()


@pytest.fixture
def stripe_client(stripe_emulator: EmulatorHandle, stripe_account: str) -> stripe.StripeClient:
    """An SDK client for `stripe_account`, without retries (tests opt into them)."""
    return stripe_emulator.stripe_client(stripe_account)
