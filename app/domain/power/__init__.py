"""TV power intents per room group (Phase 1 contract)."""
