"""The money audit: each tenant's payments, refunds and disputes in Stripe matched against the credits
Tollgate granted and took back, with every unexplained difference reported (and, when a missing event
explains it, repaired through the inbox)."""
