"""Issuing commands on fakes: role, audit rows, every status change announced after its commit, typed errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.bus import COMMAND_UPDATED, DomainEvent
from app.domain.clients.models import Client
from app.domain.commands import service
from app.domain.commands.lifecycle import TransitionSource, sends_legacy_restart
from app.domain.commands.models import ClientCommand
from app.domain.enums import Role
from app.domain.errors import ForbiddenError, NotFoundError, ValidationError
from tests.unit.fakes_probe import FakeDeps, add_principal, memory_database

UUID = "5d0a7c1e-2b3f-4e5a-8c6d-9f0e1a2b3c4d"


@pytest.fixture
async def deps() -> AsyncIterator[FakeDeps]:
    database = await memory_database()
    async with database.session() as session:
        session.add(Client(uuid=UUID, hostname="raum-7"))
    fakes = FakeDeps(database)

    async def committed_status(event: DomainEvent) -> str | None:
        """The status a fresh session reads when the change is announced (the commit came first)."""
        async with database.read_session() as session:
            stmt = select(ClientCommand.status).where(ClientCommand.command_id == event.data["command_id"])
            return await session.scalar(stmt)

    fakes.bus.probe = committed_status
    yield fakes
    await database.dispose()


async def audit_actions(deps: FakeDeps) -> list[str]:
    async with deps.db.read_session() as session:
        return list((await session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id))).all())


async def test_only_admins_issue_and_a_refusal_leaves_no_trace(deps: FakeDeps) -> None:
    editor = await add_principal(deps.db, Role.EDITOR)
    with pytest.raises(ForbiddenError) as refused:
        await service.issue_command(deps, editor, service.IssueCommand(UUID, "reboot_host"))
    assert refused.value.key == "auth.forbidden"
    async with deps.db.read_session() as session:
        assert (await session.scalars(select(ClientCommand))).all() == []
    assert deps.bus.events == [] and await audit_actions(deps) == []
    assert deps.publisher is not None and deps.publisher.commands == []


async def test_a_published_reboot_is_audited_and_each_step_announced_after_its_commit(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    result = await service.issue_command(deps, admin, service.IssueCommand(UUID, "reboot_host", " Bild weg "))
    assert result.success and result.message == f"Befehl an Client {UUID} gesendet."
    assert result.command is not None and result.command.status == "published"
    assert deps.publisher is not None
    [(uuid, payload, legacy)] = deps.publisher.commands
    assert (uuid, payload["action"], payload["reason"], legacy) == (UUID, "reboot_host", "Bild weg", True)
    statuses = ["queued", "publish_in_progress", "published"]
    assert deps.bus.topics() == [COMMAND_UPDATED] * 3
    assert [e.data["status"] for e in deps.bus.events] == statuses
    assert deps.bus.observed == statuses  # every subscriber reads what it was told
    assert await audit_actions(deps) == ["command.issue"]


async def test_a_failed_publish_is_recorded_and_answered_not_raised(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    assert deps.publisher is not None
    deps.publisher.fail = True
    result = await service.issue_command(deps, admin, service.IssueCommand(UUID, "restart_app"))
    assert not result.success
    assert result.message == "Befehl konnte nicht gesendet werden: no PUBACK from the broker"
    assert result.command is not None and result.command.status == "failed"
    assert result.command.error_code == service.PUBLISH_FAILED_CODE
    assert deps.bus.observed == ["queued", "publish_in_progress", "failed"]


async def test_the_lockout_blocks_the_fourth_restart_and_audits_it(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    for _ in range(service.REBOOT_LOCKOUT_THRESHOLD):
        assert (await service.issue_command(deps, admin, service.IssueCommand(UUID, "reboot_host"))).success
    blocked = await service.issue_command(deps, admin, service.IssueCommand(UUID, "restart_app"))
    assert not blocked.success and blocked.message == "Neustart voruebergehend blockiert (Sicherheits-Lockout)"
    assert blocked.command is not None and blocked.command.status == "blocked_safety"
    assert (await audit_actions(deps))[-1] == "command.blocked"
    shutdown = await service.issue_command(deps, admin, service.IssueCommand(UUID, "shutdown_host"))
    assert shutdown.success  # the lockout counts restarts only


async def test_bad_input_raises_typed_keys_before_anything_is_written(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    with pytest.raises(NotFoundError) as unknown:
        await service.issue_command(
            deps, admin, service.IssueCommand("00000000-0000-4000-8000-000000000000", "reboot_host")
        )
    assert unknown.value.key == "client.not_found" and unknown.value.message == "Client nicht gefunden"
    with pytest.raises(ValidationError) as long_reason:
        await service.issue_command(deps, admin, service.IssueCommand(UUID, "reboot_host", "x" * 2001))
    assert (long_reason.value.key, long_reason.value.field) == ("command.reason_too_long", "reason")
    assert long_reason.value.message == "Die Begründung darf höchstens 2000 Zeichen lang sein."
    with pytest.raises(ValidationError) as action:
        await service.issue_command(deps, admin, service.IssueCommand(UUID, "format_disk"))
    assert action.value.key == "command.unsupported_action"
    with pytest.raises(ValidationError) as bulk:
        await service.restart_offline_clients(deps, admin, service.RestartOfflineClients(1, " ", 180))
    assert bulk.value.message == "Für Sammelaktionen ist eine Begründung erforderlich."
    assert deps.bus.events == [] and await audit_actions(deps) == []


async def test_the_system_issues_without_a_principal_and_only_reboots_use_the_legacy_topic(deps: FakeDeps) -> None:
    command = service.IssueCommand(UUID, "reboot_host", "crashed", source=TransitionSource.RECOVERY)
    result = await service.issue_command(deps, None, command)
    assert result.success and result.command is not None and result.command.requested_by is None
    app_restart = await service.issue_command(deps, None, service.IssueCommand(UUID, "restart_app"))
    assert app_restart.success
    assert deps.publisher is not None
    assert [legacy for _uuid, _payload, legacy in deps.publisher.commands] == [
        sends_legacy_restart("reboot_host", TransitionSource.RECOVERY),
        False,
    ]
    async with deps.db.read_session() as session:
        entries = (await session.scalars(select(AuditLogEntry))).all()
    assert [(e.action, e.actor_user_id) for e in entries] == [("command.issue", None), ("command.issue", None)]
