"""Vorschau: what the scheduler would publish to a group at any instant, from the scheduler's own code."""
