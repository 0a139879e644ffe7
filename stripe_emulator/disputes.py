"""Disputes: opened and decided by test helpers (as a card network would), read via the API."""

from __future__ import annotations

from .errors import invalid_request, state_error
from .expansion import respond, respond_list
from .routing import ApiRequest, Route
from .store import Account, JsonObj, new_id

REASONS = (
    "bank_cannot_process", "check_returned", "credit_not_processed", "customer_initiated",
    "debit_not_authorized", "duplicate", "fraudulent", "general", "incorrect_account_details",
    "insufficient_funds", "product_not_received", "product_unacceptable",
    "subscription_canceled", "unrecognized",
)

_EVIDENCE_FIELDS = (
    "access_activity_log", "billing_address", "cancellation_policy",
    "cancellation_policy_disclosure", "cancellation_rebuttal", "customer_communication",
    "customer_email_address", "customer_name", "customer_purchase_ip", "customer_signature",
    "duplicate_charge_documentation", "duplicate_charge_explanation", "duplicate_charge_id",
    "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation",
    "shipping_address", "shipping_carrier", "shipping_date", "shipping_documentation",
    "shipping_tracking_number", "uncategorized_file", "uncategorized_text",
)


def open_dispute(
    account: Account, charge: JsonObj, *, reason: str = "fraudulent", amount: int | None = None
) -> JsonObj:
    if reason not in REASONS:
        raise invalid_request(f"Invalid reason: must be one of {', '.join(REASONS)}",
                              param="reason")
    if charge["status"] != "succeeded":
        raise state_error(f"Charge {charge['id']} has not succeeded; it cannot be disputed.")
    if charge["disputed"]:
        raise state_error(f"Charge {charge['id']} is already disputed.")
    disputable = charge["amount"] - charge["amount_refunded"]
    amount = disputable if amount is None else amount
    if not 0 < amount <= disputable:
        raise invalid_request(
            f"The dispute amount must be between 1 and {disputable}.", param="amount"
        )
    now = account.now()
    card = charge["payment_method_details"]["card"]
    dispute: JsonObj = {
        "amount": amount,
        "balance_transactions": [],
        "charge": charge["id"],
        "created": now,
        "currency": charge["currency"],
        "evidence": {**dict.fromkeys(_EVIDENCE_FIELDS), "enhanced_evidence": {}},
        "evidence_details": {
            "due_by": now + 7 * 86400,
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "enhanced_eligibility": {},
        },
        "id": new_id("dp_"),
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "object": "dispute",
        "payment_intent": charge["payment_intent"],
        "payment_method_details": {
            "card": {
                "brand": card["brand"],
                "case_type": "chargeback",
                "network_reason_code": "10.4" if reason == "fraudulent" else "13.1",
                "network": card["network"],
            },
            "type": "card",
        },
        "reason": reason,
        "status": "needs_response",
        "enhanced_eligibility_types": [],
    }
    account.insert(dispute)
    before = account.snapshot(charge)
    charge["disputed"] = True
    account.emit_updated("charge.updated", charge, before)
    account.emit("charge.dispute.created", dispute)
    account.emit("charge.dispute.funds_withdrawn", dispute)
    return dispute


def close_dispute(account: Account, dispute: JsonObj, outcome: str) -> JsonObj:
    if outcome not in ("won", "lost"):
        raise invalid_request("outcome must be 'won' or 'lost'", param="outcome")
    if dispute["status"] in ("won", "lost"):
        raise state_error(f"Dispute {dispute['id']} is already closed ({dispute['status']}).")
    dispute["status"] = outcome
    dispute["evidence_details"]["due_by"] = None
    account.emit("charge.dispute.closed", dispute)
    if outcome == "won":
        account.emit("charge.dispute.funds_reinstated", dispute)
    return dispute


def api_retrieve_dispute(req: ApiRequest) -> JsonObj:
    return respond(req, req.account.get("dispute", req.arg("id")))


def api_list_disputes(req: ApiRequest) -> JsonObj:
    charge = req.params.str("charge")
    intent = req.params.str("payment_intent")
    items = [
        d
        for d in req.account.all("dispute")
        if (charge is None or d["charge"] == charge)
        and (intent is None or d["payment_intent"] == intent)
    ]
    return respond_list(req, items, "/v1/disputes")


def api_update_dispute(req: ApiRequest) -> JsonObj:
    account = req.account
    dispute = account.get("dispute", req.arg("id"))
    before = account.snapshot(dispute)
    metadata = req.params.metadata(existing=dispute["metadata"])
    if metadata is not None:
        dispute["metadata"] = metadata
    evidence = req.params.dict("evidence")
    if evidence is not None:
        for key, value in evidence.raw.items():
            if key in dispute["evidence"] and isinstance(value, str):
                dispute["evidence"][key] = value or None
        dispute["evidence_details"]["has_evidence"] = True
    if req.params.bool("submit"):
        dispute["status"] = "under_review"
        dispute["evidence_details"]["submission_count"] += 1
    account.emit_updated("charge.dispute.updated", dispute, before)
    return respond(req, dispute)


def api_close_dispute(req: ApiRequest) -> JsonObj:
    """`POST /v1/disputes/{id}/close`: the merchant accepts the loss."""
    dispute = req.account.get("dispute", req.arg("id"))
    return respond(req, close_dispute(req.account, dispute, "lost"))


ROUTES = [
    Route("GET", "/v1/disputes", api_list_disputes, "DisputeListParams"),
    Route("GET", "/v1/disputes/{id}", api_retrieve_dispute, "DisputeRetrieveParams"),
    Route("POST", "/v1/disputes/{id}", api_update_dispute, "DisputeUpdateParams"),
    Route("POST", "/v1/disputes/{id}/close", api_close_dispute, "DisputeCloseParams"),
]
