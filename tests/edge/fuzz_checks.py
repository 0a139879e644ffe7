"""Schemathesis' extra checks for the fuzz run (tests/edge/test_fuzz.py), loaded as its hooks module.

`REFUSALS` lists, per operation, the refusals a schema-valid request may still get, because the rule
behind them depends on the tenant's configuration or on server state, which a document read by every
tenant cannot say. The fuzz test gives their statuses to `positive_data_acceptance`; the check here
holds each such answer to the codes named, so a schema-valid request refused `validation_error` (a
static rule missing from the document) still fails the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case
from schemathesis.core.transport import Response

CURSOR = "a cursor the list never handed out"
# operation id -> status -> (codes, why a schema-valid request can get them)
REFUSALS: dict[str, dict[int, tuple[tuple[str, ...], str]]] = {
    "list_orders": {400: (("invalid_cursor",), CURSOR)},
    "list_payment_methods": {400: (("invalid_cursor",), CURSOR)},
    "list_ledger_entries": {400: (("invalid_cursor",), CURSOR)},
    "list_customer_invoices": {400: (("invalid_cursor",), CURSOR)},
    "list_customer_payments": {400: (("invalid_cursor",), CURSOR)},
    "list_sync_runs": {400: (("invalid_cursor",), CURSOR)},
    "list_webhook_events": {400: (("invalid_cursor",), CURSOR)},
    "list_notifications": {400: (("invalid_cursor",), CURSOR)},
    "list_money_audits": {400: (("invalid_cursor",), CURSOR)},
    "list_audit_records": {
        400: (("invalid_cursor", "invalid_window"), CURSOR + "; `since` not before `until`: two parameters compared")
    },
    "run_money_audit": {
        400: (
            ("invalid_window", "validation_error"),
            "`since` not before `until`: two fields compared; a date outside 2000-2200 (core/input.py), which a "
            "`date-time` format cannot say",
        )
    },
    "run_stripe_backfill": {
        400: (
            ("validation_error",),
            "a `since` outside 2000-2200 (core/input.py), which a `date-time` format cannot say",
        )
    },
    "get_admin_figures": {400: (("invalid_window",), "`since` not before `until`: two parameters compared")},
    "get_admin_metrics": {
        400: (
            ("invalid_window", "validation_error"),
            "`since` not before `until`, or more buckets than allowed: parameters compared; a date outside "
            "2000-2200 (core/input.py), which a `date-time` format cannot say",
        )
    },
    "list_packages": {400: (("unsupported_currency",), "a currency the tenant sells no package in")},
    "create_order": {
        400: (
            (
                "unknown_package",
                "currency_required",
                "unsupported_currency",
                "invalid_promotion_code",
                "promotion_code_not_applicable",
                "saved_card_not_supported",
                "success_url_required",
            ),
            "a package, currency or promotion code the tenant does not sell; a saved card for a recurring pack or "
            "with a promotion code; Checkout without a `success_url` (two fields compared)",
        )
    },
    "create_checkout_session": {
        400: (
            ("unknown_tier", "tier_not_for_sale", "price_not_configured", "invalid_promotion_code"),
            "a tier, interval, currency or promotion code the tenant does not sell",
        )
    },
    "create_subscription": {
        400: (
            ("unknown_tier", "tier_not_for_sale", "price_not_configured", "invalid_promotion_code"),
            "a tier, interval, currency or promotion code the tenant does not sell",
        )
    },
    "preview_subscription_change": {
        400: (
            ("unknown_tier", "tier_not_for_sale", "price_not_configured", "plan_unchanged"),
            "a tier or price the tenant does not sell, or the plan the customer is already on",
        )
    },
    "change_subscription": {
        400: (
            ("unknown_tier", "tier_not_for_sale", "price_not_configured", "one_change_at_a_time"),
            "a tier or price the tenant does not sell, or a change already pending",
        ),
        402: (("payment_pending",), "the customer's last invoice is unpaid (server state)"),
    },
    "create_credit_purchase": {
        400: (
            (
                "invalid_purchase",
                "credits_out_of_range",
                "quantity_out_of_range",
                "currency_required",
                "currency_mismatch",
                "unsupported_currency",
                "unknown_price",
                "price_without_credits",
            ),
            "credits, quantity, currency or price outside the tenant's payg block or synced catalog",
        )
    },
    "capture_hold": {
        400: (("capture_exceeds_hold",), "more credits than the hold took (server state)"),
    },
    "grant_credits": {400: (("invalid_expires_at",), "an `expires_at` already past: the rule reads the clock")},
    "create_hold": {402: (("insufficient_credits",), "more credits than the customer has (server state)")},
    "spend_credits": {402: (("insufficient_credits",), "more credits than the customer has (server state)")},
    "refund_order": {400: (("amount_exceeds_refundable",), "more than the order's refundable amount (server state)")},
    "receive_stripe_event": {
        400: (
            ("missing_signature", "invalid_signature", "invalid_event"),
            "only Stripe can sign an event with the tenant's webhook secret",
        )
    },
}


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    """No body with a whole-number float (`57.0`): JSON Schema counts it an integer, Tollgate refuses it.

    Credits and amounts are integers on the wire, and a float is refused (400 `validation_error`) rather
    than rounded; a document cannot say so, since `type: integer` admits 57.0.
    """
    return not has_integral_float(body)


def has_integral_float(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(has_integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(has_integral_float(v) for v in value)
    return False


def is_positive(case: Case) -> bool:
    """Every part of the request was generated valid (a case's mode alone can be positive around a negative part)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return False
    return all(info.mode.is_positive for info in meta.components.values())


def operation_id(case: Case) -> str:
    return str(case.operation.definition.raw.get("operationId", ""))


def error_code(response: Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


@schemathesis.check
def refusal_of_valid_data_is_an_expected_one(ctx: Any, response: Response, case: Case) -> bool | None:
    """A schema-valid request refused with a status `REFUSALS` allows carries one of the codes listed for it."""
    if not is_positive(case):
        return None
    allowed = REFUSALS.get(operation_id(case), {}).get(response.status_code)
    if allowed is None:
        return None
    code = error_code(response)
    codes, reason = allowed
    if code not in codes:
        raise AssertionError(
            f"Schema-valid request refused {response.status_code} `{code}`; "
            f"only {', '.join(codes)} are expected here ({reason})"
        )
    return None


@schemathesis.check
def error_code_is_documented(ctx: Any, response: Response, case: Case) -> bool | None:
    """An error answer's `error.code` is one the document lists under that status for that operation.

    A 405 answers a method the operation does not have (schemathesis' `unsupported_method` check); a
    path parameter of the wrong type matches no route, whose 404 is the router's.
    """
    if response.status_code < 400 or response.status_code == 405:
        return None
    components = case.meta.components if case.meta is not None else {}
    if any(location.value == "path" and not info.mode.is_positive for location, info in components.items()):
        return None
    code = error_code(response)
    responses = case.operation.definition.raw.get("responses", {})
    documented = responses.get(str(response.status_code), {}).get("content", {}).get("application/json", {})
    examples = documented.get("examples", {})
    if code not in examples:
        raise AssertionError(
            f"{response.status_code} `{code}` is not among the codes documented for it: {', '.join(examples) or 'none'}"
        )
    return None
