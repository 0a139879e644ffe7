"""Webhook delivery: each account's queue of signed POSTs to its endpoints, with faults.

Deliveries go out in event order from one background task per account. Fault settings
(duplicates, shuffling within a window, delays, retries with exponential backoff, giving
up after N attempts) imitate what a real receiver must survive. Stripe's schedule (retries
over three days) is scaled down to `backoff_base` seconds.

Two more settings imitate outages the receiver cannot see at all: `drop`/`drop_until`
(Stripe could not reach the endpoint and has long given up: nothing is sent, nothing is
retried) and `stale_secret` (deliveries signed with a secret the receiver does not have,
as after a roll it did not learn of). And as Stripe disables an endpoint that keeps
failing, `disable_after_failures` turns an endpoint's `status` to `disabled` after that
many deliveries in a row were given up on; nothing is sent to it until it is enabled again
(`POST /v1/webhook_endpoints/{id}` with `disabled=false`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import hmac
import itertools
import json
import random
import time
from dataclasses import asdict, dataclass, field
from hashlib import sha256
from typing import TYPE_CHECKING, Any

import httpx

from .errors import invalid_request

if TYPE_CHECKING:
    from .store import Account, JsonObj

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def signature_header(payload: bytes, secrets: list[str], timestamp: int) -> str:
    """`t=<unix>,v1=<hmac>` -- one v1 per valid secret, as during a secret roll."""
    signed = f"{timestamp}.".encode() + payload
    parts = [f"t={timestamp}"]
    for secret in secrets:
        digest = hmac.new(secret.encode(), signed, sha256).hexdigest()
        parts.append(f"v1={digest}")
    return ",".join(parts)


def endpoint_listens(endpoint: JsonObj, event_type: str) -> bool:
    if endpoint["status"] != "enabled":
        return False
    enabled = endpoint["enabled_events"]
    return "*" in enabled or event_type in enabled


@dataclass
class WebhookFaults:
    duplicates: int = 1
    shuffle_window: int = 1
    delay: float = 0.0
    jitter: float = 0.0
    max_attempts: int = 3
    backoff_base: float = 0.05
    backoff_max: float = 2.0
    timeout: float = 5.0
    seed: int | None = None
    # After this many deliveries in a row to an endpoint were given up on (or dropped),
    # Stripe disables it; a delivered one resets the count.
    disable_after_failures: int | None = None
    # Every attempt is dropped (never sent, never retried) while `drop` is set or the
    # account clock is before `drop_until` (unix time).
    drop: bool = False
    drop_until: int | None = None
    # Sign deliveries with this secret instead of the endpoint's.
    stale_secret: str | None = None

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> WebhookFaults:
        known = set(cls.__dataclass_fields__)
        unknown = set(spec) - known
        if unknown:
            raise invalid_request(f"Unknown webhook fault setting: {sorted(unknown)[0]}")
        faults = cls(**spec)
        if faults.duplicates < 1 or faults.max_attempts < 1 or faults.shuffle_window < 1:
            raise invalid_request("duplicates, max_attempts and shuffle_window must be >= 1")
        if faults.disable_after_failures is not None and (
            not _is_int(faults.disable_after_failures) or faults.disable_after_failures < 1
        ):
            raise invalid_request("disable_after_failures must be an integer >= 1 or null",
                                  param="disable_after_failures")
        if not isinstance(faults.drop, bool):
            raise invalid_request("drop must be true or false", param="drop")
        if faults.drop_until is not None and not _is_int(faults.drop_until):
            raise invalid_request("drop_until must be a unix time (integer) or null",
                                  param="drop_until")
        if faults.stale_secret is not None and (
            not isinstance(faults.stale_secret, str) or not faults.stale_secret
        ):
            raise invalid_request("stale_secret must be a non-empty string or null",
                                  param="stale_secret")
        return faults

    def dropping(self, account: Account) -> bool:
        """Whether an attempt made now is dropped."""
        return self.drop or (self.drop_until is not None and account.now() < self.drop_until)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def consecutive_failures(account: Account, endpoint_id: str) -> int:
    """Deliveries to the endpoint given up on since its last success (or re-enabling)."""
    return int(account.side_of(endpoint_id).get("consecutive_failures", 0))


def reset_failures(account: Account, endpoint_id: str) -> None:
    account.side_of(endpoint_id)["consecutive_failures"] = 0


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    event_id: str = field(compare=False)
    endpoint_id: str = field(compare=False)
    attempt: int = field(compare=False)
    copy: int = field(compare=False)


@dataclass
class DeliveryAttempt:
    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    attempt: int
    copy: int
    status_code: int | None
    error: str | None
    ok: bool
    at: float
    duration_ms: float
    final: bool
    # Never sent: the `drop` fault was on (final at once, as Stripe would have given up).
    dropped: bool = False


@dataclass
class DeliveryQueue:
    account: Account
    faults: WebhookFaults = field(default_factory=WebhookFaults)
    log: list[DeliveryAttempt] = field(default_factory=list)
    gave_up: int = 0
    _heap: list[_Pending] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _in_flight: int = 0
    _delivered: set[tuple[str, str]] = field(default_factory=set)
    _rng: random.Random = field(default_factory=random.Random)
    _wake: asyncio.Event | None = None
    _task: asyncio.Task[None] | None = None
    _client: httpx.AsyncClient | None = None

    # ------------------------------------------------------------ producing

    def enqueue_event(self, account: Account, event: JsonObj) -> int:
        """Queue `event` for every listening endpoint; returns how many listen."""
        endpoints = [
            e for e in account.all("webhook_endpoint") if endpoint_listens(e, event["type"])
        ]
        for endpoint in endpoints:
            self._enqueue(event["id"], endpoint["id"])
        return len(endpoints)

    def resend(self, event: JsonObj, endpoint_id: str | None = None) -> int:
        endpoints = [
            e
            for e in self.account.all("webhook_endpoint")
            if (endpoint_id is None and endpoint_listens(e, event["type"]))
            or e["id"] == endpoint_id
        ]
        for endpoint in endpoints:
            self._delivered.discard((event["id"], endpoint["id"]))
            self._enqueue(event["id"], endpoint["id"])
        return len(endpoints)

    def _enqueue(self, event_id: str, endpoint_id: str) -> None:
        loop = asyncio.get_running_loop()
        for copy in range(self.faults.duplicates):
            due = loop.time() + self.faults.delay
            if self.faults.jitter:
                due += self._rng.uniform(0, self.faults.jitter)
            heapq.heappush(
                self._heap, _Pending(due, next(self._seq), event_id, endpoint_id, 1, copy)
            )
        self._ensure_worker()

    def _ensure_worker(self) -> None:
        if self._wake is None:
            self._wake = asyncio.Event()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._wake.set()

    def set_faults(self, spec: dict[str, Any]) -> WebhookFaults:
        self.faults = WebhookFaults.from_spec(spec)
        self._rng = random.Random(self.faults.seed)
        return self.faults

    # ------------------------------------------------------------ consuming

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._heap:
                self._wake.clear()
                await self._wake.wait()
                continue
            wait = self._heap[0].due - loop.time()
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            window = self.faults.shuffle_window
            if window > 1:
                # Let a burst of events (one API call emits several) gather first.
                await asyncio.sleep(0.02)
            batch: list[_Pending] = []
            while self._heap and self._heap[0].due <= loop.time() and len(batch) < window:
                batch.append(heapq.heappop(self._heap))
            if window > 1:
                self._rng.shuffle(batch)
            self._in_flight += len(batch)
            for pending in batch:
                try:
                    await self._attempt(pending)
                finally:
                    self._in_flight -= 1

    async def _attempt(self, pending: _Pending) -> None:
        account = self.account
        event = account.find(pending.event_id)
        endpoint = account.find(pending.endpoint_id)
        if event is None or endpoint is None or endpoint["status"] != "enabled":
            return
        if self.faults.dropping(account):
            self._record(pending, event, endpoint, status=None, error="dropped (drop fault)",
                         ok=False, final=True, started=time.monotonic(), dropped=True)
            self._finally_failed(endpoint)
            return
        payload = json.dumps(account.render(event), indent=2).encode()
        secrets = account.side_of(endpoint["id"]).get("secrets", [])
        if self.faults.stale_secret is not None:
            secrets = [self.faults.stale_secret]
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "Stripe-Signature": signature_header(payload, secrets, int(time.time())),
        }
        if self._client is None:
            # Deliveries go straight to the endpoint, never through an environment proxy.
            self._client = httpx.AsyncClient(trust_env=False)
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(
                endpoint["url"], content=payload, headers=headers, timeout=self.faults.timeout
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        retrying = not ok and pending.attempt < self.faults.max_attempts
        self._record(pending, event, endpoint, status=status, error=error, ok=ok,
                     final=not retrying, started=started)
        if ok:
            reset_failures(account, endpoint["id"])
            key = (event["id"], endpoint["id"])
            if key not in self._delivered:
                self._delivered.add(key)
                event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
        elif retrying:
            backoff = min(
                self.faults.backoff_base * 2 ** (pending.attempt - 1), self.faults.backoff_max
            )
            heapq.heappush(
                self._heap,
                _Pending(
                    asyncio.get_running_loop().time() + backoff,
                    next(self._seq),
                    pending.event_id,
                    pending.endpoint_id,
                    pending.attempt + 1,
                    pending.copy,
                ),
            )
        else:
            self.gave_up += 1
            self._finally_failed(endpoint)

    def _record(
        self, pending: _Pending, event: JsonObj, endpoint: JsonObj, *, status: int | None,
        error: str | None, ok: bool, final: bool, started: float, dropped: bool = False,
    ) -> None:
        self.log.append(
            DeliveryAttempt(
                event_id=event["id"],
                event_type=event["type"],
                endpoint_id=endpoint["id"],
                url=endpoint["url"],
                attempt=pending.attempt,
                copy=pending.copy,
                status_code=status,
                error=error,
                ok=ok,
                at=time.time(),
                duration_ms=round((time.monotonic() - started) * 1000, 2),
                final=final,
                dropped=dropped,
            )
        )

    def _finally_failed(self, endpoint: JsonObj) -> None:
        """A delivery to `endpoint` was given up on (or dropped): Stripe disables an
        endpoint after enough of these in a row."""
        side = self.account.side_of(endpoint["id"])
        side["consecutive_failures"] = consecutive_failures(self.account, endpoint["id"]) + 1
        limit = self.faults.disable_after_failures
        if limit is not None and side["consecutive_failures"] >= limit:
            endpoint["status"] = "disabled"

    # ------------------------------------------------------------ observing

    def summary(self) -> dict[str, Any]:
        """`attempts` = `delivered` + `failed` (sent, not 2xx) + `dropped` (never sent)."""
        delivered = sum(1 for a in self.log if a.ok)
        dropped = sum(1 for a in self.log if a.dropped)
        return {
            "pending": len(self._heap),
            "in_flight": self._in_flight,
            "attempts": len(self.log),
            "delivered": delivered,
            "failed": len(self.log) - delivered - dropped,
            "dropped": dropped,
            "gave_up": self.gave_up,
        }

    async def settle(self, timeout: float) -> dict[str, Any]:
        """Wait until nothing is queued or in flight (or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while (self._heap or self._in_flight) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return {"settled": not (self._heap or self._in_flight), **self.summary()}

    def attempts(self) -> list[dict[str, Any]]:
        return [asdict(a) for a in self.log]

    def clear(self) -> None:
        self._heap.clear()
        self.log.clear()
        self._delivered.clear()
        self.gave_up = 0

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()
