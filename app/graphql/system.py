"""System-level fields: version and component health."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from app import __version__
from app.graphql.context import Info


@strawberry.type
class SystemQuery:
    @strawberry.field(description="Server version.")
    def version(self) -> str:
        return __version__

    @strawberry.field(description="Health of each component (db, mqtt, worker).")
    async def health(self, info: Info) -> JSON:
        return await info.context.container.health()
