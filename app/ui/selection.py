"""Selections for mutation results, read off the schema: a union gets `... on Error { message }` members.

The contract lets an area return a plain type or a union of it with typed errors; building the selection from
the schema keeps the pages correct either way.
"""

from __future__ import annotations

from graphql import GraphQLObjectType, GraphQLUnionType, get_named_type

_ERROR_INTERFACE = "Error"


def _schema():  # type: ignore[no-untyped-def]
    from app.graphql.schema import schema

    return schema._schema


def has_field(root: str, name: str) -> bool:
    """Whether `Query`/`Mutation`/`Subscription` (root) offers the field `name`."""
    gql_schema = _schema()
    root_type = {
        "Query": gql_schema.query_type,
        "Mutation": gql_schema.mutation_type,
        "Subscription": gql_schema.subscription_type,
    }.get(root)
    return root_type is not None and name in root_type.fields


def _is_error(member: GraphQLObjectType) -> bool:
    return any(i.name == _ERROR_INTERFACE for i in member.interfaces)


def result_selection(mutation: str, success: str = "") -> str:
    """The `{ ... }` to put after `mutation(args)`; empty for scalar results."""
    gql_schema = _schema()
    root = gql_schema.mutation_type
    if root is None or mutation not in root.fields:
        return ""
    named = get_named_type(root.fields[mutation].type)
    if isinstance(named, GraphQLUnionType):
        parts = ["__typename"]
        for member in named.types:
            if _is_error(member):
                extra = " blockers" if "blockers" in member.fields else ""
                parts.append(f"... on {member.name} {{ message{extra} }}")
            elif success:
                parts.append(f"... on {member.name} {{ {success} }}")
        return "{ " + " ".join(parts) + " }"
    if isinstance(named, GraphQLObjectType):
        return "{ __typename " + (success or "__typename") + " }"
    return ""


def type_fields(type_name: str, wanted: str) -> str:
    """The subset of `wanted` (space-separated field names) that the schema's type really has."""
    gql_type = _schema().type_map.get(type_name)
    fields = getattr(gql_type, "fields", None) or {}
    return " ".join(name for name in wanted.split() if name in fields)
