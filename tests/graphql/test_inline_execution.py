"""The inline execution context answers exactly like graphql-core's own executor, only faster.

A differential test: one small schema with the shapes our API uses (basic fields, enums, datetimes, JSON,
resolvers, async resolvers, nested objects, nulls where the type forbids them), executed with and without
app.graphql.execution for the same documents; data, errors, paths and key order must be identical.
"""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from strawberry.scalars import JSON

from app.graphql.execution import InlineLeafExecutionContext


@strawberry.enum
class Mood(enum.Enum):
    HAPPY = "happy"
    GRUMPY = "grumpy"


@strawberry.type
class Owner:
    name: str


@strawberry.type
class Item:
    id: int
    name: str
    note: str | None
    mood: Mood | None
    seen_at: datetime | None
    extra: JSON | None
    must: str  # some rows break this promise on purpose

    @strawberry.field
    def owner(self) -> Owner | None:
        return None if self.id % 3 == 0 else Owner(name=f"owner-{self.id}")

    @strawberry.field
    async def shout(self) -> str:
        return self.name.upper()


def _items() -> list[Item]:
    return [
        Item(
            id=i,
            name=f"item-{i}",
            note=None if i % 2 else f"note {i}",
            mood=Mood.HAPPY if i % 2 else None,
            seen_at=datetime(2026, 3, 29, 1, i, tzinfo=UTC),
            extra={"n": i, "tags": ["a", "b"]} if i % 4 == 0 else None,
            must=None if i == 5 else "ok",  # type: ignore[arg-type]
        )
        for i in range(8)
    ]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return _items()

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return _items()

    @strawberry.field
    def broken(self) -> list[Item]:
        item = _items()[0]
        item.mood = "not-a-mood"  # type: ignore[assignment]
        return [item]


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return strawberry.Schema(Query), strawberry.Schema(Query, execution_context_class=InlineLeafExecutionContext)


DOCUMENTS = [
    "{ items { id name note mood seenAt extra } }",
    "{ items { __typename b: name a: id owner { name } shout note } }",
    "query($on: Boolean!) { items { id ... on Item { name @include(if: $on) } ...F } } fragment F on Item { mood }",
    "{ items { id must } }",  # a null in a non-null field: the item becomes null, with a located error
    "{ strictItems { ...G } } fragment G on Item { name must owner { name } }",
    "{ broken { id mood } }",  # a value the enum refuses
    "{ items { id id name } }",
]


def _canonical(result: Any) -> str:
    errors = [{"message": e.message, "path": e.path} for e in result.errors or []]
    # Key order matters (GraphQL responses follow the selection order): compare the JSON text.
    return json.dumps({"data": result.data, "errors": errors}, default=str)


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_inline_execution_matches_graphql_core(document: str) -> None:
    plain, inline = _schemas()
    variables = {"on": True}
    expected = await plain.execute(document, variable_values=variables)
    actual = await inline.execute(document, variable_values=variables)
    assert _canonical(actual) == _canonical(expected)


async def test_the_differential_cases_really_cover_errors_and_values() -> None:
    # Guards the test above against passing vacuously (e.g. both sides returning nothing).
    _, inline = _schemas()
    strict = await inline.execute("{ items { id must } }")
    assert strict.errors and strict.errors[0].path == ["items", 5, "must"]
    assert strict.data is None  # non-null list items: the null propagates to the nullable root... of none
    values = await inline.execute("{ items { id mood seenAt extra } }")
    assert values.data is not None
    assert values.data["items"][1] == {"id": 1, "mood": "HAPPY", "seenAt": "2026-03-29T01:01:00+00:00", "extra": None}
    assert values.data["items"][4]["extra"] == {"n": 4, "tags": ["a", "b"]}
