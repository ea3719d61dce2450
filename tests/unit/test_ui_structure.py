"""Guards for the dashboard's structure (issue #16): small functions, no run-time schema introspection.

Pages are split into a route module and small views/dialogs; a function over 120 lines in `app/ui` means a
page grew back into one block. The UI writes its selections explicitly against the one mutation shape, so
nothing in `app/ui` may ask the schema at run time which fields or areas exist.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from graphql import ExecutionResult, GraphQLError

from app.ui import gql

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
MAX_FUNCTION_LINES = 120

# Names of the removed probes and of graphql-core's schema internals a page could use to probe again.
INTROSPECTION_NAMES = frozenset(
    {"schema_has", "has_field", "type_fields", "result_selection", "type_map", "get_named_type", "_schema"}
)
INTROSPECTION_QUERY = re.compile(r"__schema\b|__type\s*\(")
# Every typed-error member a page selects asks for the code the UI branches on, not only the words.
ERROR_MEMBER = re.compile(r"\.\.\. on Error \{+([^}]*)\}")


def _modules() -> list[Path]:
    return sorted(p for p in UI.rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_ui_package_is_found() -> None:
    names = {p.relative_to(UI).as_posix() for p in _modules()}
    assert {"gql.py", "layout.py", "pages/calendar/page.py", "pages/groups/page.py"} <= names


def test_no_function_in_the_ui_is_longer_than_120_lines() -> None:
    long = []
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(UI)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []


def test_the_ui_does_not_introspect_the_schema() -> None:
    assert not (UI / "selection.py").exists(), "app/ui/selection.py builds selections from the schema"
    found = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(_tree(path)):
            name = None
            if isinstance(node, ast.Name):
                name = node.id
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.alias):
                name = node.name.rsplit(".", 1)[-1]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = node.name
            if name in INTROSPECTION_NAMES:
                found.append(f"{path.relative_to(UI)}:{getattr(node, 'lineno', '?')} {name}")
        if INTROSPECTION_QUERY.search(source):
            found.append(f"{path.relative_to(UI)}: an introspection query")
    assert found == []


def test_every_error_member_a_page_selects_includes_the_code() -> None:
    missing = []
    for path in _modules():
        for match in ERROR_MEMBER.finditer(path.read_text(encoding="utf-8")):
            if not {"message", "code"} <= set(match.group(1).split()):
                missing.append(f"{path.relative_to(UI)}: {match.group(0)}")
    assert missing == []


def test_a_typed_error_member_becomes_a_gql_error_with_its_code() -> None:
    with pytest.raises(gql.GqlError) as caught:
        gql.ok({"__typename": "ValidationError", "message": "Name fehlt.", "code": "VALIDATION", "field": "name"})
    assert caught.value.code == "VALIDATION"
    assert caught.value.message == "Name fehlt."
    assert not isinstance(caught.value, gql.NotAuthenticatedError)
    assert gql.ok({"__typename": "ClientGroup", "id": 1, "name": "Aula"})["name"] == "Aula"


def test_an_expired_login_is_recognised_by_its_code_in_any_language() -> None:
    # The English text: only the code tells the UI that the user must log in again.
    english = ExecutionResult(
        data=None, errors=[GraphQLError("Not logged in.", extensions={"code": "UNAUTHENTICATED"})]
    )
    with pytest.raises(gql.NotAuthenticatedError):
        gql._raise_for(english)
    with pytest.raises(gql.NotAuthenticatedError):
        gql.ok({"__typename": "ForbiddenError", "message": "Not logged in.", "code": "UNAUTHENTICATED"})
    # The old German text without the code is an ordinary error, not a logout.
    german = ExecutionResult(data=None, errors=[GraphQLError("Nicht angemeldet.", extensions={"code": "FORBIDDEN"})])
    with pytest.raises(gql.GqlError) as caught:
        gql._raise_for(german)
    assert not isinstance(caught.value, gql.NotAuthenticatedError)
    assert caught.value.code == "FORBIDDEN"
