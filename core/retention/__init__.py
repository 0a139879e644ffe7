"""Retention: what Tollgate stops keeping, and when (docs/privacy.md#retention).

Each tenant's policy (`[retention]`, `tenants.<slug>.retention`) is applied daily, and by
`tollgate retention run`, in short batches: Stripe event bodies dropped, delivered notifications,
old audit records and closed holds deleted. Nothing an invariant of the ledger or the audit chain
needs is ever touched.
"""
