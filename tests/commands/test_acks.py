"""ACK handling: the display's ACKs move a command forward only, never backwards, never after the end."""

from __future__ import annotations

import uuid

from app.domain.bus import COMMAND_UPDATED, InMemoryEventBus
from app.domain.commands.acks import handle_ack
from app.domain.db import Database
from tests.commands.factory import history, load, make_client, make_command


def ack(command_id: str, status: str, code: str | None = None, message: str | None = None) -> dict:
    return {"command_id": command_id, "status": status, "error_code": code, "error_message": message}


async def test_accept_start_complete_sets_each_timestamp_and_announces(any_db: Database) -> None:
    db = any_db
    bus = InMemoryEventBus()
    updates = bus.subscribe(COMMAND_UPDATED)
    client = await make_client(db)
    cid = await make_command(db, client)
    for status in ("accepted", "execution_started", "completed"):
        outcome = await handle_ack(db, bus, client, ack(cid, status))
        assert outcome.applied, outcome
    row = await load(db, cid)
    assert row.status == "completed"
    assert row.acked_at and row.execution_started_at and row.completed_at
    assert row.acked_at <= row.execution_started_at <= row.completed_at
    assert [(h[1], h[2]) for h in await history(db, cid)] == [
        ("ack_received", "ack"), ("execution_started", "ack"), ("completed", "ack"),
    ]  # fmt: skip
    seen = [updates.queue.get_nowait().data for _ in range(3)]
    assert [e["status"] for e in seen] == ["ack_received", "execution_started", "completed"]
    assert all(e["command_id"] == cid and e["client_uuid"] == client for e in seen)
    await updates.aclose()


async def test_failed_ack_keeps_code_and_message(db: Database) -> None:
    client = await make_client(db)
    cid = await make_command(db, client, status="ack_received")
    outcome = await handle_ack(db, None, client, ack(cid, "FAILED ", "execution_failed", "systemctl reboot failed"))
    assert outcome.applied
    row = await load(db, cid)
    assert (row.status, row.error_code, row.error_message) == ("failed", "execution_failed", "systemctl reboot failed")
    assert row.failed_at is not None


async def test_failed_ack_without_details_is_stored_with_a_default_code(db: Database) -> None:
    client = await make_client(db)
    cid = await make_command(db, client)
    assert (await handle_ack(db, None, client, ack(cid, "failed"))).applied
    row = await load(db, cid)
    assert row.status == "failed" and row.error_code == "unspecified_failure" and row.error_message


async def test_duplicates_and_backward_acks_change_nothing(any_db: Database) -> None:
    db = any_db
    client = await make_client(db)
    cid = await make_command(db, client)
    assert (await handle_ack(db, None, client, ack(cid, "accepted"))).applied
    first = await load(db, cid)
    dup = await handle_ack(db, None, client, ack(cid, "accepted"))
    assert (dup.applied, dup.reason) == (False, "duplicate")
    assert (await handle_ack(db, None, client, ack(cid, "execution_started"))).applied
    late = await handle_ack(db, None, client, ack(cid, "accepted"))
    assert (late.applied, late.reason) == (False, "would_move_backwards")
    row = await load(db, cid)
    assert row.status == "execution_started" and row.acked_at == first.acked_at
    assert len(await history(db, cid)) == 2


async def test_terminal_commands_never_change(db: Database) -> None:
    client = await make_client(db)
    for status in ("completed", "failed", "expired", "blocked_safety", "manual_intervention_required"):
        cid = await make_command(db, client, status=status)
        outcome = await handle_ack(db, None, client, ack(cid, "failed", "x", "y"))
        assert (outcome.applied, outcome.reason) == (False, "already_terminal")
        assert (await load(db, cid)).status == status


async def test_ack_on_another_clients_topic_is_ignored(db: Database) -> None:
    owner = await make_client(db)
    other = await make_client(db)
    cid = await make_command(db, owner)
    outcome = await handle_ack(db, None, other, ack(cid, "accepted"))
    assert (outcome.applied, outcome.reason) == (False, "client_mismatch")
    assert (await load(db, cid)).status == "published"


async def test_garbage_is_dropped_with_a_reason(db: Database) -> None:
    client = await make_client(db)
    cid = await make_command(db, client)
    cases = {
        b"not json": "invalid_payload",
        b"[1,2]": "invalid_payload",
        '{"status": "accepted"}': "invalid_command_id",
        '{"command_id": "../../etc", "status": "accepted"}': "invalid_command_id",
    }
    for raw, reason in cases.items():
        assert (await handle_ack(db, None, client, raw)).reason == reason
    assert (await handle_ack(db, None, client, {"command_id": cid, "status": "rebooting"})).reason == "unknown_status"
    assert (await handle_ack(db, None, client, {"command_id": cid, "status": 5})).reason == "unknown_status"
    unknown = await handle_ack(db, None, client, ack(str(uuid.uuid4()), "accepted"))
    assert unknown.reason == "unknown_command"
    # Extra keys and over-long values are tolerated, truncated to the columns.
    long = {**ack(cid, "failed", "c" * 500, "m" * 10_000), "extra": True}
    assert (await handle_ack(db, None, client, long)).applied
    row = await load(db, cid)
    assert len(row.error_code or "") == 64 and len(row.error_message or "") == 4000


async def test_late_ack_moves_a_timed_out_command_on_and_clears_the_timeout(db: Database) -> None:
    client = await make_client(db)
    cid = await make_command(db, client, status="timed_out", error_code="ack_timeout", error_message="slow")
    assert (await handle_ack(db, None, client, ack(cid, "accepted"))).applied
    row = await load(db, cid)
    assert (row.status, row.error_code, row.error_message) == ("ack_received", None, None)
