"""Schedule feed tokens over GraphQL: `createCalendarFeedToken`, `calendarFeedTokens`, `revokeCalendarFeedToken`.

The secret and its URL are returned once, by `createCalendarFeedToken`; afterwards only the prefix shows.
Editor+ (the domain checks it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Union

import strawberry

from app.domain.calendar_feeds import tokens as service
from app.domain.calendar_feeds.models import CalendarFeedToken as TokenModel
from app.graphql.caller import caller
from app.graphql.context import Info
from app.graphql.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.graphql.types_users import as_result


@strawberry.type(name="CalendarFeedToken", description="A subscription URL of a group's schedule feed.")
class CalendarFeedTokenType:
    id: int
    group_id: int
    label: str | None
    token_prefix: str
    created_by: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    path: str = strawberry.field(description="The feed's path without the token (`/ical/groups/{id}.ics`).")

    @classmethod
    def from_model(cls, t: TokenModel) -> CalendarFeedTokenType:
        return cls(
            id=t.id,
            group_id=t.group_id,
            label=t.label,
            token_prefix=t.token_prefix,
            created_by=t.created_by,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            revoked_at=t.revoked_at,
            path=service.feed_path(t.group_id),
        )


@strawberry.type(description="The new token: `token` and `url` are shown only this once.")
class CalendarFeedTokenCreated:
    token: str
    url: str = strawberry.field(
        description="The subscription URL (absolute when PUBLIC_BASE_URL is set, else a path on this server)."
    )
    feed_token: CalendarFeedTokenType


CreateCalendarFeedTokenResult = Annotated[
    Union[CalendarFeedTokenCreated, ValidationError, NotFoundError, ForbiddenError],  # noqa: UP007
    strawberry.union("CreateCalendarFeedTokenResult"),
]
RevokeCalendarFeedTokenResult = Annotated[
    Union[CalendarFeedTokenType, NotFoundError, ConflictError, ForbiddenError],  # noqa: UP007
    strawberry.union("RevokeCalendarFeedTokenResult"),
]


@strawberry.type
class CalendarFeedsQuery:
    @strawberry.field(description="The feed tokens of a group, revoked ones included (editor+).")
    async def calendar_feed_tokens(self, info: Info, group_id: int) -> list[CalendarFeedTokenType]:
        rows = await service.feed_tokens_of_group(info.context.container, caller(info), group_id)
        return [CalendarFeedTokenType.from_model(t) for t in rows]


@strawberry.type
class CalendarFeedsMutation:
    @strawberry.mutation(
        description="A revocable token for the group's iCalendar feed `/ical/groups/{id}.ics?token=…` (editor+)."
    )
    async def create_calendar_feed_token(
        self, info: Info, group_id: int, label: str | None = None
    ) -> CreateCalendarFeedTokenResult:
        ctx = info.context

        async def run() -> CalendarFeedTokenCreated:
            command = service.CreateFeedToken(group_id, label)
            raw, token = await service.create_feed_token(ctx.container, caller(info), command)
            base = (ctx.settings.public_base_url or "").rstrip("/")
            url = f"{base}{service.feed_path(group_id)}?token={raw}"
            return CalendarFeedTokenCreated(token=raw, url=url, feed_token=CalendarFeedTokenType.from_model(token))

        return await as_result(run)  # type: ignore[return-value]

    @strawberry.mutation(description="Revoke a feed token: its URL answers 404 from now on (editor+).")
    async def revoke_calendar_feed_token(self, info: Info, id: int) -> RevokeCalendarFeedTokenResult:
        async def run() -> CalendarFeedTokenType:
            token = await service.revoke_feed_token(info.context.container, caller(info), service.RevokeFeedToken(id))
            return CalendarFeedTokenType.from_model(token)

        return await as_result(run)  # type: ignore[return-value]
