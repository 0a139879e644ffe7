"""The demo's one machine: Stripe (the emulator, or real Stripe), Tollgate on the embedded defaults (API and
in-process worker on a temporary SQLite file), the tenant apps that call it, and their notification endpoints.
Or, with `Deployed`, a deployment already running elsewhere (docs/deploy.md), walked the same way.

`World` starts and stops everything; scenarios talk to Tollgate through `TenantApp` (a tenant backend
with its API keys), act as customers and as Stripe's clock through `StripeSide`, and wait with `settle`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import stripe
from rich.console import Console

from core import clock
from core.app import create_app
from core.migrate import upgrade
from core.runtime import Runtime
from core.settings import load_dynaconf, to_plain
from demo.receiver import NotificationReceiver
from stripe_emulator.control import AsyncEmulatorControl, EmulatorError
from tenants.registry import Tenant
from tests.support.app import live_server

Mode = Literal["emulator", "real"]
# The checkout the demo runs from: the emulator is imported from it, not installed.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TENANTS = ("imagegen", "automate", "fiko", "quickscale", "creditshop")
# How long one wait (webhooks delivered and processed, notices delivered) may take before the walk fails.
SETTLE_SECONDS = 60.0
POLL_SECONDS = 0.05


def service_key(slug: str) -> str:
    """The tenant's documented demo API key (`.secrets.toml` holds only its hash)."""
    return f"tg_{slug}_service"


def admin_key(slug: str) -> str:
    return f"tg_{slug}_admin"


class StepFailed(Exception):
    """A step of the walk did not go as the tenant app expected."""


class PersonMustAct(Exception):
    """Real Stripe: the walk reached a step only a person (or Stripe's own clock) can take."""

    def __init__(self, slug: str, action: str, url: str | None = None) -> None:
        super().__init__(f"{slug}: {action}" + (f" at {url}" if url else ""))
        self.slug, self.action, self.url = slug, action, url


def expect(condition: bool, message: str) -> None:
    """A check the tenant app would make on Tollgate's answer; the walk stops when it fails."""
    if not condition:
        raise StepFailed(message)


@dataclass(frozen=True)
class Deployed:
    """A Tollgate deployment already running, whose tenants' Stripe accounts are the emulator's at
    `emulator_url`, and whose settings send the tenant apps' notices to `notifications_port` here."""

    url: str
    emulator_url: str
    notifications_port: int


@dataclass
class EmulatorProcess:
    """`python -m stripe_emulator` as a subprocess, with one account per tenant key."""

    url: str
    control: AsyncEmulatorControl
    process: asyncio.subprocess.Process

    @classmethod
    async def start(cls, keys: list[str], work_dir: Path) -> EmulatorProcess:
        ready, log_path = work_dir / "emulator.url", work_dir / "emulator.log"
        accounts = [arg for key in keys for arg in ("--account", key)]
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "stripe_emulator", "--port", "0", "--log-level", "warning"),
                *("--ready-file", str(ready), *accounts),
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(int(20 / POLL_SECONDS)):
            if process.returncode is not None:
                break
            if ready.exists() and ready.read_text().strip():
                url = ready.read_text().strip()
                control = AsyncEmulatorControl(url)
                with contextlib.suppress(httpx.HTTPError):
                    await control.health()
                    return cls(url, control, process)
            await asyncio.sleep(POLL_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise StepFailed("the Stripe emulator did not start:\n" + log_path.read_text(errors="replace")[-2000:])

    async def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


@dataclass
class EmulatorElsewhere:
    """The emulator a running deployment uses: reached, not started or stopped."""

    url: str
    control: AsyncEmulatorControl


class OperatorSecrets:
    """The secrets backend as the demo's operator keeps it: the settings' documents, plus the Stripe price
    ids created for the walk (an operator pastes them into Vault; the cache is invalidated after)."""

    name = "settings"

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        self.documents = {slug: dict(doc) for slug, doc in documents.items()}

    async def read(self, tenant: Tenant) -> Mapping[str, Any]:
        return self.documents[tenant.slug]

    async def check(self) -> None:
        return None

    def set_prices(self, slug: str, prices: Mapping[str, str]) -> None:
        document = self.documents[slug]
        document["prices"] = {**document.get("prices", {}), **prices}


@dataclass
class TenantApp:
    """One tenant app's backend: it calls Tollgate with its own API keys, as the seed apps would."""

    http: httpx.AsyncClient
    slug: str

    async def call(
        self,
        method: str,
        path: str,
        *,
        expect: int | tuple[int, ...] = (200, 201, 202),
        admin: bool = False,
        **kwargs: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {admin_key(self.slug) if admin else service_key(self.slug)}"}
        headers.update(kwargs.pop("headers", {}))
        response = await self.http.request(method, f"/t/{self.slug}/v1{path}", headers=headers, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise StepFailed(f"{self.slug}: {method} {path} answered {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return await self.call("POST", path, json=body if body is not None else {}, **kwargs)

    async def customer(self, customer: str, email: str) -> None:
        await self.call("PUT", f"/customers/{customer}", json={"email": email})

    async def balance(self, customer: str) -> dict[str, Any]:
        return dict(await self.get(f"/customers/{customer}/balance"))

    async def pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, page after page (`next_cursor` → `cursor` while `has_more`)."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = await self.get(path, params=query, admin=True)
            items.extend(page["data"])
            if not page["has_more"]:
                return items
            cursor = page["next_cursor"]


@dataclass
class StripeSide:
    """What happens on Stripe's side of the walk: customers paying, Stripe's clock, the dashboard.

    With the emulator each action is one control call. With real Stripe a person has to do it, so the
    walk stops there (`PersonMustAct`).
    """

    keys: dict[str, str]
    emulator: EmulatorProcess | EmulatorElsewhere | None

    def _control(self, slug: str, action: str, url: str | None = None) -> AsyncEmulatorControl:
        if self.emulator is None:
            raise PersonMustAct(slug, action, url)
        return self.emulator.control

    async def pay_checkout(self, slug: str, checkout: Mapping[str, Any], **complete: Any) -> None:
        """The customer pays on Stripe Checkout's page (`checkout_url`/`payment_url`)."""
        url = checkout.get("checkout_url") or checkout.get("payment_url")
        session = checkout.get("session_id") or checkout.get("checkout_session_id")
        control = self._control(slug, "a person must pay in Stripe Checkout", url)
        await control.complete_checkout(self.keys[slug], str(session), **complete)

    async def confirm_payment(self, slug: str, client: stripe.StripeClient, purchase: Mapping[str, Any]) -> None:
        """The customer's browser confirms the PaymentIntent with a card (Stripe.js with `client_secret`)."""
        self._control(slug, f"a person must confirm PaymentIntent {purchase['payment_intent_id']} with Stripe.js")
        await client.v1.payment_intents.confirm_async(purchase["payment_intent_id"], {"payment_method": "pm_card_visa"})

    async def renew(self, slug: str, subscription_id: str, payment_method: str | None = None) -> dict[str, Any]:
        """Stripe's billing clock reaches the subscription's period end and charges the renewal."""
        control = self._control(slug, "renewals happen on Stripe's clock (use a test clock)")
        return dict(await control.advance_subscription(self.keys[slug], subscription_id, payment_method))

    async def days_pass(self, slug: str, days: int) -> None:
        control = self._control(slug, "time passes on Stripe's clock (use a test clock)")
        await control.advance_clock(self.keys[slug], seconds=days * 86_400)

    async def trial_will_end(self, slug: str, subscription_id: str) -> None:
        control = self._control(slug, "Stripe sends trial_will_end three days before the trial ends")
        await control.trial_will_end(self.keys[slug], subscription_id)

    async def pay_invoice(self, slug: str, invoice_id: str) -> None:
        control = self._control(slug, "a person must pay the open invoice")
        await control.pay_invoice(self.keys[slug], invoice_id, "pm_card_visa")

    async def dashboard_product(self, slug: str, action: str, object_id: str | None = None, **params: Any) -> Any:
        control = self._control(slug, "create the products in the Stripe dashboard")
        return await control.dashboard_product(self.keys[slug], action, object_id, **params)

    async def dashboard_price(self, slug: str, action: str, object_id: str | None = None, **params: Any) -> Any:
        control = self._control(slug, "change the prices in the Stripe dashboard")
        return await control.dashboard_price(self.keys[slug], action, object_id, **params)


@dataclass
class World:
    """Everything the walk needs, started in order and stopped in reverse by `open_world`."""

    console: Console
    runtime: Runtime
    http: httpx.AsyncClient
    base_url: str
    receiver: NotificationReceiver
    secrets: OperatorSecrets
    stripe_side: StripeSide
    emulator: EmulatorProcess | EmulatorElsewhere | None
    apps: dict[str, TenantApp] = field(default_factory=dict)

    def app(self, slug: str) -> TenantApp:
        if slug not in self.apps:
            self.apps[slug] = TenantApp(self.http, slug)
        return self.apps[slug]

    def say(self, slug: str, text: str) -> None:
        self.console.print(f"  [dim]{slug:>10}[/] {text}")

    async def stripe(self, slug: str) -> stripe.StripeClient:
        """The tenant's Stripe account, as its operator (or its customers' browsers) reach it."""
        return await self.runtime.stripe.for_tenant(self.runtime.tenants.get(slug))

    def set_prices(self, slug: str, prices: Mapping[str, str]) -> None:
        self.secrets.set_prices(slug, prices)
        self.runtime.secrets.invalidate(slug)

    async def settle(self, slug: str) -> None:
        """Stripe delivered every event, Tollgate processed each, and the tenant app got every notice.

        Handlers may cause new events (a refund, a re-read subscription), so delivery is asked again
        until a round delivers nothing new. Then Tollgate's clock catches up with the Stripe account's.
        """
        if self.emulator is not None:
            key = self.stripe_side.keys[slug]
            for _ in range(20):
                report = await self.emulator.control.settle(key, timeout=SETTLE_SECONDS)
                if not report["settled"] or report["gave_up"]:
                    raise StepFailed(f"{slug}: Stripe could not deliver its webhooks: {report}")
                await self._drained(slug, "/admin/webhook-events", "Stripe events")
                again = await self.emulator.control.settle(key, timeout=SETTLE_SECONDS)
                if again["attempts"] == report["attempts"]:
                    break
            await self.catch_up(slug)
        await self._drained(slug, "/admin/notifications", "notifications")

    async def _drained(self, slug: str, path: str, what: str) -> None:
        app = self.app(slug)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while True:
            dead = await app.get(path, params={"status": "dead", "limit": 5}, admin=True)
            if dead["data"]:
                errors = "; ".join(f"{i['type']}: {i['last_error']}" for i in dead["data"])
                raise StepFailed(f"{slug}: {what} failed for good: {errors}")
            busy = [
                item
                for status in ("pending", "processing", "failed")
                for item in (await app.get(path, params={"status": status, "limit": 5}, admin=True))["data"]
            ]
            if not busy:
                return
            if loop.time() > deadline:
                errors = "; ".join(f"{i['type']} {i['status']}: {i['last_error']}" for i in busy)
                raise StepFailed(f"{slug}: {what} still not done after {SETTLE_SECONDS:.0f} s: {errors}")
            await asyncio.sleep(POLL_SECONDS)

    async def catch_up(self, slug: str) -> None:
        """One clock for the whole deployment: Tollgate's follows a Stripe account that moved ahead (a
        renewal), and an account behind Tollgate's (another tenant's month passed) is brought forward."""
        if self.emulator is None:
            return
        key = self.stripe_side.keys[slug]
        stripe_now = int((await self.emulator.control.account(key))["now"])
        ahead = stripe_now - clock.now().timestamp()
        if ahead > 0:
            clock.advance(dt.timedelta(seconds=ahead))
        elif ahead < -1:
            await self.emulator.control.advance_clock(key, to=int(clock.now().timestamp()))


def _declared_tenants() -> tuple[dict[str, Any], dict[str, Any], str]:
    """The tenants, their secrets and the Stripe API base as the settings files (and env vars) declare them."""
    settings = load_dynaconf("development")
    tenants: dict[str, Any] = to_plain(settings.get("tenants")) or {}
    documents: dict[str, Any] = to_plain(settings.get("tenant_secrets")) or {}
    missing = [slug for slug in TENANTS if slug not in tenants or slug not in documents]
    if missing:
        raise StepFailed(f"settings.toml/.secrets.toml do not declare the demo tenants {', '.join(missing)}")
    return tenants, documents, str(settings.get("stripe.api_base") or "")


def _check_real_keys(api_base: str, keys: Mapping[str, str]) -> None:
    if api_base:
        return
    live = [slug for slug, key in keys.items() if not key.startswith(("sk_test_", "rk_test_"))]
    if live:
        raise StepFailed(f"only Stripe test keys (sk_test_...) are allowed in the demo: {', '.join(live)}")
    placeholders = [slug for slug, key in keys.items() if key.endswith("_demo")]
    if placeholders:
        raise StepFailed(
            "real Stripe needs each tenant's own test key: set tenant_secrets.<slug>.stripe_secret_key in "
            f".secrets.toml or TOLLGATE_TENANT_SECRETS__<SLUG>__STRIPE_SECRET_KEY for {', '.join(placeholders)}"
        )


@contextlib.asynccontextmanager
async def open_world(mode: Mode, console: Console, deployed: Deployed | None = None) -> AsyncIterator[World]:
    """Start the emulator (emulator mode), the tenant apps' receiver, and Tollgate; stop them afterwards.

    With `deployed`, only the receiver starts: the walk's view of the tenants (`World.runtime`) is built
    from the same settings and secrets files, to name tenants and reach their Stripe accounts."""
    tenants, documents, api_base = _declared_tenants()
    keys = {slug: str(documents[slug].get("stripe_secret_key", "")) for slug in TENANTS}
    if mode == "real":
        _check_real_keys(api_base, keys)
    with tempfile.TemporaryDirectory(prefix="tollgate-demo-") as scratch:
        work = Path(scratch)
        db_url = f"sqlite+aiosqlite:///{work / 'tollgate.db'}"
        if deployed is None:
            console.print(f"[bold]Setting up[/]: a fresh SQLite database at {work / 'tollgate.db'}, migrated")
            await asyncio.to_thread(upgrade, db_url)
        async with contextlib.AsyncExitStack() as stack:
            emulator: EmulatorProcess | EmulatorElsewhere | None = None
            if deployed is not None:
                emulator = EmulatorElsewhere(deployed.emulator_url, AsyncEmulatorControl(deployed.emulator_url))
                console.print(f"[bold]Stripe emulator[/] at {emulator.url}, as the deployment uses it")
            elif mode == "emulator":
                emulator = await EmulatorProcess.start(list(dict.fromkeys(keys.values())), work)
                stack.push_async_callback(emulator.stop)
                console.print(f"[bold]Stripe emulator[/] on {emulator.url}, one account per tenant key")
            receiver = NotificationReceiver({slug: str(documents[slug].get("notification_secret")) for slug in TENANTS})
            port = deployed.notifications_port if deployed is not None else None
            receiver_url = await stack.enter_async_context(live_server(receiver.app, port))
            for slug in TENANTS:
                notifications = tenants[slug].get("notifications", {})
                tenants[slug]["notifications"] = {**notifications, "url": receiver_url + receiver.path(slug)}
            overrides: dict[str, Any] = {
                "database": {"url": db_url},
                "jobs": {"broker": "memory", "embedded_scheduler": True},
                "secrets": {"backend": "settings", "ttl_seconds": 300},
                "tenants": tenants,
                "tenant_secrets": documents,
                # Failed attempts come back within seconds, not the production half-minute.
                "inbox": {"backoff_base_seconds": 0.5, "backoff_max_seconds": 2, "requeue_after_seconds": 5},
                "outbox": {"backoff_base_seconds": 0.5, "backoff_max_seconds": 2, "requeue_after_seconds": 5},
            }
            if emulator is not None:
                overrides["stripe"] = {"api_base": emulator.url, "max_network_retries": 2, "timeout_seconds": 20}
            runtime = Runtime.build(env="development", overrides=overrides)
            secrets = OperatorSecrets(documents)
            runtime.secrets.backend = secrets
            if deployed is not None:
                base_url = deployed.url
                console.print(
                    f"[bold]Tollgate[/] deployed at {base_url}; tenant apps' notification endpoints on {receiver_url}"
                )
            else:
                app = create_app(runtime)
                base_url = await stack.enter_async_context(live_server(app))
                console.print(
                    f"[bold]Tollgate[/] on {base_url} (API + in-process worker, env {runtime.config.env}); "
                    f"tenant apps' notification endpoints on {receiver_url}"
                )
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=60, trust_env=False))
            world = World(
                console=console,
                runtime=runtime,
                http=http,
                base_url=base_url,
                receiver=receiver,
                secrets=secrets,
                stripe_side=StripeSide(keys, emulator),
                emulator=emulator,
            )
            if deployed is None:
                # A deployment's endpoints were made by `tollgate stripe connect`, with secrets of its own.
                await _register_webhooks(world, documents)
            yield world


async def _register_webhooks(world: World, documents: Mapping[str, Any]) -> None:
    """Each tenant's Stripe account posts its events to the tenant's Tollgate URL, signed with its secret."""
    if world.emulator is None:
        world.console.print(
            "[yellow]Real Stripe cannot reach this machine[/]: forward each account's events with "
            f"`stripe listen --forward-to {world.base_url}/t/<tenant>/webhooks/stripe`"
        )
        return
    for slug in TENANTS:
        secret = documents[slug]["stripe_webhook_secrets"][0]
        url = f"{world.base_url}/t/{slug}/webhooks/stripe"
        try:
            await world.emulator.control.register_webhook(world.stripe_side.keys[slug], url, secret=secret)
        except EmulatorError as exc:
            raise StepFailed(f"{slug}: the webhook endpoint could not be registered: {exc}") from exc
