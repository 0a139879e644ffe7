"""The ledger's API: `Ledger(session, tenant)` moves credits, one part per job; plugins and routes
import it and the request checks they share from here."""

from __future__ import annotations

from core.ledger.checks import check_credits, check_idempotency_key, insufficient, request_hash, spend_request
from core.ledger.expiry import Expiry
from core.ledger.grants import ClawbackPolicy, Grants
from core.ledger.holds import Holds
from core.ledger.reads import Reads, entry_schema, grant_schema
from core.ledger.spending import Spending

__all__ = [
    "ClawbackPolicy",
    "Ledger",
    "check_credits",
    "check_idempotency_key",
    "entry_schema",
    "grant_schema",
    "insufficient",
    "request_hash",
    "spend_request",
]


class Ledger(Grants, Reads, Spending, Holds, Expiry):
    """One tenant's credit ledger, inside the caller's transaction; methods flush, the caller commits."""
