"""Customers: the tenant app's own users, mirrored to a Stripe customer created lazily."""
