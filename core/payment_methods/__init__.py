"""Saved payment methods: a customer's cards saved through SetupIntents, and off-session charges of them."""
