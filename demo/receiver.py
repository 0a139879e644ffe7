"""The tenant apps' notification endpoints: one small web app that verifies and counts Tollgate's notices.

Each tenant app gets `POST /<slug>/billing/tollgate`. A notice is accepted only when its Standard
Webhooks signature matches that tenant's `notification_secret`; a `webhook-id` seen before is a
retry and is acknowledged without counting twice, as a real app would do.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, MediaType, Request, Response, post
from standardwebhooks import Webhook

from core import clock

# Standard Webhooks' tolerance for the `webhook-timestamp` of a delivery.
TOLERANCE = dt.timedelta(minutes=5)


def verify(secret: str, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The notice, once its signature and timestamp are good; raises ValueError otherwise.

    `Webhook.verify` would compare the timestamp with the wall clock, but the demo's tenant apps live
    in the platform's clock (`core.clock`), which the demo moves forward a month at a time. So the
    timestamp is checked against that clock and the signature is recomputed by the library.
    """
    msg_id, stamp, signatures = (headers.get(k) for k in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (msg_id and stamp and signatures):
        raise ValueError("missing Standard Webhooks headers")
    sent_at = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    if abs(clock.now() - sent_at) > TOLERANCE:
        raise ValueError("timestamp outside the tolerance")
    expected = Webhook(secret).sign(msg_id, sent_at, body.decode())
    if not any(hmac.compare_digest(expected, given) for given in signatures.split()):
        raise ValueError("no matching signature")
    notice: dict[str, Any] = json.loads(body)
    return notice


@dataclass
class Inbox:
    """What one tenant app received: notices by type, retries it dropped, deliveries it refused."""

    by_type: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    retries: int = 0
    refused: int = 0


class NotificationReceiver:
    """Every tenant app's notification endpoint; `app` is the ASGI app to serve."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = dict(secrets)
        self.inboxes = {slug: Inbox() for slug in secrets}

        @post("/{slug:str}/billing/tollgate", status_code=200, media_type=MediaType.TEXT)
        async def receive(slug: str, request: Request[Any, Any, Any]) -> Response[str]:
            status = self.accept(slug, dict(request.headers), await request.body())
            return Response("ok" if status < 300 else "refused", status_code=status, media_type=MediaType.TEXT)

        self.app = Litestar([receive], openapi_config=None, logging_config=None)

    @staticmethod
    def path(slug: str) -> str:
        return f"/{slug}/billing/tollgate"

    def accept(self, slug: str, headers: Mapping[str, str], body: bytes) -> int:
        if slug not in self.secrets:
            return 404
        inbox = self.inboxes[slug]
        try:
            notice = verify(self.secrets[slug], body, headers)
        except ValueError:
            inbox.refused += 1
            return 401
        if notice["id"] in inbox.seen:
            inbox.retries += 1
            return 200
        inbox.seen.add(notice["id"])
        inbox.by_type[str(notice["type"])] += 1
        return 200
