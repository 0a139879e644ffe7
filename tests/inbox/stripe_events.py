"""Stripe events for the inbox tests: today's object shapes (Stripe's fixtures), signed like Stripe signs them."""

from __future__ import annotations

import copy
import functools
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from stripe_emulator.delivery import signature_header
from tests.support.tenants import WEBHOOK_SECRETS

FIXTURES = Path("/work/shared/stripe/fixtures3.json")


@functools.cache
def _resources() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]  # type: ignore[no-any-return]


def stripe_object(kind: str, **fields: Any) -> dict[str, Any]:
    """Stripe's example object of `kind`, with a fresh id and `fields` on top."""
    obj = copy.deepcopy(_resources()[kind])
    prefix = str(obj.get("id", "obj_x")).split("_")[0]
    obj["id"] = f"{prefix}_{uuid.uuid4().hex[:20]}"
    obj.update(fields)
    return obj


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def invoice_paid(amount: int = 500, *, customer: str | None = None, pause_ms: int = 0, **kwargs: Any) -> dict[str, Any]:
    metadata = {"pause_ms": str(pause_ms)} if pause_ms else {}
    if customer:
        metadata["customer"] = customer
    return event(
        "invoice.paid", stripe_object("invoice", amount_paid=amount, status="paid", metadata=metadata), **kwargs
    )


def subscription_updated(subscription_id: str, status: str, created: int) -> dict[str, Any]:
    obj = stripe_object("subscription", status=status)
    obj["id"] = subscription_id
    return event("customer.subscription.updated", obj, created=created)


def signed(
    body: bytes, tenant: str = "alpha", *, secrets: list[str] | None = None, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Stripe sends with `body` (one v1 signature per secret, as during a roll)."""
    ts = int(time.time()) if timestamp is None else timestamp
    header = signature_header(body, secrets or [WEBHOOK_SECRETS[tenant]], ts)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}


def encode(evt: dict[str, Any]) -> bytes:
    return json.dumps(evt, separators=(",", ":")).encode()


async def deliver(http: httpx.AsyncClient, evt: dict[str, Any], tenant: str = "alpha", **sign: Any) -> httpx.Response:
    body = encode(evt)
    return await http.post(f"/t/{tenant}/webhooks/stripe", content=body, headers=signed(body, tenant, **sign))
