"""`Idempotency-Key` is declared on exactly the routes that honour it, and every route moving credits or money does.

The header has one declaration (`core.deps.IdempotencyKey`): a handler can only read it by taking that
parameter, and Litestar writes the parameter into the document. These tests hold the document to
the handlers, and the handlers to the list of routes that move credits or money (a new mutating
route must be put in one list or the other).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from core.idempotency.keys import DESCRIPTION, HEADER, PATTERN

ROOT = Path(__file__).resolve().parents[2]
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Operations that move credits or money (or start a payment): each takes an Idempotency-Key.
MOVES_CREDITS_OR_MONEY = {
    "spend_credits",
    "create_hold",
    "capture_hold",
    "release_hold",
    "grant_credits",
    "claw_back_credits",
    "create_order",
    "refund_order",
    "create_credit_purchase",
    "create_setup_intent",
    "create_checkout_session",
    "create_subscription",
    "change_subscription",
    "cancel_subscription",
    "erase_customer",
}
# Mutating operations that move neither: why each may go without a key.
MOVES_NOTHING = {
    "upsert_customer": "a PUT: the same body sets the same record",
    "create_portal_session": "a Stripe portal link; payments in it are Stripe's",
    "set_default_payment_method": "sets the same default card again",
    "detach_payment_method": "a card detached stays detached (a repeat is 404 `payment_method_not_found`)",
    "reconcile_subscriptions": "queues a comparison with Stripe; repeats converge",
    "sync_catalog": "queues a catalog sync; repeats converge",
    "replay_webhook_event": "an operator re-runs a handler that is idempotent on the event",
    "run_stripe_backfill": "stores the Stripe events the inbox lacks, each once (the inbox's key); repeats converge",
    "run_money_audit": "compares with Stripe; its repair stores Stripe's own events, each once (the inbox's key)",
    "replay_notification": "an operator re-sends a notice; apps drop a webhook-id already handled",
    "receive_stripe_event": "Stripe's delivery, idempotent on the event's id (the inbox)",
}


def mutating_handlers(app: Litestar) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods & MUTATING and handler.include_in_schema:
                found[str(handler.operation_id)] = handler
    return found


def header_of(operation: dict[str, Any]) -> dict[str, Any] | None:
    headers = [p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == HEADER]
    return headers[0] if headers else None


def test_the_document_declares_the_header_on_exactly_the_handlers_that_take_it(
    app: Litestar, document: dict[str, Any]
) -> None:
    handlers = mutating_handlers(app)
    operations = {
        op["operationId"]: op
        for item in document["paths"].values()
        for method, op in item.items()
        if method.upper() in MUTATING
    }
    assert set(operations) == set(handlers)
    for operation_id, handler in handlers.items():
        takes = "idempotency_key" in handler.parsed_fn_signature.parameters
        declared = header_of(operations[operation_id])
        assert takes == (declared is not None), operation_id
        if declared is not None:
            assert declared["description"] == DESCRIPTION
            # The pattern sits in the string branch of the optional header's `oneOf`, where generators read it.
            strings = [b for b in declared["schema"]["oneOf"] if b.get("type") == "string"]
            assert [b.get("pattern") for b in strings] == [PATTERN]
            assert declared.get("required", False) is False
            codes = operations[operation_id]["responses"]
            assert "idempotency_key_reused" in codes["409"]["content"]["application/json"]["examples"]
            assert "invalid_idempotency_key" in codes["400"]["content"]["application/json"]["examples"]


def test_every_route_that_moves_credits_or_money_takes_the_key(app: Litestar) -> None:
    handlers = mutating_handlers(app)
    unlisted = set(handlers) - MOVES_CREDITS_OR_MONEY - set(MOVES_NOTHING)
    assert not unlisted, f"put each in MOVES_CREDITS_OR_MONEY (and take the key) or MOVES_NOTHING: {unlisted}"
    missing = {o for o in MOVES_CREDITS_OR_MONEY if "idempotency_key" not in handlers[o].parsed_fn_signature.parameters}
    assert not missing
    extra = {o for o in MOVES_NOTHING if "idempotency_key" in handlers[o].parsed_fn_signature.parameters}
    assert not extra, "a route that moves nothing declares a key it has no effect to bind"


def test_no_code_reads_the_header_but_through_its_declaration() -> None:
    readers = [
        path.relative_to(ROOT)
        for folder in ("core", "plugins", "tenants")
        for path in (ROOT / folder).rglob("*.py")
        if 'Idempotency-Key"' in path.read_text() or 'idempotency-key"' in path.read_text().lower()
    ]
    assert [str(p) for p in readers] == ["core/idempotency/keys.py"]
