"""The clock side of the lifecycle: timeouts, expiry, reboot reconnects and escalation (times injected)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.domain.bus import COMMAND_UPDATED, InMemoryEventBus
from app.domain.clients.models import Client
from app.domain.clock import utcnow
from app.domain.commands.acks import handle_ack
from app.domain.commands.sweeps import detect_reconnect, sweep_commands
from app.domain.db import Database
from tests.commands.factory import history, load, make_client, make_command


async def set_last_alive(db: Database, uuid: str, when) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        await session.execute(update(Client).where(Client.uuid == uuid).values(last_alive=when))


async def set_discovered(db: Database, uuid: str, when) -> None:  # type: ignore[no-untyped-def]
    """The display announced itself at `when` (as its client does at every start): reboot evidence."""
    async with db.session() as session:
        await session.execute(update(Client).where(Client.uuid == uuid).values(last_discovery_at=when, last_alive=when))


async def test_unanswered_command_times_out_then_expires(any_db: Database) -> None:
    db = any_db
    client = await make_client(db)
    t0 = utcnow().replace(microsecond=0)
    cid = await make_command(db, client, issued_at=t0)
    assert (await sweep_commands(db, None, now=t0 + timedelta(seconds=19))).changed == 0
    await sweep_commands(db, None, now=t0 + timedelta(seconds=20))
    row = await load(db, cid)
    assert (row.status, row.error_code, row.failed_at) == ("timed_out", "ack_timeout", None)
    result = await sweep_commands(db, None, now=t0 + timedelta(seconds=240))
    assert result.counts["expired"] == 1
    row = await load(db, cid)
    assert row.status == "expired" and row.error_code == "expired"
    assert row.error_message == "Command expired before terminal state was reached."
    assert row.failed_at == t0 + timedelta(seconds=240)
    # Idempotent: nothing further happens, and a late ACK is ignored.
    assert (await sweep_commands(db, None, now=t0 + timedelta(seconds=400))).changed == 0
    late = await handle_ack(db, None, client, {"command_id": cid, "status": "completed"})
    assert (late.applied, late.reason) == (False, "already_terminal")
    assert [(f, t, s) for f, t, s in await history(db, cid)] == [
        ("published", "timed_out", "sweep"), ("timed_out", "expired", "sweep"),
    ]  # fmt: skip


async def test_execution_start_timeout_depends_on_the_action(db: Database) -> None:
    client = await make_client(db)
    t0 = utcnow()
    host = await make_command(db, client, status="ack_received", acked_at=t0, issued_at=t0)
    app = await make_command(db, client, action="restart_app", status="ack_received", acked_at=t0, issued_at=t0)
    await sweep_commands(db, None, now=t0 + timedelta(seconds=16))
    assert (await load(db, host)).status == "ack_received"
    assert (await load(db, app)).error_code == "execution_start_timeout"
    await sweep_commands(db, None, now=t0 + timedelta(seconds=25))
    assert (await load(db, host)).status == "timed_out"


async def test_reboot_discovery_after_the_stage_completes_without_a_completed_ack(db: Database) -> None:
    bus = InMemoryEventBus()
    updates = bus.subscribe(COMMAND_UPDATED)
    client = await make_client(db)
    t0 = utcnow() - timedelta(seconds=60)
    cid = await make_command(db, client, status="execution_started", issued_at=t0, execution_started_at=t0)
    # A discovery from just before the reboot does not count.
    await set_discovered(db, client, t0 + timedelta(seconds=3))
    await detect_reconnect(db, bus, client, now=t0 + timedelta(seconds=5))
    assert (await load(db, cid)).status == "execution_started"
    await sweep_commands(db, bus, now=t0 + timedelta(seconds=11))
    assert (await load(db, cid)).status == "awaiting_reconnect"
    # Heartbeats alone prove nothing: the host may never have gone down.
    await set_last_alive(db, client, t0 + timedelta(seconds=40))
    await detect_reconnect(db, bus, client, now=t0 + timedelta(seconds=40))
    await sweep_commands(db, bus, now=t0 + timedelta(seconds=41))
    assert (await load(db, cid)).status == "awaiting_reconnect"
    await set_discovered(db, client, t0 + timedelta(seconds=50))
    await detect_reconnect(db, bus, client, now=t0 + timedelta(seconds=50))
    row = await load(db, cid)
    assert row.status == "completed" and row.completed_at == t0 + timedelta(seconds=50)
    assert [(t, s) for _, t, s in await history(db, cid)] == [
        ("awaiting_reconnect", "sweep"), ("recovered", "heartbeat"), ("completed", "heartbeat"),
    ]  # fmt: skip
    assert [updates.queue.get_nowait().data["status"] for _ in range(3)] == [
        "awaiting_reconnect", "recovered", "completed",
    ]  # fmt: skip
    await updates.aclose()


async def test_reboot_that_never_returns_escalates_to_manual_intervention(db: Database) -> None:
    client = await make_client(db)
    t0 = utcnow()
    started = t0 + timedelta(seconds=2)
    cid = await make_command(db, client, status="execution_started", issued_at=t0, execution_started_at=started)
    await sweep_commands(db, None, now=started + timedelta(seconds=159))
    assert (await load(db, cid)).status == "awaiting_reconnect"
    await sweep_commands(db, None, now=started + timedelta(seconds=160))
    row = await load(db, cid)
    assert (row.status, row.error_code, row.failed_at) == ("timed_out", "reconnect_timeout", None)
    await sweep_commands(db, None, now=started + timedelta(seconds=220))
    row = await load(db, cid)
    assert row.status == "manual_intervention_required" and row.failed_at is not None
    await set_discovered(db, client, started + timedelta(seconds=230))
    assert await detect_reconnect(db, None, client, now=started + timedelta(seconds=230)) == []


async def test_a_late_comeback_during_the_cooldown_still_recovers(db: Database) -> None:
    client = await make_client(db)
    t0 = utcnow()
    cid = await make_command(db, client, status="execution_started", issued_at=t0, execution_started_at=t0)
    await sweep_commands(db, None, now=t0 + timedelta(seconds=170))
    assert (await load(db, cid)).status == "timed_out"
    await set_discovered(db, client, t0 + timedelta(seconds=190))
    # Even a sweep that only runs later sees the discovery that arrived before the escalation.
    await sweep_commands(db, None, now=t0 + timedelta(seconds=235))
    row = await load(db, cid)
    assert (row.status, row.error_code) == ("completed", None)


async def test_expiry_is_the_hard_stop_even_while_awaiting_reconnect(db: Database) -> None:
    client = await make_client(db)
    t0 = utcnow()
    started = t0 + timedelta(seconds=120)
    cid = await make_command(db, client, status="awaiting_reconnect", issued_at=t0, execution_started_at=started)
    await sweep_commands(db, None, now=t0 + timedelta(seconds=241))
    assert (await load(db, cid)).status == "expired"


async def test_terminal_and_unpublished_commands(db: Database) -> None:
    client = await make_client(db)
    t0 = utcnow() - timedelta(hours=1)
    done = await make_command(db, client, status="completed", issued_at=t0)
    stuck = await make_command(db, client, status="publish_in_progress", issued_at=t0)
    await sweep_commands(db, None)
    assert (await load(db, done)).status == "completed"
    assert (await load(db, stuck)).status == "expired"
