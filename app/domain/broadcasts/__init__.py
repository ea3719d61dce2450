"""Durchsage (#18): a school-wide or emergency message on every target screen at once, with receipts.

- `models.py`: `broadcasts` and `broadcast_receipts` (migration 0010).
- `rules.py`: the pure rules — severity order, which broadcast wins a group, the wire event, its id.
- `override.py`: the active broadcasts and the per-group override the scheduler, the use cases and the
  preview all apply (one computation).
- `service.py`: the use cases `start_broadcast`, `end_broadcast` (admin+, audited) and the system's
  `sweep_broadcasts` (ends_at expiry, OFFLINE receipts), run by the scheduler tick.
- `delivery.py`: publishing the affected groups' event lists and power intents right after a commit.
- `receipts.py`: PENDING → SHOWN from telemetry (same transaction), OFFLINE, counts and 50/90/100 % times.
- `queries.py`: reads for GraphQL and the dashboard.
"""
