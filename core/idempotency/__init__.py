"""Idempotency-Key for routes that move credits or money: one header, one check, one stored answer per key."""
