"""The Stripe webhook inbox: verified events stored per tenant, processed by workers, replayable."""
