"""The demo's one machine: Stripe (the emulator, or real Stripe), Tollgate on the embedded defaults (API and
in-process worker on a temporary SQLite file), the tenant apps that call it, and their notification endpoints.
Or, with `Deployed`, a deployment already running elsewhere (docs/deploy.md), walked the same way.

`World` starts and stops everything; scenarios talk to Tollgate through `TenantApp` (a tenant backend
with its API keys and the generated client, `tollgate_client`), act as customers and as Stripe's clock
through `StripeSide`, and wait with `settle`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar
from uuid import UUID

import httpx
import stripe
from rich.console import Console
from tollgate_client import AuthenticatedClient
from tollgate_client.api.customers import upsert_customer
from tollgate_client.api.ledger import get_balance
from tollgate_client.api.notifications import list_notifications
from tollgate_client.api.webhooks import list_webhook_events
from tollgate_client.models import (
    Balance,
    Checkout,
    CreditPurchase,
    Customer,
    CustomerUpsert,
    Error,
    ListNotificationsStatusType1,
    ListWebhookEventsStatusType1,
    Order,
)
from tollgate_client.types import Response

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
# How long a background job the walk started (a catalog sync) may take to finish: generous, for a loaded
# machine; the walk polls the job's own record, so a quick job costs no more than its run.
JOB_SECONDS = 300.0
POLL_SECONDS = 0.05


def service_key(slug: str) -> str:
    """The tenant's documented demo API key (`.secrets.toml` holds only its hash)."""
    return f"tg_{slug}_service"


def admin_key(slug: str) -> str:
    return f"tg_{slug}_admin"


def api_client(base_url: str, token: str) -> AuthenticatedClient:
    """The generated client as a tenant app's backend holds it: one per API key, the proxy settings ignored."""
    return AuthenticatedClient(
        base_url=base_url, token=token, timeout=httpx.Timeout(60), httpx_args={"trust_env": False}
    )


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


class Page(Protocol):
    """A page of a list answer, whatever its items (`PageOrder`, `PageWebhookEvent`, ...)."""

    @property
    def data(self) -> Sequence[Any]: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def next_cursor(self) -> str | None: ...


Answer = TypeVar("Answer")
PageT = TypeVar("PageT", bound=Page)
# An operation of the generated client: `tollgate_client.api.<tag>.<operation>.asyncio_detailed`.
Operation = Callable[..., Awaitable[Response[Error | Answer]]]


def operation_name(operation: Callable[..., Any]) -> str:
    """`spend_credits` for `tollgate_client.api.ledger.spend_credits.asyncio_detailed`: the operation id."""
    return operation.__module__.rpartition(".")[2]


@dataclass
class TenantApp:
    """One tenant app's backend: it calls Tollgate through the generated client (`tollgate_client`) with its
    own API keys, as the seed apps would; every answer is the document's typed model, or a `StepFailed`."""

    slug: str
    service: AuthenticatedClient
    admin: AuthenticatedClient

    async def call(
        self,
        operation: Operation[Answer],
        *path: str | UUID,
        expect: int | tuple[int, ...] = (200, 201, 202),
        admin: bool = False,
        **kwargs: Any,
    ) -> Answer:
        """`operation(slug, *path, **kwargs)` with the service key (or the admin key); its parsed answer."""
        response = await self._send(operation, path, admin, kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted or response.parsed is None or isinstance(response.parsed, Error):
            raise StepFailed(self._refusal(operation, path, response))
        return response.parsed

    async def refused(
        self, operation: Operation[Any], *path: str, expect: int, admin: bool = False, **kwargs: Any
    ) -> Error:
        """A call the app expects Tollgate to refuse with `expect`: the typed `Error` it answers."""
        response = await self._send(operation, path, admin, kwargs)
        if response.status_code != expect or not isinstance(response.parsed, Error):
            raise StepFailed(f"{self._refusal(operation, path, response)} (expected {expect})")
        return response.parsed

    async def _send(
        self, operation: Operation[Answer], path: tuple[str | UUID, ...], admin: bool, kwargs: dict[str, Any]
    ) -> Response[Error | Answer]:
        return await operation(self.slug, *path, client=self.admin if admin else self.service, **kwargs)

    def _refusal(self, operation: Callable[..., Any], path: tuple[str | UUID, ...], response: Response[Any]) -> str:
        what = " ".join([operation_name(operation), *map(str, path)])
        answer = response.parsed
        if isinstance(answer, Error):
            detail = f"{answer.error.code}: {answer.error.message}"
        else:
            detail = response.content.decode(errors="replace")[:500]
        return f"{self.slug}: {what} answered {int(response.status_code)}: {detail}"

    async def customer(self, customer: str, email: str) -> Customer:
        return await self.call(upsert_customer.asyncio_detailed, customer, body=CustomerUpsert(email=email))

    async def balance(self, customer: str) -> Balance:
        return await self.call(get_balance.asyncio_detailed, customer)

    async def pages(self, operation: Operation[PageT], *path: str, **params: Any) -> list[Any]:
        """Every item of a list, page after page (`next_cursor` → `cursor` while `has_more`), with the admin key."""
        items: list[Any] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = await self.call(operation, *path, admin=True, **query)
            items.extend(page.data)
            if not page.has_more:
                return items
            cursor = page.next_cursor


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

    async def pay_checkout(self, slug: str, checkout: Checkout | Order, **complete: Any) -> None:
        """The customer pays on Stripe Checkout's page (a subscription's `checkout_url`, an order's `payment_url`)."""
        url: str | None
        session: str | None
        if isinstance(checkout, Checkout):
            url, session = checkout.checkout_url, checkout.session_id
        else:
            url, session = checkout.payment_url, checkout.checkout_session_id
        control = self._control(slug, "a person must pay in Stripe Checkout", url)
        await control.complete_checkout(self.keys[slug], str(session), **complete)

    async def confirm_payment(self, slug: str, client: stripe.StripeClient, purchase: CreditPurchase) -> None:
        """The customer's browser confirms the PaymentIntent with a card (Stripe.js with `client_secret`)."""
        self._control(slug, f"a person must confirm PaymentIntent {purchase.payment_intent_id} with Stripe.js")
        await client.v1.payment_intents.confirm_async(
            str(purchase.payment_intent_id), {"payment_method": "pm_card_visa"}
        )

    async def confirm_in_app(
        self, slug: str, client_secret: str, payment_method: str = "pm_card_visa", three_d_secure: str = "complete"
    ) -> dict[str, Any]:
        """The app's own payment form (Stripe Elements) confirms a client secret with a card; a 3-D Secure
        challenge is completed, failed or left waiting (`three_d_secure`)."""
        control = self._control(slug, "a person must pay in the app's form (Stripe Elements)")
        return dict(
            await control.confirm(self.keys[slug], client_secret, payment_method, three_d_secure=three_d_secure)
        )

    async def authenticate(self, slug: str, payment_intent_id: str) -> None:
        """The customer completes the bank's 3-D Secure challenge."""
        control = self._control(slug, "a person must complete 3-D Secure")
        await control.authenticate_payment(self.keys[slug], payment_intent_id)

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
    base_url: str
    receiver: NotificationReceiver
    secrets: OperatorSecrets
    stripe_side: StripeSide
    emulator: EmulatorProcess | EmulatorElsewhere | None
    apps: dict[str, TenantApp]

    def app(self, slug: str) -> TenantApp:
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
                await self._drained(
                    slug, list_webhook_events.asyncio_detailed, ListWebhookEventsStatusType1, "Stripe events"
                )
                again = await self.emulator.control.settle(key, timeout=SETTLE_SECONDS)
                if again["attempts"] == report["attempts"]:
                    break
            # Every notice delivered before the clock moves: one signed before a month's jump and sent
            # after it would be refused by the tenant app as outside its timestamp tolerance.
            await self._drained(
                slug, list_notifications.asyncio_detailed, ListNotificationsStatusType1, "notifications"
            )
            await self.catch_up(slug)
        await self._drained(slug, list_notifications.asyncio_detailed, ListNotificationsStatusType1, "notifications")

    async def finished(
        self, slug: str, what: str, read: Callable[[], Awaitable[Answer]], done: Callable[[Answer], bool]
    ) -> Answer:
        """Poll `read` until `done` says its answer is final (a job's record left `queued` and `running`),
        or fail the walk after `JOB_SECONDS` with the last answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + JOB_SECONDS
        while not done(answer := await read()):
            if loop.time() > deadline:
                raise StepFailed(f"{slug}: {what} not finished after {JOB_SECONDS:.0f} s: {answer}")
            await asyncio.sleep(POLL_SECONDS)
        return answer

    async def _drained(
        self,
        slug: str,
        listing: Operation[PageT],
        statuses: type[ListWebhookEventsStatusType1] | type[ListNotificationsStatusType1],
        what: str,
    ) -> None:
        """`listing` (Stripe events or notifications) has nothing left to do, and nothing dead."""
        app = self.app(slug)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while True:
            dead = await app.call(listing, status=statuses("dead"), limit=5, admin=True)
            if dead.data:
                errors = "; ".join(f"{i.type_}: {i.last_error}" for i in dead.data)
                raise StepFailed(f"{slug}: {what} failed for good: {errors}")
            busy = [
                item
                for status in ("pending", "processing", "failed")
                for item in (await app.call(listing, status=statuses(status), limit=5, admin=True)).data
            ]
            if not busy:
                return
            if loop.time() > deadline:
                errors = "; ".join(f"{i.type_} {i.status}: {i.last_error}" for i in busy)
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
            apps = {
                slug: TenantApp(
                    slug,
                    service=await stack.enter_async_context(api_client(base_url, service_key(slug))),
                    admin=await stack.enter_async_context(api_client(base_url, admin_key(slug))),
                )
                for slug in TENANTS
            }
            world = World(
                console=console,
                runtime=runtime,
                base_url=base_url,
                receiver=receiver,
                secrets=secrets,
                stripe_side=StripeSide(keys, emulator),
                emulator=emulator,
                apps=apps,
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
