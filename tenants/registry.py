"""Tenants as the settings declare them: slug, name, enabled plugins and per-plugin config.

The slug is the tenant's id everywhere: in routes, in every table's `tenant_id`, in Vault paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

import msgspec

from core.errors import NotFound

S = TypeVar("S", bound=msgspec.Struct)

# A slug is a URL path segment, a Vault path segment, a TOML bare key and part of Stripe lookup keys.
SLUG = re.compile(r"[a-z][a-z0-9_-]{0,62}")
SLUG_RULE = "a lowercase letter, then up to 62 lowercase letters, digits, '-' or '_'"


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot name a tenant, or None when it can."""
    return None if SLUG.fullmatch(slug) else f"{slug!r} is not a tenant slug: {SLUG_RULE}"


class NotificationsConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Where Tollgate posts signed notices to the tenant app (`credits.granted`, ...)."""

    url: str | None = None
    max_attempts: int = 8
    credits_low_threshold: int = 0


class LedgerPolicy(msgspec.Struct, forbid_unknown_fields=True):
    """Per-tenant rules of the credit ledger (`tenants.<slug>.ledger`); see docs/ledger.md."""

    # down_to_zero: a clawback never takes a balance below zero; allow_negative: the rest becomes debt.
    clawback: Literal["down_to_zero", "allow_negative"] = "down_to_zero"
    hold_ttl_seconds: Annotated[int, msgspec.Meta(ge=1)] = 900
    hold_ttl_max_seconds: Annotated[int, msgspec.Meta(ge=1)] = 86_400
    # `credits.expiring_soon` goes out this long before a grant expires (0: never).
    expiring_soon_seconds: Annotated[int, msgspec.Meta(ge=0)] = 7 * 86_400


class EndUserTokens(msgspec.Struct, forbid_unknown_fields=True):
    """What the tenant's end-user tokens must carry (`tenants.<slug>.end_user_tokens`)."""

    # Refuse a token valid for longer than this (from `iat`, and from now).
    max_lifetime_seconds: Annotated[int, msgspec.Meta(ge=1)] = 86_400
    # When set, the token's `aud` must name it / its `iss` must equal it.
    audience: str | None = None
    issuer: str | None = None


class TenantStripe(msgspec.Struct, forbid_unknown_fields=True):
    """How this tenant reaches Stripe (`tenants.<slug>.stripe`), beside the deployment's `[stripe]`."""

    # Overrides `stripe.api_base` for this tenant alone (empty: the deployment's).
    api_base: str | None = None


class TenantRateLimits(msgspec.Struct, forbid_unknown_fields=True):
    """This tenant's requests per minute (`tenants.<slug>.rate_limits`); unset: the deployment's
    `[rate_limits]`, 0: no limit (core/rate_limits.py)."""

    # Every caller of the tenant together.
    requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] | None = None
    # Each API key, and each customer's end-user tokens.
    per_key_requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] | None = None
    per_customer_requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] | None = None


class TenantRetention(msgspec.Struct, forbid_unknown_fields=True):
    """This tenant's retention periods (`tenants.<slug>.retention`); unset: the deployment's `[retention]`
    (docs/privacy.md#retention)."""

    enabled: bool | None = None
    webhook_payload_days: Annotated[int, msgspec.Meta(ge=1)] | None = None
    notification_days: Annotated[int, msgspec.Meta(ge=1)] | None = None
    audit_days: Annotated[int, msgspec.Meta(ge=1)] | None = None
    ledger_days: Annotated[int, msgspec.Meta(ge=1)] | None = None


class TenantCore(msgspec.Struct, forbid_unknown_fields=True):
    """The tenant keys the kernel owns; each plugin's block sits beside them under its name."""

    name: str
    plugins: list[str] = []
    secret_path: str | None = None
    notifications: NotificationsConfig = msgspec.field(default_factory=NotificationsConfig)
    ledger: LedgerPolicy = msgspec.field(default_factory=LedgerPolicy)
    end_user_tokens: EndUserTokens = msgspec.field(default_factory=EndUserTokens)
    stripe: TenantStripe = msgspec.field(default_factory=TenantStripe)
    rate_limits: TenantRateLimits = msgspec.field(default_factory=TenantRateLimits)
    retention: TenantRetention = msgspec.field(default_factory=TenantRetention)


@dataclass(frozen=True)
class Tenant:
    slug: str
    core: TenantCore
    plugin_blocks: Mapping[str, Any]
    _configs: dict[tuple[str, type], Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.core.name

    @property
    def plugins(self) -> tuple[str, ...]:
        return tuple(self.core.plugins)

    def enabled(self, plugin: str) -> bool:
        return plugin in self.core.plugins

    def plugin_config(self, plugin: str, struct: type[S]) -> S:
        """The plugin's block for this tenant, typed (validated at start-up, so this cannot fail)."""
        key = (plugin, struct)
        if key not in self._configs:
            self._configs[key] = msgspec.convert(self.plugin_blocks.get(plugin) or {}, struct, strict=True)
        return self._configs[key]  # type: ignore[no-any-return]


class TenantRegistry:
    """Every tenant of this deployment, looked up by slug."""

    def __init__(self, tenants: Mapping[str, Tenant]) -> None:
        self._tenants = dict(tenants)

    @classmethod
    def from_settings(cls, raw_tenants: Mapping[str, Mapping[str, Any]], plugin_names: set[str]) -> TenantRegistry:
        tenants: dict[str, Tenant] = {}
        for slug, raw in raw_tenants.items():
            core_block = {k: v for k, v in raw.items() if k not in plugin_names}
            blocks = {k: v for k, v in raw.items() if k in plugin_names}
            tenants[slug] = Tenant(slug=slug, core=msgspec.convert(core_block, TenantCore), plugin_blocks=blocks)
        return cls(tenants)

    def get(self, slug: str) -> Tenant:
        try:
            return self._tenants[slug]
        except KeyError:
            raise NotFound(f"No tenant {slug!r} on this deployment.", code="tenant_not_found") from None

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)

    def slugs(self) -> list[str]:
        return sorted(self._tenants)
