"""The frozen command JSON Schema (shared/contracts) with a format checker that really checks date-time."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema

# shared/ lies beside the project (CI puts a copy there); the developers' machines also have /work/shared.
_CANDIDATES = [
    Path(__file__).resolve().parents[2].parent / "shared" / "contracts" / "reboot-command-payload-schemas.json",
    Path("/work/shared/contracts/reboot-command-payload-schemas.json"),
]
SCHEMA_PATH = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

format_checker = jsonschema.FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str) or not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _load() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


def _validator(definition: str, *, with_restart_app: bool) -> jsonschema.protocols.Validator:
    schema = copy.deepcopy(_load())
    if with_restart_app:
        # restart_app is emitted by the server (newer payload guide) but predates the frozen enum.
        schema["$defs"]["commandPayloadV1"]["properties"]["action"]["enum"].append("restart_app")
    sub = {**schema["$defs"][definition], "$defs": schema["$defs"]}
    cls = jsonschema.validators.validator_for(schema)
    return cls(sub, format_checker=format_checker)


def validate_command_payload(payload: dict[str, Any]) -> None:
    """Raises jsonschema.ValidationError unless `payload` satisfies commandPayloadV1."""
    _validator("commandPayloadV1", with_restart_app=payload.get("action") == "restart_app").validate(payload)
    assert payload["issued_at"].endswith("Z") and payload["expires_at"].endswith("Z")


def validate_ack_payload(payload: dict[str, Any]) -> None:
    _validator("commandAckPayloadV1", with_restart_app=False).validate(payload)
