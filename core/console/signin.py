"""Who may sign in to the console: a tenant's admin API key (checked as `tenants.auth` checks it on the
API), or the deployment operator key (`console.operator_key_hash`), which sees every tenant."""

from __future__ import annotations

import secrets
import time
from collections import deque

from core.console.session import OPERATOR, Session, new_session
from core.errors import TollgateError
from core.kernel import Kernel
from tenants.auth import authenticate
from tenants.registry import Tenant
from tenants.secrets import hash_api_key


class Refused(Exception):
    """A sign-in refused, with the message the form shows."""


async def sign_in(kernel: Kernel, key: str, slug: str | None, lifetime_seconds: int) -> Session:
    """A session for `key`: the operator's, or the admin key's of tenant `slug` (any tenant when none)."""
    key = key.strip()
    if not key:
        raise Refused("Enter an admin API key or the operator key.")
    operator_hash = kernel.config.console.operator_key_hash
    if operator_hash and secrets.compare_digest(hash_api_key(key), operator_hash.lower()):
        return new_session(OPERATOR, "operator", operator_hash, lifetime_seconds)
    if slug:
        try:
            tenants = [kernel.tenants.get(slug)]
        except TollgateError:
            raise Refused(f"There is no tenant {slug!r}.") from None
    else:
        tenants = list(kernel.tenants)
    for tenant in tenants:
        try:
            principal = authenticate(key, await kernel.secrets.get(tenant))
        except TollgateError:
            continue
        if principal.kind != "api_key" or "admin" not in principal.scopes:
            raise Refused(f"That is a service key of {tenant.slug}: the console needs an admin key.")
        return new_session(tenant.slug, principal.name, principal.key_id, lifetime_seconds)
    where = f"tenant {slug!r}" if slug else "any tenant, nor the operator key"
    raise Refused(f"That key is not an admin key of {where}. Check it and try again.")


async def still_valid(kernel: Kernel, session: Session) -> bool:
    """The key behind a session still exists (and still has the admin scope): removing it ends its sessions."""
    if session.operator:
        operator_hash = kernel.config.console.operator_key_hash
        return operator_hash is not None and operator_hash.lower()[:16] == session.key_id
    tenant: Tenant = kernel.tenants.get(session.tenant)
    keys = (await kernel.secrets.get(tenant)).api_keys
    return any(k.hash.lower()[:16] == session.key_id and "admin" in k.scopes for k in keys)


class Throttle:
    """Refused sign-ins per client address over the last minute: past `limit`, sign-in is refused without
    looking at the key, so a key cannot be guessed at speed. Per process (the embedded shape's one)."""

    WINDOW_SECONDS = 60.0

    def __init__(self, limit: int = 10) -> None:
        self.limit = limit
        self._refused: dict[str, deque[float]] = {}

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._refused.setdefault(client, deque())
        while times and times[0] <= now - self.WINDOW_SECONDS:
            times.popleft()
        if not times:
            del self._refused[client]
        return times

    def blocked(self, client: str, now: float | None = None) -> bool:
        return len(self._recent(client, time.monotonic() if now is None else now)) >= self.limit

    def refused(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(client, now)
        self._refused.setdefault(client, deque()).append(now)
