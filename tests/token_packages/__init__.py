"""Tests of the token_packages plugin."""
