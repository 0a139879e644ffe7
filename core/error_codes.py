"""Every error code a client can see, with its HTTP status and a one-line meaning: one registry.

The kernel's codes are listed here; a plugin registers its own through `tollgate_error_codes`
(core/hookspecs.py), and the runtime holds the union (`Runtime.error_codes`). A raised
`TollgateError` answers with its code's status from that registry, and the OpenAPI document
(core/openapi.py) lists each code under the statuses of the routes that can answer it.
`tests/core/test_error_codes.py` fails when a code raised anywhere is not registered, or a
registered one is never raised.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

KERNEL: Final = "core"


@dataclass(frozen=True)
class ErrorCode:
    status: int
    meaning: str


def _codes(status: int, meanings: Mapping[str, str]) -> dict[str, ErrorCode]:
    return {code: ErrorCode(status, meaning) for code, meaning in meanings.items()}


# The kernel's codes: the error classes' defaults, the framework's answers, the guards, core/ and tenants/.
KERNEL_ERROR_CODES: Final[Mapping[str, ErrorCode]] = {
    **_codes(
        400,
        {
            "bad_request": "The request is not valid.",
            "validation_error": "A field, query or header parameter has the wrong type or value; `detail` names each.",
            "invalid_json": "The body is not JSON, is empty where a body is needed, or is nested too deep or too wide.",
            "invalid_cursor": "The list cursor is not one this API handed out.",
            "invalid_customer_id": "A customer id is 1-255 characters of letters, digits and _.:@|+-.",
            "invalid_idempotency_key": "An Idempotency-Key is 1-255 printable ASCII characters without spaces.",
            "invalid_amount": "An amount of credits must be a whole number above zero.",
            "invalid_source": "A grant's `source` or `source_ref` is malformed.",
            "invalid_priority": "A grant's `priority` is outside 0-100.",
            "invalid_expires_at": "`expires_at` is not a future time with a time zone.",
            "invalid_hold_ttl": "A hold's `ttl_seconds` is out of range.",
            "capture_exceeds_hold": "A capture asks for more credits than the hold holds.",
            "refund_exceeds_spend": "A refund asks for more credits than are left of the spend.",
            "invalid_window": "`since` is not before `until`.",
            "invalid_promotion_code": "No active promotion code by this name.",
            "promotion_code_not_applicable": "The promotion code does not apply to this purchase.",
            "invalid_event": "The body is not a Stripe event.",
            "missing_signature": "The Stripe-Signature header is missing.",
            "invalid_signature": "The Stripe signature does not match any of the tenant's webhook secrets.",
            "http_error": "A refusal by the HTTP framework with no code of its own; the HTTP status says which.",
        },
    ),
    **_codes(
        401,
        {
            "unauthorized": "No credential: send `Authorization: Bearer <key or token>`.",
            "invalid_api_key": "The API key is not one of this tenant's.",
            "invalid_token": "The end-user token is not valid (signature, claims, or a lifetime longer than allowed).",
            "token_expired": "The end-user token has expired.",
        },
    ),
    **_codes(
        402,
        {
            "payment_required": "Payment is required.",
            "insufficient_credits": "The customer has fewer credits than the operation needs.",
            "card_declined": "The saved card was declined; `detail.decline_code` is Stripe's decline code.",
            "requires_action": "The card issuer wants the customer present (3-D Secure): pay on-session.",
        },
    ),
    **_codes(
        403,
        {
            "forbidden": "The caller may not do this.",
            "insufficient_scope": "The route does not admit this kind of caller (service, admin or end-user).",
        },
    ),
    **_codes(
        404,
        {
            "not_found": "No such route or resource.",
            "tenant_not_found": "No tenant by this slug on this deployment.",
            "customer_not_found": "No such customer (or not the end-user token's own).",
            "plugin_not_enabled": "The route's plugin is not enabled for this tenant.",
            "grant_not_found": "No grant with this source and reference.",
            "hold_not_found": "No such hold for this customer.",
            "payment_method_not_found": "The customer has no saved payment method by this id.",
            "entry_not_found": "No such spend for this customer.",
            "notification_not_found": "No such notification for this tenant.",
            "webhook_event_not_found": "No such Stripe event for this tenant.",
            "money_audit_run_not_found": "No such money audit run for this tenant.",
        },
    ),
    **_codes(405, {"method_not_allowed": "The route does not take this HTTP method."}),
    **_codes(
        409,
        {
            "conflict": "The request conflicts with the resource's state.",
            "idempotency_key_reused": "The Idempotency-Key (or reference) was already used with a different request.",
            "grant_source_conflict": "A grant with this source and reference exists for another customer.",
            "hold_expired": "The hold expired and its credits were released.",
            "hold_already_captured": "The hold was already captured.",
            "hold_already_released": "The hold was already released.",
            "notification_in_progress": "The notification is being delivered right now; try again when it settles.",
            "webhook_event_in_progress": "The Stripe event is being processed right now; try again when it settles.",
            "payload_pruned": "Retention dropped the Stripe event's body: it cannot be processed again.",
            "stripe_backfill_in_progress": "A backfill of the tenant's Stripe events is running; try again later.",
        },
    ),
    **_codes(413, {"payload_too_large": "The request body is larger than allowed (1 MiB)."}),
    **_codes(415, {"unsupported_media_type": "The body is not sent as `application/json`."}),
    **_codes(422, {"unprocessable": "The request is well formed but cannot be carried out."}),
    **_codes(429, {"rate_limited": "Too many requests; retry after `Retry-After` seconds."}),
    **_codes(500, {"internal_error": "Something went wrong on Tollgate's side (the log has the details)."}),
    **_codes(
        502,
        {
            "upstream_error": "An upstream service failed after retries.",
            "stripe_error": "Stripe failed or refused the call after retries; try again.",
        },
    ),
    **_codes(
        503,
        {
            "service_unavailable": "The service cannot answer right now; retry after `Retry-After` seconds.",
            "database_unavailable": "The database cannot be reached right now; retry after `Retry-After` seconds.",
            "secrets_unavailable": "The tenant's secrets cannot be read right now; retry after `Retry-After` seconds.",
            "shutting_down": "This server is shutting down; retry (another process will answer).",
            "inbox_unavailable": "The Stripe event could not be stored; Stripe retries it.",
        },
    ),
}


class ErrorCodes:
    """The deployment's error codes: the kernel's and every plugin's, each with the one status it answers."""

    def __init__(self) -> None:
        self._codes: dict[str, ErrorCode] = dict(KERNEL_ERROR_CODES)
        self._owners: dict[str, set[str]] = {code: {KERNEL} for code in KERNEL_ERROR_CODES}

    def register(self, owner: str, codes: Mapping[str, ErrorCode]) -> None:
        """Add `owner`'s codes; a code may be registered again only with the same status."""
        for code, entry in codes.items():
            known = self._codes.get(code)
            if known is not None and known.status != entry.status:
                raise ValueError(
                    f"error code {code!r} from {owner!r} answers {entry.status}, "
                    f"but {sorted(self._owners[code])} registered it with {known.status}"
                )
            self._codes.setdefault(code, entry)
            self._owners.setdefault(code, set()).add(owner)

    def __getitem__(self, code: str) -> ErrorCode:
        return self._codes[code]

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def owners(self, code: str) -> frozenset[str]:
        """Who registered `code`: `core` for the kernel, else the plugins' names."""
        return frozenset(self._owners.get(code, ()))

    def status(self, code: str, fallback: str) -> int:
        """The status `code` answers; an unregistered code answers its error class's (`fallback`)."""
        entry = self._codes.get(code) or self._codes[fallback]
        return entry.status
