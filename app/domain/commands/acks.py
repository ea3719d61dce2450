"""Applying a display's command ACK (`infoscreen/{uuid}/commands/ack` and the compat `/command/ack`).

`apply_ack` validates the payload against the `commandAckPayloadV1` semantics and moves the command
forward; anything it cannot or must not apply is ignored with a logged reason (never an exception):

- not JSON / not an object, `command_id` not a UUID, unknown `status` → invalid, dropped;
- unknown command id, a topic uuid that is not the command's client → ignored;
- a terminal command, a duplicate, or an ACK that would move the command backwards → ignored.

Lenient where the display is merely sloppy: extra keys are ignored, and a `failed` ACK without
`error_code`/`error_message` is still stored (a failure must never be lost) with the code
`unspecified_failure` and a generic message. `error_code`/`error_message` of other ACKs overwrite the
stored values only when they are not null (§4.8). Over-long values are truncated to the columns.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.clock import utcnow
from app.domain.commands.lifecycle import ACK_STATUS_MAP, TransitionSource, ack_refusal
from app.domain.commands.transitions import CommandChange, EventPublisher, lock_command, move, system_deps
from app.domain.db import Database
from app.domain.db_errors import RETRY_DELAYS, is_connection_error
from app.domain.enums import CommandStatus
from app.domain.usecase import unit_of_work
from app.domain.uuids import is_uuid

log = logging.getLogger(__name__)

UNSPECIFIED_FAILURE_CODE = "unspecified_failure"
UNSPECIFIED_FAILURE_MESSAGE = "Display reported a failure without details."


@dataclass(frozen=True, slots=True)
class AckOutcome:
    applied: bool
    reason: str
    command_id: str | None = None
    client_uuid: str | None = None
    status: str | None = None
    change: CommandChange | None = None


def _ignored(reason: str, topic_uuid: str, command_id: str | None = None, **extra: object) -> AckOutcome:
    details = " ".join(f"{k}={v}" for k, v in extra.items())
    log.info("event=command_ack_ignored reason=%s topic_uuid=%s command_id=%s %s", reason, topic_uuid, command_id,
             details)  # fmt: skip
    return AckOutcome(False, reason, command_id=command_id)


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


async def apply_ack(
    session: AsyncSession, topic_uuid: str, payload: dict[str, Any], *, now: datetime | None = None
) -> AckOutcome:
    """Apply one ACK inside the caller's unit of work (the caller commits and announces the change)."""
    topic_uuid = str(topic_uuid)[:64]
    if not isinstance(payload, dict):
        log.error("Ungueltiges Command-ACK Payload von %s", topic_uuid)
        return _ignored("invalid_payload", topic_uuid)
    command_id = payload.get("command_id")
    if not is_uuid(command_id):
        log.warning("Command-ACK ohne gueltige command_id von %s", topic_uuid)
        return _ignored("invalid_command_id", topic_uuid)
    command_id = str(command_id).lower()
    raw_status = payload.get("status")
    target = ACK_STATUS_MAP.get(str(raw_status).strip().lower()) if isinstance(raw_status, str) else None
    if target is None:
        log.warning("Unbekannter Command-ACK Status von %s: %r", topic_uuid, str(raw_status)[:40])
        return _ignored("unknown_status", topic_uuid, command_id)

    command = await lock_command(session, command_id)
    if command is None:
        return _ignored("unknown_command", topic_uuid, command_id)
    if command.client_uuid.lower() != topic_uuid.lower():
        return _ignored("client_mismatch", topic_uuid, command_id, command_client=command.client_uuid)
    refusal = ack_refusal(command.status, command.error_code, target)
    if refusal is not None:
        return _ignored(refusal, topic_uuid, command_id, current=command.status, ack=target.value)

    error_code = _text_or_none(payload.get("error_code"))
    error_message = _text_or_none(payload.get("error_message"))
    if target is CommandStatus.FAILED:
        error_code = error_code or UNSPECIFIED_FAILURE_CODE
        error_message = error_message or UNSPECIFIED_FAILURE_MESSAGE
    fields: dict[str, object] = {}
    if error_code is not None:
        fields["error_code"] = error_code
    if error_message is not None:
        fields["error_message"] = error_message
    change = move(session, command, target, source=TransitionSource.ACK, now=now or utcnow(), **fields)
    log.info(
        "Command-ACK verarbeitet: event=command_ack_applied command_id=%s client=%s from=%s to=%s",
        command_id,
        command.client_uuid,
        change.from_status,
        change.status,
    )
    return AckOutcome(True, "applied", command_id, command.client_uuid, change.status, change)


def decode_ack(payload: dict[str, Any] | bytes | str) -> dict[str, Any] | None:
    if isinstance(payload, dict):
        return payload
    try:
        decoded = json.loads(payload)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


async def handle_ack(
    db: Database, bus: EventPublisher | None, topic_uuid: str, payload: dict[str, Any] | bytes | str
) -> AckOutcome:
    """Apply an ACK in its own unit of work, commit, then publish COMMAND_UPDATED. Never raises.

    While the database is unreachable the ACK is retried with backoff until it is applied (a display's
    `completed` must not be lost to a database restart); a data error is logged and the ACK dropped.
    """
    decoded = decode_ack(payload)
    if decoded is None:
        log.error("Ungueltiges Command-ACK Payload von %s", str(topic_uuid)[:64])
        return AckOutcome(False, "invalid_payload")
    attempt = 0
    while True:
        try:
            async with unit_of_work(system_deps(db, bus), None) as uow:
                outcome = await apply_ack(uow.session, topic_uuid, decoded)
                if outcome.change is not None:
                    uow.announce(outcome.change.event())
            break
        except SQLAlchemyError as exc:
            if not is_connection_error(exc):
                log.error("event=command_ack_error topic_uuid=%s error=%s", str(topic_uuid)[:64], exc)
                return AckOutcome(False, "db_error")
            # The database is away: keep the ACK (the caller holds its PUBACK meanwhile) and try again.
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
            attempt += 1
            log.warning("event=command_ack_retry topic_uuid=%s attempt=%d error=%s", str(topic_uuid)[:64], attempt,
                        str(exc)[:200])  # fmt: skip
            await asyncio.sleep(delay)
    return outcome
