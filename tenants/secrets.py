"""Each tenant's secrets, from Vault (KV v2) or from the settings, behind one cached provider.

Values are cached per tenant for `secrets.ttl_seconds`. A forced refresh (a webhook whose
signature failed: the secret may have rotated) re-reads at most once every few seconds. One read
per tenant is in flight at a time; every request that needs it waits for it and shares its outcome.
When the backend cannot be reached the cache keeps serving until its TTL runs out; after that the
request fails closed with 503 `secrets_unavailable`, and the failure is remembered for
`secrets.failure_ttl_seconds`, so a hung backend costs one timeout, not one per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import secrets as pysecrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import anyio.to_thread
import hvac
import hvac.exceptions
import msgspec
import requests

from core import clock as platform_clock
from core import metrics
from core.errors import SecretsUnavailable
from core.settings import VaultConfig
from tenants.registry import Tenant

logger = logging.getLogger("tollgate.secrets")

Scope = Literal["service", "admin"]


class ApiKey(msgspec.Struct, forbid_unknown_fields=True):
    """A tenant API key as stored: only the SHA-256 hex digest of the key, never the key."""

    hash: str
    scopes: list[Scope] = msgspec.field(default_factory=lambda: ["service"])
    name: str = ""


class TenantSecrets(msgspec.Struct, forbid_unknown_fields=True):
    # Empty until the operator adds one (`tollgate tenants add` without a key): Stripe calls then fail.
    stripe_secret_key: str = ""
    # Newest first; older ones keep verifying deliveries signed before a rotation.
    stripe_webhook_secrets: list[str] = []
    # The endpoint `tollgate stripe connect` registered, whose secret is the first above.
    stripe_webhook_endpoint_id: str | None = None
    api_keys: list[ApiKey] = []
    jwt_secret: str | None = None
    # Standard Webhooks secret (`whsec_<base64>`) for notices to the tenant app.
    notification_secret: str | None = None
    # Stripe price ids by our own name: "basic/month", "standard/cny", ...
    prices: dict[str, str] = {}

    @property
    def livemode(self) -> bool:
        """True for a live-mode Stripe key (`sk_live_...`, `rk_live_...`); test keys (the emulator's too) are not."""
        return self.stripe_secret_key.startswith(("sk_live_", "rk_live_"))

    def find_api_key(self, presented: str) -> ApiKey | None:
        digest = hash_api_key(presented)
        for key in self.api_keys:
            if pysecrets.compare_digest(key.hash.lower(), digest):
                return key
        return None


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


STRIPE_SECRET_KEY_PREFIXES = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")
# HS256 wants a key at least as long as its hash (RFC 7518 §3.2).
MIN_JWT_SECRET_BYTES = 32


def audit(tenant: Tenant, secrets: TenantSecrets) -> tuple[list[str], list[str]]:
    """What an operator should fix in a tenant's secrets: (errors that break the tenant, warnings)."""
    errors: list[str] = []
    warnings: list[str] = []
    if not secrets.stripe_secret_key:
        errors.append("no stripe_secret_key: the tenant cannot reach Stripe")
    elif not secrets.stripe_secret_key.startswith(STRIPE_SECRET_KEY_PREFIXES):
        errors.append("stripe_secret_key is not a Stripe secret key (sk_test_..., sk_live_..., rk_...)")
    if not any("service" in api_key.scopes for api_key in secrets.api_keys):
        errors.append("no API key with the service scope: the tenant app cannot call Tollgate")
    if not any("admin" in api_key.scopes for api_key in secrets.api_keys):
        warnings.append("no admin API key")
    if not secrets.stripe_webhook_secrets:
        warnings.append("no stripe_webhook_secrets: every Stripe event will be refused (`tollgate stripe connect`)")
    if secrets.jwt_secret is None:
        warnings.append("no jwt_secret: end-user tokens are refused")
    elif len(secrets.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
        warnings.append(f"jwt_secret is shorter than {MIN_JWT_SECRET_BYTES} bytes")
    if tenant.core.notifications.url and not secrets.notification_secret:
        errors.append("notifications.url is set but notification_secret is missing: notices cannot be signed")
    return errors, warnings


class SecretsBackend(Protocol):
    name: str

    async def read(self, tenant: Tenant) -> Mapping[str, Any]:
        """The tenant's raw secret document; raises on any failure to reach or read it."""

    async def check(self) -> None:
        """Raise when the backend is not reachable (readiness probe)."""


class SettingsSecretsBackend:
    """Secrets from the settings (`.secrets.toml`, `[default.tenant_secrets.<slug>]`): the embedded default."""

    name = "settings"

    def __init__(self, documents: Mapping[str, Mapping[str, Any]]) -> None:
        self._documents = documents

    async def read(self, tenant: Tenant) -> Mapping[str, Any]:
        try:
            return self._documents[tenant.slug]
        except KeyError:
            raise LookupError(f"no [tenant_secrets.{tenant.slug}] block in the secrets file") from None

    async def check(self) -> None:
        return None


def document_path(vault: VaultConfig, slug: str, secret_path: str | None = None) -> str:
    """Where a tenant's document lives in the KV mount: its `secret_path`, else `<path_prefix>/<slug>`."""
    return secret_path or f"{vault.path_prefix}/{slug}"


class VaultSecretsBackend:
    """Secrets from Vault/OpenBao KV v2 at `<mount>/<path_prefix>/<slug>` (or the tenant's `secret_path`)."""

    name = "vault"

    def __init__(self, config: VaultConfig) -> None:
        self._config = config
        # An explicit empty token: hvac would otherwise pick up VAULT_TOKEN or ~/.vault-token.
        self._client = hvac.Client(url=config.url, token=config.token or "", timeout=config.timeout_seconds)
        self._login_lock = asyncio.Lock()

    def path_for(self, tenant: Tenant) -> str:
        return document_path(self._config, tenant.slug, tenant.core.secret_path)

    async def read(self, tenant: Tenant) -> Mapping[str, Any]:
        path = self.path_for(tenant)
        try:
            return await self._read(path)
        except hvac.exceptions.Forbidden:
            if self._config.auth != "approle":
                raise
            await self._login(force=True)
            return await self._read(path)

    async def _read(self, path: str) -> Mapping[str, Any]:
        await self._login()
        response = await anyio.to_thread.run_sync(
            lambda: self._client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self._config.mount, raise_on_deleted_version=True
            )
        )
        return response["data"]["data"]  # type: ignore[no-any-return]

    async def _login(self, *, force: bool = False) -> None:
        if self._config.auth != "approle":
            return
        async with self._login_lock:
            if self._client.token and not force:
                return
            role_id, secret_id = self._config.role_id, self._config.secret_id
            await anyio.to_thread.run_sync(
                lambda: self._client.auth.approle.login(role_id=role_id, secret_id=secret_id)
            )

    async def check(self) -> None:
        status = await anyio.to_thread.run_sync(lambda: self._client.sys.read_health_status(method="GET"))
        code = getattr(status, "status_code", 200)
        if isinstance(code, int) and code >= 400:
            raise RuntimeError(f"vault health answered {code}")


@dataclass
class _Entry:
    value: TenantSecrets
    fetched_at: float


class SecretsStore:
    """The cached view of every tenant's secrets that the rest of Tollgate asks."""

    MIN_FORCED_REFRESH_INTERVAL = 5.0

    def __init__(
        self,
        backend: SecretsBackend,
        ttl_seconds: float,
        clock: Callable[[], float] | None = None,
        *,
        failure_ttl_seconds: float = 5.0,
    ) -> None:
        self.backend = backend
        self.ttl = ttl_seconds
        self.failure_ttl = failure_ttl_seconds
        # The platform clock, so tests can move past the TTL; monotonic enough for a cache.
        self._clock = clock or (lambda: platform_clock.now().timestamp())
        self._entries: dict[str, _Entry] = {}
        # Per tenant: the backend read in flight, and when the last one failed.
        self._reads: dict[str, asyncio.Task[TenantSecrets]] = {}
        self._failed_at: dict[str, float] = {}

    async def get(self, tenant: Tenant, *, refresh: bool = False) -> TenantSecrets:
        """The tenant's secrets; `refresh=True` re-reads the backend (rotation), once per few seconds."""
        entry = self._entries.get(tenant.slug)
        failing = self._failing_for(tenant.slug) > 0
        if entry is not None and self._fresh(entry):
            # A forced refresh reads again at most every few seconds, and not while a failure is remembered.
            if not refresh or failing or self._age(entry) < self.MIN_FORCED_REFRESH_INTERVAL:
                metrics.secrets_cache_hit(tenant.slug)
                return entry.value
        elif failing:
            raise self._unavailable(tenant)
        read = self._reads.get(tenant.slug)
        if read is None:
            read = self._reads[tenant.slug] = asyncio.create_task(self._read(tenant))
            read.add_done_callback(lambda done: self._read_done(tenant.slug, done))
        # Shielded: a waiter whose request is cancelled leaves the read running for the others.
        return await asyncio.shield(read)

    async def _read(self, tenant: Tenant) -> TenantSecrets:
        """One read of the backend, whose outcome every waiter shares."""
        try:
            raw = await self.backend.read(tenant)
            value = msgspec.convert(dict(raw), TenantSecrets)
        except Exception as exc:
            self._failed_at[tenant.slug] = self._clock()
            entry = self._entries.get(tenant.slug)
            if entry and self._fresh(entry):
                metrics.secrets_read(tenant.slug, "stale")
                logger.warning("secrets refresh for %s failed, serving cache: %s", tenant.slug, exc)
                return entry.value
            metrics.secrets_read(tenant.slug, "failed")
            logger.error("secrets for tenant %s unavailable: %s", tenant.slug, _describe(exc))
            raise self._unavailable(tenant) from exc
        metrics.secrets_read(tenant.slug, "ok")
        self._failed_at.pop(tenant.slug, None)
        self._entries[tenant.slug] = _Entry(value, self._clock())
        return value

    def _read_done(self, slug: str, read: asyncio.Task[TenantSecrets]) -> None:
        if self._reads.get(slug) is read:
            del self._reads[slug]
        if not read.cancelled():
            read.exception()  # retrieved here too, for a read whose waiters have all gone

    def _failing_for(self, slug: str) -> float:
        """Seconds the tenant's last failed read is still remembered (0 when none is)."""
        failed_at = self._failed_at.get(slug)
        return 0.0 if failed_at is None else max(0.0, failed_at + self.failure_ttl - self._clock())

    def _unavailable(self, tenant: Tenant) -> SecretsUnavailable:
        return SecretsUnavailable(
            "This tenant's secrets cannot be read right now; try again shortly.",
            detail={"tenant": tenant.slug},
            retry_after=max(1, math.ceil(self._failing_for(tenant.slug))),
        )

    def _age(self, entry: _Entry) -> float:
        return self._clock() - entry.fetched_at

    def _fresh(self, entry: _Entry) -> bool:
        return self._age(entry) < self.ttl

    def invalidate(self, slug: str | None = None) -> None:
        if slug is None:
            self._entries.clear()
            self._failed_at.clear()
        else:
            self._entries.pop(slug, None)
            self._failed_at.pop(slug, None)


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "backend unreachable"
    if isinstance(exc, msgspec.ValidationError):
        return f"secret document invalid: {exc}"
    return f"{type(exc).__name__}: {exc}"


def build_backend(backend: str, vault: VaultConfig, documents: Mapping[str, Mapping[str, Any]]) -> SecretsBackend:
    if backend == "vault":
        return VaultSecretsBackend(vault)
    return SettingsSecretsBackend(documents)
