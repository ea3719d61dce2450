"""The one syntax rule for UUIDs (display uuids, command ids): 8-4-4-4-12 hex digits, compared lower case.

Every place that checks a uuid — MQTT topics and payloads, command ACKs, screenshot URLs, use cases —
asks here; a use case that needs one raises `ValidationError("input.invalid_uuid")`.
"""

from __future__ import annotations

import re

from app.domain.errors import ValidationError

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(value: object) -> bool:
    """True for a string in the canonical hyphenated form (either case), nothing else."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


def canonical_uuid(value: object) -> str | None:
    """The lower-case form of a valid uuid, None for anything else."""
    return value.lower() if is_uuid(value) else None  # type: ignore[union-attr]


def require_uuid(value: object, *, field: str = "uuid") -> str:
    """The lower-case form of a valid uuid; `ValidationError("input.invalid_uuid")` otherwise."""
    canonical = canonical_uuid(value)
    if canonical is None:
        raise ValidationError("input.invalid_uuid", field=field)
    return canonical
