"""A webhook receiver for tests: a tiny HTTP server in a thread that verifies each
delivery with `stripe.Webhook.construct_event`, records it, and answers as told."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import stripe


@dataclass
class Delivery:
    event: dict[str, Any]
    signature: str
    content_type: str
    status: int


@dataclass
class WebhookReceiver:
    secret: str | None = None
    # Decides the HTTP status for each verified delivery (default: 200).
    respond: Callable[[dict[str, Any], int], int] = lambda event, seen: 200
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/t/acme/webhooks/stripe"

    def __enter__(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                payload = self.rfile.read(length)
                signature = self.headers.get("Stripe-Signature", "")
                try:
                    event = stripe.Webhook.construct_event(payload, signature, receiver.secret)
                except (ValueError, stripe.SignatureVerificationError) as exc:
                    receiver.rejected.append(str(exc))
                    self.send_response(400)
                    self.end_headers()
                    return
                data = event.to_dict()
                with receiver._lock:
                    seen = sum(1 for d in receiver.deliveries if d.event["id"] == data["id"])
                    status = receiver.respond(data, seen)
                    receiver.deliveries.append(
                        Delivery(data, signature, self.headers.get("Content-Type", ""), status)
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def accepted(self) -> list[dict[str, Any]]:
        """Events answered 2xx, in arrival order (duplicates included)."""
        with self._lock:
            return [d.event for d in self.deliveries if 200 <= d.status < 300]

    def types(self) -> list[str]:
        return [e["type"] for e in self.accepted()]

    def wait_for(self, predicate: Callable[[WebhookReceiver], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; received {self.types()}")
            time.sleep(0.01)
