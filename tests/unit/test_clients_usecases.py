"""Clients, groups and broker-access use cases on fakes: who may, what is audited, what is announced and when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.domain.audit.models import AuditLogEntry
from app.domain.bus import CLIENT_UPDATED, GROUPS_CHANGED, DomainEvent
from app.domain.clients import broker_access, groups
from app.domain.clients import service as clients
from app.domain.clients.models import Client, ClientGroup
from app.domain.clock import utcnow
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.domain.uuids import require_uuid
from app.messages import translate
from tests.unit.fakes_probe import FakeDeps, add_principal, memory_database

UUID = "0b8f2c9e-6f3a-4c1d-9e2b-7a5d3c1f0e42"


@pytest.fixture
async def deps() -> AsyncIterator[FakeDeps]:
    database = await memory_database()
    yield FakeDeps(database)
    await database.dispose()


async def audit_actions(deps: FakeDeps) -> list[str]:
    async with deps.db.read_session() as session:
        return list((await session.scalars(select(AuditLogEntry.action).order_by(AuditLogEntry.id))).all())


async def add_client(deps: FakeDeps, uuid: str = UUID, **values: Any) -> str:
    async with deps.db.session() as session:
        session.add(Client(uuid=uuid, hostname="raum-101", **values))
    return uuid


def committed_group_names(deps: FakeDeps) -> None:
    """Probe: which group names a fresh session sees at the moment each event is published."""

    async def probe(_event: DomainEvent) -> list[str]:
        async with deps.db.read_session() as session:
            return sorted((await session.scalars(select(ClientGroup.name))).all())

    deps.bus.probe = probe


async def test_a_role_below_admin_is_refused_and_nothing_is_written_or_announced(deps: FakeDeps) -> None:
    editor = await add_principal(deps.db, Role.EDITOR)
    with pytest.raises(ForbiddenError) as refused:
        await groups.create_group(deps, editor, groups.CreateGroup("Aula"))
    assert refused.value.key == "auth.forbidden"
    assert refused.value.message == "Keine Berechtigung für diese Aktion."
    with pytest.raises(AuthenticationError):
        await clients.clear_service_failed(deps, None, clients.ClearServiceFailed(UUID))  # type: ignore[arg-type]
    async with deps.db.read_session() as session:
        assert (await session.scalars(select(ClientGroup))).all() == []
    assert await audit_actions(deps) == []
    assert deps.bus.events == []


async def test_create_group_audits_and_announces_only_after_the_commit(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    committed_group_names(deps)
    group = await groups.create_group(deps, admin, groups.CreateGroup("  Raum   101 "))
    assert group.name == "Raum 101"
    assert deps.bus.events == [DomainEvent(GROUPS_CHANGED, {"id": group.id, "change": "created"})]
    assert deps.bus.observed == [["Raum 101"]]  # the subscriber could already read it
    async with deps.db.read_session() as session:
        entry = (await session.scalars(select(AuditLogEntry))).one()
    assert (entry.action, entry.actor_user_id, entry.object_id) == ("group.create", admin.user_id, str(group.id))
    assert entry.ip == "192.0.2.10"


async def test_a_failed_write_raises_a_typed_key_and_announces_nothing(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    await groups.create_group(deps, admin, groups.CreateGroup("Aula"))
    deps.bus.events.clear()
    with pytest.raises(ConflictError) as taken:
        await groups.create_group(deps, admin, groups.CreateGroup(" aula "))
    assert (taken.value.key, taken.value.field) == ("group.name_taken", "name")
    assert taken.value.message == 'Eine Gruppe "aula" existiert bereits.'
    assert taken.value.text("en") == 'A group "aula" already exists.'
    with pytest.raises(ValidationError) as reserved:
        await groups.create_group(deps, admin, groups.CreateGroup("nicht zugeordnet"))
    assert reserved.value.message == '"Nicht zugeordnet" ist reserviert.'
    with pytest.raises(NotFoundError) as missing:
        await groups.rename_group(deps, admin, groups.RenameGroup(999, "Neu"))
    assert missing.value.key == "group.not_found" and missing.value.message == "Gruppe nicht gefunden"
    assert deps.bus.events == []
    assert await audit_actions(deps) == ["group.create"]


async def test_assignment_tells_displays_after_the_commit_and_reports_who_was_not_told(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    group = await groups.create_group(deps, admin, groups.CreateGroup("Physik"))
    await add_client(deps)
    deps.bus.events.clear()
    done = await clients.assign_clients_to_group(deps, admin, clients.AssignClients([UUID.upper()], group.id))
    assert [c.uuid for c in done.clients] == [UUID] and done.not_notified == []
    assert deps.publisher is not None and deps.publisher.group_assignments == [(UUID, group.id)]
    assert deps.bus.events == [DomainEvent(CLIENT_UPDATED, {"uuid": UUID})]

    deps.publisher.fail = True  # the broker does not confirm: the assignment stands, the caller is told
    done = await clients.assign_clients_to_group(deps, admin, clients.AssignClients([UUID], None))
    assert done.not_notified == [UUID]
    async with deps.db.read_session() as session:
        assert (await session.get(Client, UUID)).group_id is None  # type: ignore[union-attr]
    assert await audit_actions(deps) == ["group.create", "client.assign_group", "client.assign_group"]
    with pytest.raises(ValidationError) as empty:
        await clients.assign_clients_to_group(deps, admin, clients.AssignClients(["  "], None))
    assert empty.value.key == "client.none_selected" and empty.value.message == "Keine Clients ausgewählt."


async def test_clearing_service_failed_writes_first_then_clears_the_retained_message(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    await add_client(deps, service_failed_at=utcnow() - timedelta(minutes=3), service_failed_unit="x.service")

    async def flag_at_publish(_event: DomainEvent) -> object:
        async with deps.db.read_session() as session:
            return (await session.get(Client, UUID)).service_failed_at  # type: ignore[union-attr]

    deps.bus.probe = flag_at_publish
    client = await clients.clear_service_failed(deps, admin, clients.ClearServiceFailed(UUID))
    assert client.service_failed_at is None
    assert deps.publisher is not None and deps.publisher.cleared_service_failed == [UUID]
    assert deps.bus.observed == [None]
    assert await audit_actions(deps) == ["client.clear_service_failed"]
    with pytest.raises(NotFoundError) as unknown:
        await clients.delete_client(deps, admin, clients.DeleteClient("nope"))
    assert unknown.value.key == "client.not_found" and unknown.value.message == "Client nicht gefunden"


async def test_broker_access_needs_the_account_manager_and_says_so_in_both_languages(deps: FakeDeps) -> None:
    admin = await add_principal(deps.db, Role.ADMIN)
    await add_client(deps)
    with pytest.raises(ValidationError) as disabled:
        await broker_access.approve_client(deps, admin, broker_access.ApproveClient(UUID))
    assert disabled.value.key == "broker.disabled"
    assert "MQTT_DYNSEC_ENABLED" in disabled.value.message and "not enabled" in disabled.value.text("en")
    with pytest.raises(AuthenticationError):  # an approval by nobody is only the system's automatic one
        await broker_access.approve_client(deps, None, broker_access.ApproveClient(UUID))


def test_one_uuid_rule_with_the_common_key() -> None:
    assert require_uuid(UUID.upper()) == UUID
    for bad in ("", "nope", UUID[:-1], UUID + "0", f"{{{UUID}}}", UUID.replace("-", "")):
        with pytest.raises(ValidationError) as refused:
            require_uuid(bad)
        assert refused.value.key == "input.invalid_uuid" and refused.value.field == "uuid"
        assert refused.value.message == translate("input.invalid_uuid") == "Ungültige Client-UUID."
