"""Request limits on the tenant API, so that one noisy tenant cannot starve the others.

Each request to `/t/{tenant}/v1` counts, once the tenant guard has authenticated its caller, in
one-minute windows: the tenant's (every caller together) and its API key's, or for an end-user
token its customer's. Over any of them it is refused 429 `rate_limited` with `Retry-After`; every
answer of the tenant API carries `RateLimit-Limit`, `-Remaining` and `-Reset` for the window
nearest its limit. Counts live in Redis, checked and counted by one script so that API processes
share them, or in the process (the embedded default). Stripe's webhooks, the health routes and the
schema are outside the tenant API: never limited.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core import metrics
from core.errors import TooManyRequests
from core.settings import AppConfig, RateLimitsConfig
from tenants.auth import Principal
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.rate_limits")

WINDOW_SECONDS: Final = 60
# The limiter on the app's state; the guard's verdict, for the headers, on the request's (beside the tenant).
STATE_KEY: Final = "rate_limit"
# After Redis fails, requests are served uncounted for this long before it is asked again, so that
# an unreachable Redis costs one timeout per interval, not one per request.
REDIS_RETRY_SECONDS: Final = 5.0
REDIS_TIMEOUT_SECONDS: Final = 0.5

Per = Literal["tenant", "key", "customer"]


@dataclass(frozen=True, slots=True)
class Window:
    """One window a request counted in: what it limits, its limit, the requests in it, seconds to its end."""

    per: Per
    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    windows: tuple[Window, ...]

    @property
    def nearest(self) -> Window:
        """The window the answer's headers describe: the full one when refused, else the one nearest its limit."""
        return min(self.windows, key=lambda w: (w.remaining, -w.reset))

    def headers(self) -> list[tuple[bytes, bytes]]:
        nearest = self.nearest
        policy = ", ".join(f"{w.limit};w={WINDOW_SECONDS}" for w in self.windows)
        return [
            (b"ratelimit-limit", str(nearest.limit).encode()),
            (b"ratelimit-remaining", str(nearest.remaining).encode()),
            (b"ratelimit-reset", str(nearest.reset).encode()),
            (b"ratelimit-policy", policy.encode()),
        ]


# Whether the request was counted, and each window's (requests in it, ms to its end).
Taken = tuple[bool, list[tuple[int, int]]]


class Counts(Protocol):
    """Fixed windows of request counts: the one primitive both stores implement."""

    async def take(self, keys: Sequence[str], limits: Sequence[int]) -> Taken | None:
        """Count one request in every window unless one is full (then in none); None when the counts
        cannot be reached."""
        ...

    async def close(self) -> None: ...


class MemoryCounts:
    """Windows in this process's memory: the embedded default, one process. Check and count run with no
    await between them, so the event loop makes them atomic."""

    PRUNE_ABOVE: Final = 10_000

    def __init__(self, window_seconds: float = WINDOW_SECONDS) -> None:
        self._window = window_seconds
        self._windows: dict[str, tuple[int, float]] = {}

    async def take(self, keys: Sequence[str], limits: Sequence[int]) -> Taken | None:
        now = time.monotonic()
        if len(self._windows) > self.PRUNE_ABOVE:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
        current = [self._current(key, now) for key in keys]
        full = any(used >= limit for (used, _), limit in zip(current, limits, strict=True))
        if not full:
            current = [(used + 1, ends) for used, ends in current]
            self._windows.update(zip(keys, current, strict=True))
        return not full, [(used, max(1, int((ends - now) * 1000))) for used, ends in current]

    def _current(self, key: str, now: float) -> tuple[int, float]:
        window = self._windows.get(key)
        return window if window is not None and window[1] > now else (0, now + self._window)

    async def close(self) -> None:
        self._windows.clear()


# KEYS: the windows; ARGV: the window in ms, then each window's limit. Nothing is counted when one
# window is full. Returns the verdict (1 counted, 0 refused), then each window's count and ms to its end.
_TAKE = """
local window_ms = tonumber(ARGV[1])
local used, ttl = {}, {}
local full = false
for i, key in ipairs(KEYS) do
  used[i] = tonumber(redis.call('GET', key) or '0')
  ttl[i] = redis.call('PTTL', key)
  if used[i] >= tonumber(ARGV[i + 1]) then full = true end
end
if not full then
  for i, key in ipairs(KEYS) do
    used[i] = redis.call('INCR', key)
    if used[i] == 1 or ttl[i] < 0 then
      redis.call('PEXPIRE', key, window_ms)
      ttl[i] = window_ms
    end
  end
end
local reply = {full and 0 or 1}
for i = 1, #KEYS do
  reply[#reply + 1] = used[i]
  reply[#reply + 1] = ttl[i]
end
return reply
"""


class RedisCounts:
    """Windows in Redis, shared by every API process; each request is one script call.

    Counts that cannot be reached serve the request uncounted: a billing API that stops because its
    limiter's store did would fail every tenant to protect them from each other.
    """

    def __init__(self, url: str, window_seconds: int = WINDOW_SECONDS) -> None:
        self._redis = Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._script = self._redis.register_script(_TAKE)
        self._window_ms = window_seconds * 1000
        self._retry_at = 0.0

    async def take(self, keys: Sequence[str], limits: Sequence[int]) -> Taken | None:
        if time.monotonic() < self._retry_at:
            return None
        try:
            reply = await self._script(keys=list(keys), args=[self._window_ms, *limits])
        except (RedisError, OSError) as exc:
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning(
                "Rate limits: Redis unreachable (%s: %s); requests are served uncounted for %.0f s",
                type(exc).__name__,
                exc,
                REDIS_RETRY_SECONDS,
            )
            return None
        pairs = [(int(reply[i]), int(reply[i + 1])) for i in range(1, len(reply), 2)]
        return reply[0] == 1, [(used, ttl if ttl > 0 else self._window_ms) for used, ttl in pairs]

    async def close(self) -> None:
        await self._redis.aclose()  # type: ignore[attr-defined]  # types-redis predates aclose


@dataclass(frozen=True, slots=True)
class Limits:
    """A tenant's requests per minute, resolved (0: no limit)."""

    tenant: int
    per_key: int
    per_customer: int


class RateLimiter:
    """The deployment's limits and counts, on the app's state (`STATE_KEY`) for `rate_limit_guard`."""

    def __init__(self, config: RateLimitsConfig, counts: Counts) -> None:
        self.config = config
        self.counts = counts
        self._limits: dict[str, Limits] = {}

    @classmethod
    def from_config(cls, config: AppConfig) -> RateLimiter | None:
        """The deployment's limiter (None when `rate_limits.enabled` is false)."""
        limits = config.rate_limits
        if not limits.enabled:
            return None
        store = limits.store
        if store == "auto":
            store = "redis" if config.jobs.broker == "redis" else "memory"
        counts: Counts = RedisCounts(config.jobs.redis_url) if store == "redis" else MemoryCounts()
        return cls(limits, counts)

    def limits_for(self, tenant: Tenant) -> Limits:
        limits = self._limits.get(tenant.slug)
        if limits is None:
            own, default = tenant.core.rate_limits, self.config

            def pick(value: int | None, fallback: int) -> int:
                return fallback if value is None else value

            limits = self._limits[tenant.slug] = Limits(
                tenant=pick(own.requests_per_minute, default.requests_per_minute),
                per_key=pick(own.per_key_requests_per_minute, default.per_key_requests_per_minute),
                per_customer=pick(own.per_customer_requests_per_minute, default.per_customer_requests_per_minute),
            )
        return limits

    async def check(self, tenant: Tenant, principal: Principal) -> Verdict | None:
        """Count one request of `principal` at `tenant`; None when no window applies or none can be counted."""
        limits = self.limits_for(tenant)
        # The hash tag keeps a request's windows in one Redis Cluster slot, as one script needs.
        base = f"{self.config.key_prefix}:{{{tenant.slug}}}"
        windows: list[tuple[Per, str, int]] = []
        if limits.tenant:
            windows.append(("tenant", f"{base}:tenant", limits.tenant))
        if principal.kind == "api_key" and limits.per_key:
            windows.append(("key", f"{base}:key:{principal.key_id}", limits.per_key))
        elif principal.kind == "end_user" and limits.per_customer:
            # Hashed: a customer id is the tenant's free text; the key stays short and names no one.
            customer = hashlib.sha256((principal.customer or "").encode()).hexdigest()[:16]
            windows.append(("customer", f"{base}:customer:{customer}", limits.per_customer))
        if not windows:
            return None
        taken = await self.counts.take([key for _, key, _ in windows], [limit for _, _, limit in windows])
        if taken is None:
            return None
        allowed, counted = taken
        return Verdict(
            allowed=allowed,
            windows=tuple(
                Window(per=per, limit=limit, used=used, reset=math.ceil(ms / 1000))
                for (per, _, limit), (used, ms) in zip(windows, counted, strict=True)
            ),
        )

    async def close(self) -> None:
        await self.counts.close()


async def rate_limit_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """After the tenant guard: count the request, or refuse it 429 `rate_limited`."""
    limiter: RateLimiter = connection.app.state[STATE_KEY]
    tenant: Tenant = connection.state.tenant
    verdict = await limiter.check(tenant, connection.state.principal)
    if verdict is None:
        return
    connection.scope["state"][STATE_KEY] = verdict
    if verdict.allowed:
        return
    full = verdict.nearest
    metrics.rate_limited(tenant.slug, full.per)
    who = {
        "tenant": f"Tenant {tenant.slug!r} has",
        "key": "This API key has",
        "customer": "This customer's end-user tokens have",
    }[full.per]
    raise TooManyRequests(
        f"{who} made the {full.limit} requests a minute allows; retry in {full.reset} s.",
        detail={"per": full.per, "limit": full.limit, "window_seconds": WINDOW_SECONDS, "retry_after": full.reset},
        retry_after=full.reset,
    )


def rate_limit_headers(app: ASGIApp) -> ASGIApp:
    """Middleware of the tenant API: the `RateLimit-*` headers of the guard's verdict on every answer,
    the 429 included (Litestar's exception handling answers inside the route's middleware)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                verdict: Verdict | None = scope.get("state", {}).get(STATE_KEY)
                if verdict is not None:
                    message = {**message, "headers": [*message.get("headers", ()), *verdict.headers()]}
            await send(message)

        await app(scope, receive, send_with_limits)

    return middleware
