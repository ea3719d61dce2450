"""Remote commands over GraphQL: issuing (admin+), the lifecycle with its history, and live updates."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Union

import strawberry
from strawberry.dataloader import DataLoader

from app.domain.bus import COMMAND_UPDATED
from app.domain.commands import service
from app.domain.commands.lifecycle import is_terminal
from app.domain.commands.models import ClientCommand as ClientCommandModel
from app.domain.commands.models import ClientCommandTransition
from app.domain.enums import CommandAction as DomainCommandAction
from app.domain.enums import CommandStatus as DomainCommandStatus
from app.domain.enums import Role
from app.graphql.calls import logged_in, outcome
from app.graphql.context import Info
from app.graphql.errors import ForbiddenError, NotFoundError, ValidationError, caller_language
from app.graphql.permissions import require

log = logging.getLogger(__name__)

CommandStatus = strawberry.enum(DomainCommandStatus, name="CommandStatus")
CommandAction = strawberry.enum(DomainCommandAction, name="CommandAction")


@strawberry.type(
    description="One status change of a command and what caused it (api, ack, sweep, heartbeat, recovery)."
)
class CommandTransition:
    from_status: str | None
    to_status: str
    source: str
    at: datetime


def _enum_or_none(enum_cls: type[StrEnum], value: str) -> StrEnum | None:
    try:
        return enum_cls(value)
    except ValueError:
        return None


async def _load_transitions(info: Info, command_id: str) -> list[ClientCommandTransition]:
    loader = info.context.loaders.get("command_transitions")
    if loader is None:
        context = info.context

        async def batch(ids: list[str]) -> list[list[ClientCommandTransition]]:
            async with context.read_session() as session:
                found = await service.transitions_for(session, ids)
            return [found.get(i, []) for i in ids]

        loader = DataLoader(load_fn=batch)
        info.context.loaders["command_transitions"] = loader
    return await loader.load(command_id)


@strawberry.type(name="ClientCommand", description="A tracked remote command and its whole lifecycle.")
class ClientCommandType:
    command_id: str
    client_uuid: str
    action: str = strawberry.field(description="The seed's string: reboot_host, shutdown_host, restart_app.")
    action_kind: CommandAction | None  # type: ignore[valid-type]
    status: str = strawberry.field(description="The seed's string: queued … completed, blocked_safety, ….")
    status_kind: CommandStatus | None  # type: ignore[valid-type]
    is_terminal: bool = strawberry.field(description="Terminal commands never change again.")
    reason: str | None
    requested_by: int | None
    issued_at: datetime
    expires_at: datetime
    published_at: datetime | None
    acked_at: datetime | None
    execution_started_at: datetime | None
    completed_at: datetime | None
    failed_at: datetime | None
    error_code: str | None
    error_message: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @strawberry.field(description="Every status change, oldest first.")
    async def transitions(self, info: Info) -> list[CommandTransition]:
        rows = await _load_transitions(info, self.command_id)
        return [
            CommandTransition(from_status=r.from_status, to_status=r.to_status, source=r.source, at=r.at) for r in rows
        ]

    @classmethod
    def from_model(cls, c: ClientCommandModel) -> ClientCommandType:
        return cls(
            command_id=c.command_id,
            client_uuid=c.client_uuid,
            action=c.action,
            action_kind=_enum_or_none(DomainCommandAction, c.action),
            status=c.status,
            status_kind=_enum_or_none(DomainCommandStatus, c.status),
            is_terminal=is_terminal(c.status),
            reason=c.reason,
            requested_by=c.requested_by,
            issued_at=c.issued_at,
            expires_at=c.expires_at,
            published_at=c.published_at,
            acked_at=c.acked_at,
            execution_started_at=c.execution_started_at,
            completed_at=c.completed_at,
            failed_at=c.failed_at,
            error_code=c.error_code,
            error_message=c.error_message,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


@strawberry.type(description="The answer to restartClient/shutdownClient/restartClientApp.")
class CommandIssueResult:
    success: bool
    message: str
    command: ClientCommandType | None


@strawberry.type(description="What happened for one display of a bulk action.")
class ClientCommandIssue:
    client_uuid: str
    success: bool
    message: str
    command: ClientCommandType | None


@strawberry.type(description="One tracked reboot per offline display of the group.")
class BulkCommandIssue:
    results: list[ClientCommandIssue]
    issued: int
    failed: int


RestartOfflineClientsResult = Annotated[
    Union[BulkCommandIssue, ValidationError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("RestartOfflineClientsResult"),
]


CommandResult = Annotated[
    Union[CommandIssueResult, ValidationError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("CommandResult"),
]


def _issue_result(result: service.IssueResult) -> CommandIssueResult:
    command = ClientCommandType.from_model(result.command) if result.command is not None else None
    # The outcome's words in the caller's language (as an error's message), not always German.
    return CommandIssueResult(success=result.success, message=result.text(caller_language()), command=command)


async def _issue(info: Info, uuid: str, action: DomainCommandAction, reason: str | None) -> CommandResult:
    async def run() -> CommandIssueResult:
        command = service.IssueCommand(uuid, action, reason)
        return _issue_result(await service.issue_command(info.context.container, logged_in(info), command))

    return await outcome(run())  # type: ignore[return-value]


@strawberry.type
class CommandsMutation:
    @strawberry.mutation(description="Reboot the display's host (reboot_host; also the legacy restart topic).")
    async def restart_client(self, info: Info, uuid: str, reason: str | None = None) -> CommandResult:
        return await _issue(info, uuid, DomainCommandAction.REBOOT_HOST, reason)

    @strawberry.mutation(description="Shut the display's host down (shutdown_host; not subject to the lockout).")
    async def shutdown_client(self, info: Info, uuid: str, reason: str | None = None) -> CommandResult:
        return await _issue(info, uuid, DomainCommandAction.SHUTDOWN_HOST, reason)

    @strawberry.mutation(description="Restart only the display software (restart_app).")
    async def restart_client_app(self, info: Info, uuid: str, reason: str | None = None) -> CommandResult:
        return await _issue(info, uuid, DomainCommandAction.RESTART_APP, reason)

    @strawberry.mutation(description="Reboot every active display of the group without a recent heartbeat.")
    async def restart_offline_clients(self, info: Info, group_id: int, reason: str) -> RestartOfflineClientsResult:
        async def run() -> BulkCommandIssue:
            container = info.context.container
            command = service.RestartOfflineClients(group_id, reason, container.settings.heartbeat_grace_seconds)
            items = await service.restart_offline_clients(container, logged_in(info), command)
            results = []
            for item in items:
                one = _issue_result(item.result)
                results.append(
                    ClientCommandIssue(
                        client_uuid=item.client_uuid, success=one.success, message=one.message, command=one.command
                    )
                )
            issued = sum(1 for r in results if r.success)
            return BulkCommandIssue(results=results, issued=issued, failed=len(results) - issued)

        return await outcome(run())  # type: ignore[return-value]


@strawberry.type
class CommandsQuery:
    @strawberry.field(description="One command by its id (null when unknown).")
    async def client_command(self, info: Info, command_id: str) -> ClientCommandType | None:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            command = await service.get_command(session, command_id)
        return ClientCommandType.from_model(command) if command is not None else None

    @strawberry.field(description="Commands newest first, of one display or all (limit 1–500, default 50).")
    async def client_commands(
        self, info: Info, client_uuid: str | None = None, limit: int | None = 50
    ) -> list[ClientCommandType]:
        require(info, Role.ADMIN)
        async with info.context.read_session() as session:
            rows = await service.list_commands(session, client_uuid, limit if limit is not None else 50)
        return [ClientCommandType.from_model(c) for c in rows]


@strawberry.type
class CommandsSubscription:
    @strawberry.subscription(description="Every committed status change, optionally of one command or display.")
    async def command_updated(
        self, info: Info, command_id: str | None = None, client_uuid: str | None = None
    ) -> AsyncGenerator[ClientCommandType, None]:
        require(info, Role.ADMIN)
        container = info.context.container
        updates = info.context.subscribe(COMMAND_UPDATED)
        try:
            async for event in updates:
                data = event.data
                if command_id and data.get("command_id") != command_id:
                    continue
                if client_uuid and data.get("client_uuid") != client_uuid:
                    continue
                async with container.db.read_session() as session:
                    command = await service.get_command(session, str(data.get("command_id")))
                if command is not None:
                    yield ClientCommandType.from_model(command)
        finally:
            await updates.aclose()
