"""Console sessions: a signed, expiring cookie naming who signed in, and the CSRF token of its forms.

The cookie holds no key: only the tenant (or the operator), the key's name and the start of its stored
SHA-256, an expiry and a random CSRF token, signed with HMAC-SHA256. Every request checks the signature,
the expiry and that the key still exists, so removing a key from the secrets ends its sessions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import msgspec

COOKIE = "tollgate_console"
CSRF_FIELD = "csrf_token"
# The session's principal for the deployment operator key: every tenant, and the deployment view.
OPERATOR = "*"


class Session(msgspec.Struct, frozen=True):
    """Who is signed in: `tenant` is a slug, or `*` for the operator key."""

    tenant: str
    key_name: str
    key_id: str
    expires: int
    csrf: str

    @property
    def operator(self) -> bool:
        return self.tenant == OPERATOR

    def may_read(self, slug: str) -> bool:
        return self.operator or self.tenant == slug

    @property
    def principal(self) -> str:
        """The audit trail's principal for what this session does: `console:<key name>`."""
        return f"console:{self.key_name or ('operator' if self.operator else 'admin')}"


def new_session(tenant: str, key_name: str, key_hash: str, lifetime_seconds: int) -> Session:
    return Session(
        tenant=tenant,
        key_name=key_name,
        key_id=key_hash.lower()[:16],
        expires=int(time.time()) + lifetime_seconds,
        csrf=secrets.token_urlsafe(24),
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs sessions into cookie values and reads them back; anything tampered, foreign or expired is None."""

    def __init__(self, secret: str | None) -> None:
        # Unset: a random key for this process (the embedded default; docs/console.md says what that means).
        self._key = hashlib.sha256((secret or secrets.token_hex(32)).encode()).digest()

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def dump(self, session: Session) -> str:
        payload = _b64(msgspec.json.encode(session))
        return f"{payload}.{self._mac(payload)}"

    def load(self, value: str | None, now: float | None = None) -> Session | None:
        if not value or value.count(".") != 1:
            return None
        payload, mac = value.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            session = msgspec.json.decode(_unb64(payload), type=Session)
        except (msgspec.DecodeError, ValueError):
            return None
        return session if session.expires > (time.time() if now is None else now) else None


def csrf_ok(session: Session, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf, presented or "")
