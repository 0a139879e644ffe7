"""One account's in-memory state: objects by id, ids, the account clock, and its events.

Every state change in a resource module ends in `Account.emit`, which records the event
(today's shape) and hands it to the account's webhook queue. Objects are stored in their
API shape; `Account.render` returns a copy with live embedded objects refreshed.
"""

from __future__ import annotations

import copy
import secrets
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import resource_missing

if TYPE_CHECKING:
    from .delivery import DeliveryQueue
    from .faults import FaultPlan

JsonObj = dict[str, Any]

API_VERSION = "2026-10-28.endive"

_ALPHABET = string.ascii_letters + string.digits

# Nouns Stripe uses in "No such <noun>: 'id'" messages.
NOUNS: dict[str, str] = {
    "customer": "customer",
    "product": "product",
    "price": "price",
    "checkout.session": "checkout.session",
    "billing_portal.session": "billing portal session",
    "subscription": "subscription",
    "subscription_item": "subscription item",
    "invoice": "invoice",
    "invoiceitem": "invoiceitem",
    "invoice_payment": "invoice payment",
    "payment_intent": "payment_intent",
    "payment_method": "PaymentMethod",
    "charge": "charge",
    "refund": "refund",
    "dispute": "dispute",
    "coupon": "coupon",
    "promotion_code": "promotion code",
    "discount": "discount",
    "event": "event",
    "webhook_endpoint": "webhook endpoint",
}


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_request_id() -> str:
    return new_id("req_", 14)


@dataclass(frozen=True)
class RequestRef:
    """The `request` member of events: which API call caused the change, if any."""

    id: str | None = None
    idempotency_key: str | None = None


# Set by the app around each API call so events can name their request.
CURRENT_REQUEST: ContextVar[RequestRef | None] = ContextVar("CURRENT_REQUEST", default=None)

# Per object type: refresh embedded objects in a rendered copy (e.g. subscription items'
# prices), so callers always see the current state of things Stripe embeds.
Renderer = Callable[["Account", JsonObj], None]
RENDERERS: dict[str, Renderer] = {}


def renderer(object_type: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[object_type] = fn
        return fn

    return register


@dataclass
class DunningSettings:
    """What happens after failed renewal payments (Stripe's "manage failed payments")."""

    max_attempts: int = 4
    retry_days: int = 3
    final_action: str = "unpaid"  # or "canceled" / "past_due"


@dataclass
class Account:
    """One Stripe account, reached through one API key."""

    api_key: str
    name: str = "Tollgate Emulator"
    id: str = field(default_factory=lambda: new_id("acct_", 16))
    created: int = field(default_factory=lambda: int(time.time()))
    clock_offset: float = 0.0
    country: str = "US"
    default_currency: str = "usd"
    # Where hosted pages (checkout, portal, receipts) live, as last seen in a request.
    base_url: str = ""
    dunning: DunningSettings = field(default_factory=DunningSettings)
    objects: dict[str, JsonObj] = field(default_factory=dict)
    ids_by_type: dict[str, list[str]] = field(default_factory=dict)
    # Internal facts that are not part of the API shape (which card a pm_ behaves as,
    # which invoice a payment intent pays, ...).
    side: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)
    idempotency: dict[str, Any] = field(default_factory=dict)
    faults: FaultPlan | None = None
    deliveries: DeliveryQueue | None = None
    event_sink: Callable[[Account, JsonObj], int] | None = None
    _held: list[JsonObj] | None = None

    # ------------------------------------------------------------ time

    def now(self) -> int:
        return int(time.time() + self.clock_offset)

    def advance_clock_to(self, when: int) -> None:
        """Move the account clock forward to `when`; never backwards."""
        if when > self.now():
            self.clock_offset = when - time.time()

    # ------------------------------------------------------------ objects

    def insert(self, obj: JsonObj) -> JsonObj:
        self.objects[obj["id"]] = obj
        self.ids_by_type.setdefault(obj["object"], []).append(obj["id"])
        return obj

    def find(self, id_: str | None) -> JsonObj | None:
        if not id_:
            return None
        return self.objects.get(id_)

    def get(self, object_type: str, id_: str | None, *, param: str | None = "id") -> JsonObj:
        obj = self.objects.get(id_ or "")
        if obj is None or obj["object"] != object_type:
            raise resource_missing(NOUNS.get(object_type, object_type), id_ or "", param=param)
        return obj

    def all(self, object_type: str) -> list[JsonObj]:
        return [self.objects[i] for i in self.ids_by_type.get(object_type, [])]

    def remove(self, id_: str) -> None:
        obj = self.objects.pop(id_)
        self.ids_by_type[obj["object"]].remove(id_)
        self.deleted[id_] = obj["object"]

    def side_of(self, id_: str) -> dict[str, Any]:
        return self.side.setdefault(id_, {})

    def render(self, obj: JsonObj) -> JsonObj:
        out = copy.deepcopy(obj)
        hook = RENDERERS.get(out.get("object", ""))
        if hook is not None:
            hook(self, out)
        return out

    # ------------------------------------------------------------ events

    def emit(
        self, event_type: str, obj: JsonObj, previous: JsonObj | None = None
    ) -> JsonObj:
        data: JsonObj = {"object": self.render(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        ref = CURRENT_REQUEST.get() or RequestRef()
        event: JsonObj = {
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "id": new_id("evt_"),
            "livemode": False,
            "object": "event",
            "pending_webhooks": 0,
            "request": {"id": ref.id, "idempotency_key": ref.idempotency_key},
            "type": event_type,
        }
        if self._held is not None:
            self._held.append(event)
        else:
            self._publish(event)
        return event

    def _publish(self, event: JsonObj) -> None:
        self.insert(event)
        if self.event_sink is not None:
            event["pending_webhooks"] = self.event_sink(self, event)

    @contextmanager
    def holding_events(self) -> Iterator[list[JsonObj]]:
        """Collect the events emitted inside the block; the caller may reorder the list
        before they are recorded and sent (Stripe announces a new subscription before its
        first invoice even though the subscription's final status depends on it)."""
        outer, self._held = self._held, []
        held = self._held
        try:
            yield held
        finally:
            self._held = outer
            for event in held:
                if outer is not None:
                    outer.append(event)
                else:
                    self._publish(event)

    def snapshot(self, obj: JsonObj) -> JsonObj:
        """The rendered state before a change; pass it to `emit_updated` afterwards."""
        return self.render(obj)

    def emit_updated(self, event_type: str, obj: JsonObj, before: JsonObj) -> JsonObj | None:
        previous = diff_previous(before, self.render(obj))
        if not previous:
            return None
        return self.emit(event_type, obj, previous)

    def reset(self) -> None:
        self.objects.clear()
        self.ids_by_type.clear()
        self.side.clear()
        self.deleted.clear()
        self.idempotency.clear()
        self.clock_offset = 0.0


def diff_previous(before: JsonObj, after: JsonObj) -> JsonObj:
    """Stripe's `previous_attributes`: old values of what changed, nested dicts narrowed
    to their changed keys (a key that did not exist before shows as null)."""
    out: JsonObj = {}
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            out[key] = diff_previous(old, new)
        else:
            out[key] = old
    return out
