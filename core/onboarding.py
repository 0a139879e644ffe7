"""Onboarding a tenant, as `tollgate tenants add` does: its settings block, appended to the settings file
and loaded again before it stays, and its new credentials, whose secrets document goes to Vault.

API keys are stored as their SHA-256 only; the plaintext is shown once to the operator.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenants.secrets import STRIPE_SECRET_KEY_PREFIXES, hash_api_key

# What `--force` keeps of an existing document: what Stripe and `tollgate stripe connect` put there.
KEPT_ON_FORCE = ("stripe_secret_key", "stripe_webhook_secrets", "stripe_webhook_endpoint_id", "prices")


def settings_block(
    slug: str,
    name: str,
    plugins: Sequence[str],
    templates: Mapping[str, Mapping[str, Any] | None],
    notifications_url: str | None = None,
) -> str:
    """The tenant's TOML under `[default.tenants.<slug>]`, one table per plugin (its template, or empty)."""
    tenant: dict[str, Any] = {"name": name, "plugins": list(plugins)}
    if notifications_url:
        tenant["notifications"] = {"url": notifications_url}
    lines = _table(f"default.tenants.{slug}", tenant)
    for plugin in plugins:
        lines += ["", *_table(f"default.tenants.{slug}.{plugin}", templates.get(plugin) or {})]
    return "\n".join(lines) + "\n"


def _table(header: str, table: Mapping[str, Any], *, array: bool = False) -> list[str]:
    """A TOML table: plain values first, then sub-tables and arrays of tables under their own headers."""
    lines = [f"[[{header}]]" if array else f"[{header}]"]
    nested: list[str] = []
    for key, value in table.items():
        if isinstance(value, Mapping) and any(isinstance(v, Mapping) for v in value.values()):
            nested += ["", *_table(f"{header}.{_key(key)}", value)]
        elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            for item in value:
                nested += ["", *_table(f"{header}.{_key(key)}", item, array=True)]
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    return lines + nested


def _key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string (ASCII, `\uXXXX` escapes) is a TOML basic string.
    return json.dumps(str(value))


def append_block(path: Path, block: str, check: Callable[[], None]) -> Callable[[], None]:
    """Append `block` to the settings file, then `check()` that it loads; restore the file when it does not.

    Returns what puts the file back as it was (for a later step that fails).
    """
    original = path.read_bytes()

    def restore() -> None:
        _replace(path, original)

    text = original.decode()
    separator = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
    _replace(path, (text + separator + block).encode())
    try:
        check()
    except BaseException:
        restore()
        raise
    return restore


def _replace(path: Path, content: bytes) -> None:
    """Write the whole file at once (a reader never sees half of it), keeping its mode."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Credentials:
    """What a new tenant's app needs from Tollgate, in plain text: shown once, stored hashed or in Vault."""

    service_key: str
    admin_key: str
    jwt_secret: str
    notification_secret: str

    @classmethod
    def new(cls, slug: str) -> Credentials:
        return cls(
            # Hex: a key is one word to double-click, grep or match with `\w+`.
            service_key=f"tg_{slug}_service_{secrets.token_hex(32)}",
            admin_key=f"tg_{slug}_admin_{secrets.token_hex(32)}",
            jwt_secret=secrets.token_urlsafe(48),
            notification_secret="whsec_" + base64.b64encode(secrets.token_bytes(32)).decode(),
        )

    def document(
        self, slug: str, stripe_secret_key: str | None, kept: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The tenant's secrets document: these credentials (keys hashed), over what `kept` had of Stripe's."""
        document = {key: value for key, value in (kept or {}).items() if key in KEPT_ON_FORCE}
        if stripe_secret_key:
            document["stripe_secret_key"] = stripe_secret_key
        return {
            **document,
            "api_keys": [
                {"name": f"{slug}-service", "hash": hash_api_key(self.service_key), "scopes": ["service"]},
                {"name": f"{slug}-admin", "hash": hash_api_key(self.admin_key), "scopes": ["service", "admin"]},
            ],
            "jwt_secret": self.jwt_secret,
            "notification_secret": self.notification_secret,
        }


def stripe_key_problem(key: str) -> str | None:
    """Why `key` is not a Stripe secret key, or None."""
    if key.startswith(STRIPE_SECRET_KEY_PREFIXES):
        return None
    return f"not a Stripe secret key ({', '.join(prefix + '...' for prefix in STRIPE_SECRET_KEY_PREFIXES)})"
