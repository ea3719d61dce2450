"""An execution context that resolves plain attribute fields inline.

graphql-core resolves every field of every object through the same generic path (resolve info, resolver
call, completion, awaitable checks): about 3 µs per field, so a list of 10,000 displays with ten fields
spends most of its time there. Most of those fields are Strawberry "basic" fields: no resolver, no
permission or field extension, just an attribute of the source object. For those this context reads the
attribute and coerces the leaf value directly; anything else (resolvers, nested objects, lists, a null in a
non-null field, a value the scalar refuses) goes through graphql-core's own path, so results and errors are
exactly what graphql-core would produce.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLObjectType, GraphQLOutputType, Undefined
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from graphql.type import GraphQLLeafType, GraphQLNonNull, is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


@dataclass(frozen=True, slots=True)
class _InlineField:
    response_name: str
    attribute: str
    leaf: GraphQLLeafType
    non_null: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    # In selection order: an _InlineField, or the response name of a field graphql-core resolves.
    steps: tuple[_InlineField | str, ...]
    # The fields graphql-core resolves, as a grouped field set of their own (None: every field is inline).
    generic: GroupedFieldSet | None


def _inline_field(parent_type: GraphQLObjectType, response_name: str, details: FieldDetailsList) -> _InlineField | None:
    node = details[0].node
    field_def = parent_type.fields.get(node.name.value)
    if field_def is None or node.arguments or node.selection_set is not None:
        return None
    if not getattr(field_def.resolve, "_is_default", False):
        return None  # a resolver, permission classes or field extensions: keep the full path
    strawberry_field = (field_def.extensions or {}).get(_BACKREF)
    if strawberry_field is None or strawberry_field.default_resolver is not getattr:
        return None
    return_type: GraphQLOutputType = field_def.type
    non_null = isinstance(return_type, GraphQLNonNull)
    leaf = return_type.of_type if non_null else return_type
    if not is_leaf_type(leaf):
        return None
    return _InlineField(response_name, strawberry_field.python_name, leaf, non_null)  # type: ignore[arg-type]


class InlineLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core memoises sub-field collection, so every item of a list shares one grouped field set.
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, _Plan]] = {}

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> _Plan:
        key = (parent_type.name, id(grouped_field_set))
        cached = self._plans.get(key)
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        steps: list[_InlineField | str] = []
        generic: GroupedFieldSet = {}
        for response_name, details in grouped_field_set.items():
            inline = _inline_field(parent_type, response_name, details)
            if inline is None:
                generic[response_name] = details
                steps.append(response_name)
            else:
                steps.append(inline)
        plan = _Plan(tuple(steps), generic or None)
        self._plans[key] = (grouped_field_set, plan)
        return plan

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if manager is not None and manager.middlewares:  # resolver middleware must see every field
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        plan = self._plan(parent_type, grouped_field_set)
        inline: dict[str, Any] = {}
        fallback: GroupedFieldSet | None = plan.generic
        for step in plan.steps:
            if isinstance(step, str):
                continue
            value = self._inline_value(step, source_value)
            if value is Undefined:  # let graphql-core produce the value or the located error
                fallback = dict(fallback or {})
                fallback[step.response_name] = grouped_field_set[step.response_name]
            else:
                inline[step.response_name] = value
        if fallback is None:
            return inline
        generic = super().execute_fields(parent_type, source_value, path, fallback, position_context)
        if self.is_awaitable(generic):
            return self._merged_later(grouped_field_set, inline, generic)
        return _in_selection_order(grouped_field_set, inline, generic)

    @staticmethod
    def _inline_value(step: _InlineField, source: Any) -> Any:
        try:
            value = getattr(source, step.attribute)
        except Exception:  # graphql-core reports it, located
            return Undefined
        if value is None:
            return Undefined if step.non_null else None
        try:
            coerced = step.leaf.coerce_output_value(value)
        except Exception:  # likewise
            return Undefined
        return Undefined if coerced is None else coerced

    async def _merged_later(
        self, grouped_field_set: GroupedFieldSet, inline: dict[str, Any], generic: Awaitable[dict[str, Any]]
    ) -> dict[str, Any]:
        return _in_selection_order(grouped_field_set, inline, await generic)


def _in_selection_order(
    grouped_field_set: GroupedFieldSet, inline: dict[str, Any], generic: dict[str, Any]
) -> dict[str, Any]:
    # Responses keep the order of the selection set (GraphQL spec, "Serialization"); graphql-core omits
    # unknown fields, so only names present in either part are kept.
    merged: dict[str, Any] = {}
    for name in grouped_field_set:
        if name in inline:
            merged[name] = inline[name]
        elif name in generic:
            merged[name] = generic[name]
    return merged
