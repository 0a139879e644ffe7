"""The tenancy layer: tenants from settings, their secrets, their Stripe clients, and auth."""
