"""System-level fields: version and component health (logged-in callers only)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app import __version__
from app.domain.enums import Role
from app.graphql.context import Info
from app.graphql.permissions import require
from app.http import without_hosts


@strawberry.type
class SystemQuery:
    @strawberry.field(description="Server version (any login).")
    def version(self, info: Info) -> str:
        require(info)
        return __version__

    @strawberry.field(description="Health of each component (db, mqtt, worker); internal hosts for admins only.")
    async def health(self, info: Info) -> JSON:
        principal = require(info)
        components = await info.context.container.health()
        if principal.has(Role.ADMIN):
            return components
        return without_hosts(components, info.context.settings)
