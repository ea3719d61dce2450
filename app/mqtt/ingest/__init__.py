"""The ingest pipeline: display → broker → validation → batched writes → domain events."""
