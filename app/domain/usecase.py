"""One shape for every write: `async def <verb>(deps, principal, command) -> result`.

A use case opens its unit of work with `unit_of_work(deps, principal)`, checks the role with
`require_role` (authorisation lives here, once), does the work through the models and pure rules, writes
its audit row with `uow.audit(...)` and collects its domain events with `uow.announce(...)`. When the
block ends without an exception the runner commits, then runs the `after_commit` steps (e.g. retained MQTT
state for displays: the database is the truth, a failed publish never undoes a commit) and only then
publishes the collected events, so a subscriber never hears of a change that was rolled back.

    async def rename_group(deps: UseCaseDeps, principal: Principal, command: RenameGroup) -> ClientGroup:
        require_role(principal, Role.ADMIN)
        async with unit_of_work(deps, principal) as uow:
            group = await get_group(uow.session, command.group_id)
            group.name = clean_group_name(command.name)
            await uow.audit("group.rename", "client_group", group.id, {"to": group.name})
            uow.announce(DomainEvent(GROUPS_CHANGED, {"id": group.id, "change": "renamed"}))
        return group

`principal` is None only for the system's own writes (MQTT ingest, sweeps, workers); `principal.ip` is the
caller's address as the adapter established it (trusted proxies), recorded with the audit row.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit.service import record_audit
from app.domain.bus import DomainEvent
from app.domain.enums import Role
from app.domain.errors import AuthenticationError, ForbiddenError
from app.domain.ports import UseCaseDeps
from app.domain.users.tokens import Principal

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[Any]]


def require_role(principal: Principal | None, role: Role) -> Principal:
    """The caller must be logged in with at least `role`; returns the principal for convenience."""
    if principal is None:
        raise AuthenticationError("auth.required")
    if not principal.has(role):
        raise ForbiddenError("auth.forbidden")
    return principal


class UnitOfWork:
    """One transaction of one use case, with what it will announce once committed."""

    def __init__(self, session: AsyncSession, principal: Principal | None) -> None:
        self.session = session
        self.principal = principal
        self.events: list[DomainEvent] = []
        self._after_commit: list[AfterCommit] = []

    def announce(self, event: DomainEvent) -> None:
        """Publish `event` on the bus after the commit (never if the use case fails)."""
        self.events.append(event)

    def after_commit(self, step: AfterCommit) -> None:
        """Run `step` after the commit and before the events are published (failures are logged, not raised)."""
        self._after_commit.append(step)

    async def audit(
        self, action: str, object_type: str, object_id: object | None = None, details: dict[str, Any] | None = None
    ) -> None:
        ip = self.principal.ip if self.principal is not None else None
        await record_audit(self.session, self.principal, action, object_type, object_id, details, ip=ip)


@asynccontextmanager
async def unit_of_work(deps: UseCaseDeps, principal: Principal | None) -> AsyncIterator[UnitOfWork]:
    """Commit on success (rollback on any exception), then the after-commit steps, then the events."""
    async with deps.db.session() as session:
        uow = UnitOfWork(session, principal)
        yield uow
    for step in uow._after_commit:
        try:
            await step()
        except Exception:
            log.exception("event=after_commit_step_failed step=%s", getattr(step, "__qualname__", step))
    for event in uow.events:
        await deps.bus.publish(event)
