"""Which fields of a list's item type a query asks for, so list resolvers read only the columns they need."""

from __future__ import annotations

from functools import cache

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from app.graphql.context import Info


def _walk(selection_set: SelectionSetNode | None, fragments: dict, seen: set[str], names: set[str]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, fragments, seen, names)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)  # validation forbids cycles; this keeps the walk finite anyway
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, fragments, seen, names)


@cache
def _python_names(strawberry_type: type) -> dict[str, str]:
    from app.graphql.schema import schema

    definition = strawberry_type.__strawberry_definition__  # type: ignore[attr-defined]
    converter = schema.config.name_converter
    return {converter.get_graphql_name(f): f.python_name for f in definition.fields}


def selected_attributes(info: Info, item_type: type) -> set[str]:
    """Python attribute names of `item_type` selected under the current field (fragments included).

    Directives are ignored on purpose: a field under `@include(if: false)` is still counted, which only
    means one column more is read.
    """
    raw = info._raw_info
    graphql_names: set[str] = set()
    for node in raw.field_nodes:
        _walk(node.selection_set, raw.fragments, set(), graphql_names)
    mapping = _python_names(item_type)
    return {mapping[name] for name in graphql_names if name in mapping}
