"""The credit ledger: grants, an append-only entry log, spends, holds, expiry and clawbacks.

Every plugin grants into it and every tenant app spends from it. The public API other plugins
call is `core.ledger.services.Ledger(session, tenant)`; the model, invariants and policies are
described in `docs/ledger.md`. Unlimited plans: a plugin marks the customer's account unlimited
with `Ledger.set_unlimited(customer, until=...)`; spends and holds on such an account record the
usage (a zero-amount entry with `requested` set) without consuming credits.
"""
