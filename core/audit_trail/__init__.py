"""The audit trail: who changed what, when and from where, append-only and hash-chained per tenant.

Call `audit_trail.record(session, tenant, action, target, before=..., after=...)` from a state-changing
route (or the service it calls) in the request's transaction; see `core/audit_trail/services.py`.
"""

from core.audit_trail.services import customer_target, record

__all__ = ["customer_target", "record"]
