"""Test support: real services (PostgreSQL, Redis, OpenBao), test tenants and their credentials."""
