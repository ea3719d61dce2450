"""Soll/Ist over GraphQL: `Client.contentMatch`, loaded for a whole list in one statement."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader

from app.domain.monitoring.content_match import ContentMatch, content_matches
from app.graphql.context import GraphQLContext, Info


@strawberry.type(name="ContentMatch", description="What a display should show now vs what it reports.")
class ContentMatchType:
    expected_event_ids: list[int] = strawberry.field(description="The event ids its group's plan shows now.")
    reported_event_id: int | None = strawberry.field(description="The event id it last reported showing.")
    matches: bool
    since: datetime | None = strawberry.field(description="When the mismatch was first seen (null: matches).")

    @classmethod
    def from_domain(cls, item: ContentMatch | None) -> ContentMatchType:
        if item is None:
            return cls(expected_event_ids=[], reported_event_id=None, matches=True, since=None)
        return cls(
            expected_event_ids=item.expected_event_ids,
            reported_event_id=item.reported_event_id,
            matches=item.matches,
            since=item.since,
        )


def content_match_loader(info: Info) -> DataLoader[str, ContentMatch | None]:
    loaders = info.context.loaders
    existing = loaders.get("content_match")
    if existing is None:
        context: GraphQLContext = info.context

        async def load(keys: list[str]) -> list[ContentMatch | None]:
            async with context.read_session() as session:
                found = await content_matches(session, keys)
            return [found.get(k) for k in keys]

        existing = loaders["content_match"] = DataLoader(load_fn=load)
    return existing  # type: ignore[no-any-return]
