"""The audit trail for the Protokoll page and integrators: filters, paging and the total (admin+)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.audit.queries import AuditFilter, search_audit
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.types_users import AuditLogEntryType


@strawberry.type(description="One page of audit entries, newest first, and the number of all matching entries.")
class AuditLogPage:
    entries: list[AuditLogEntryType]
    total: int


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail filtered (action and actor: part of the name; objectType: exact; "
        "since inclusive, until exclusive), newest first, with the total for paging. Admins do not see "
        "entries about superadmin accounts."
    )
    async def audit_log_page(
        self,
        info: Info,
        action: str | None = None,
        object_type: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> AuditLogPage:
        query = AuditFilter(action, object_type, actor, since, until, limit, offset)
        page = await search_audit(info.context.container, caller(info), query)
        return AuditLogPage(entries=[AuditLogEntryType.from_model(e) for e in page.entries], total=page.total)
