"""Which fields of a list's item type a query asks for, so list resolvers read only the columns they need."""

from __future__ import annotations

from functools import cache

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.schema.name_converter import NameConverter

from app.graphql.context import Info


def _walk(selection_set: SelectionSetNode | None, fragments: dict, seen: set[str], found: list[FieldNode]) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _walk(selection.selection_set, fragments, seen, found)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)  # validation forbids cycles; this keeps the walk finite anyway
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(fragment.selection_set, fragments, seen, found)


def _fields_under(nodes: list[FieldNode], fragments: dict) -> list[FieldNode]:
    found: list[FieldNode] = []
    for node in nodes:
        _walk(node.selection_set, fragments, set(), found)
    return found


@cache
def _python_names(strawberry_type: type, converter: NameConverter) -> dict[str, str]:
    definition = strawberry_type.__strawberry_definition__  # type: ignore[attr-defined]
    return {converter.get_graphql_name(f): f.python_name for f in definition.fields}


def selected_attributes(info: Info, item_type: type, *, under: tuple[str, ...] = ()) -> set[str]:
    """Python attribute names of `item_type` selected under the current field (fragments included).

    `under` descends through fields of the current type first, e.g. `("clients",)` for the items of a
    `clients` list inside the current object. Directives are ignored on purpose: a field under
    `@include(if: false)` is still counted, which only means a little more is read.
    """
    raw = info._raw_info
    nodes: list[FieldNode] = list(raw.field_nodes)
    for name in under:
        nodes = [node for node in _fields_under(nodes, raw.fragments) if node.name.value == name]
    # The running schema's converter (from the request, so this module needs no import of the schema).
    mapping = _python_names(item_type, info.schema.config.name_converter)
    return {mapping[n.name.value] for n in _fields_under(nodes, raw.fragments) if n.name.value in mapping}
