"""Accounts, roles, sessions and API tokens."""
