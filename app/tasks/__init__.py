"""Dramatiq actors (conversions, sweeps, retention). They call domain services and stay thin."""
