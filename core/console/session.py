"""Console sessions: a signed, expiring cookie naming who signed in, and the CSRF token of its forms.

The cookie holds no key: only the tenant (or the operator), the key's name and the start of its stored
SHA-256, an expiry and a random CSRF token, signed by itsdangerous. Every request checks the signature,
the expiry and that the key still exists, so removing a key from the secrets ends its sessions.
"""

from __future__ import annotations

import hmac
import secrets
import time

import msgspec
from itsdangerous import BadSignature, URLSafeSerializer

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


class Signer:
    """Signs sessions into cookie values (itsdangerous, HMAC-SHA1 over a derived key) and reads them back;
    anything tampered, foreign or expired is None."""

    SALT = "tollgate.console.session"

    def __init__(self, secret: str | None) -> None:
        # Unset: a random key for this process (the embedded default; docs/console.md says what that means).
        self._serializer = URLSafeSerializer(secret or secrets.token_hex(32), salt=self.SALT)

    def dump(self, session: Session) -> str:
        return self._serializer.dumps(msgspec.to_builtins(session))

    def load(self, value: str | None, now: float | None = None) -> Session | None:
        if not value:
            return None
        try:
            session = msgspec.convert(self._serializer.loads(value), type=Session)
        except (BadSignature, msgspec.ValidationError):
            return None
        return session if session.expires > (time.time() if now is None else now) else None


def csrf_ok(session: Session, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf, presented or "")
