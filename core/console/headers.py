"""The security headers of every console response: a Content-Security-Policy that allows the console's own
stylesheet and forms and nothing else (no script at all, no frame, no other origin), and the headers that
keep its pages out of frames, its URLs out of other sites' logs and its files from being sniffed."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# The console has no script, no font and no image file; its charts are inline SVG in the page.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
NAMES = {name for name, _ in HEADERS}


def security_headers(app: ASGIApp) -> ASGIApp:
    """ASGI middleware of the console's router: adds `HEADERS` to each response, refused pages included."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in NAMES]
                message["headers"] = [*kept, *HEADERS]
            await send(message)

        await app(scope, receive, with_headers if scope["type"] == ScopeType.HTTP else send)

    return middleware
