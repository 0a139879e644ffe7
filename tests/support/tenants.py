"""The test tenants, their secrets documents and the credentials tests present."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import jwt

# tenant -> scope -> plaintext key
KEYS: dict[str, dict[str, str]] = {
    "alpha": {"service": "tg_alpha_service_key", "admin": "tg_alpha_admin_key"},
    "beta": {"service": "tg_beta_service_key", "admin": "tg_beta_admin_key"},
}
JWT_SECRETS = {
    "alpha": "alpha-jwt-secret-for-tests-only-0123456789",
    "beta": "beta-jwt-secret-for-tests-only-0123456789",
}
WEBHOOK_SECRETS = {"alpha": "whsec_alpha_test_secret", "beta": "whsec_beta_test_secret"}


def notification_secret(slug: str) -> str:
    return "whsec_" + base64.b64encode(f"{slug}-notification-secret-32bytes!"[:32].encode()).decode()


def secrets_document(slug: str, stripe_key: str | None = None, **extra: Any) -> dict[str, Any]:
    """A tenant's secrets as the backends store them (settings file or Vault KV)."""
    keys = KEYS[slug]
    return {
        "stripe_secret_key": stripe_key or f"sk_test_{slug}",
        "stripe_webhook_secrets": [WEBHOOK_SECRETS[slug]],
        "jwt_secret": JWT_SECRETS[slug],
        "notification_secret": notification_secret(slug),
        "prices": {},
        "api_keys": [
            {"name": f"{slug}-service", "hash": _sha(keys["service"]), "scopes": ["service"]},
            {"name": f"{slug}-admin", "hash": _sha(keys["admin"]), "scopes": ["service", "admin"]},
        ],
        **extra,
    }


def tenant_block(name: str, plugins: list[str] | None = None, **blocks: Any) -> dict[str, Any]:
    return {"name": name, "plugins": plugins or [], **blocks}


def default_tenants() -> dict[str, dict[str, Any]]:
    return {"alpha": tenant_block("Alpha App"), "beta": tenant_block("Beta App")}


def _sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def auth(slug: str, scope: str = "service") -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[slug][scope]}"}


def user_token(slug: str, customer: str, *, expires_in: int = 300, secret: str | None = None, **claims: Any) -> str:
    payload: dict[str, Any] = {"sub": customer, **claims}
    if expires_in is not None:
        payload["exp"] = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
    return jwt.encode(payload, secret or JWT_SECRETS[slug], algorithm="HS256")


def user_auth(slug: str, customer: str, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {user_token(slug, customer, **kwargs)}"}
