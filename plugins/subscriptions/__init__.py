"""Tiered subscriptions: plans with monthly credits, Stripe Checkout and portal, plan changes, dunning."""
