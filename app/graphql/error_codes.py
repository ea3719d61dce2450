"""Error masking plus machine-readable codes: every error in `errors[]` carries `extensions.code`.

Domain errors keep their (user-safe) message and get their code (`UNAUTHENTICATED`, `FORBIDDEN`,
`RATE_LIMITED`, ...); anything else is replaced by a generic message with `INTERNAL_SERVER_ERROR`, so no
SQL, path or traceback reaches a caller. Errors about the query itself (syntax, limits, unknown fields)
come from graphql-core and are safe as they are (for anonymous callers without "Did you mean …").
When the database cannot be reached the error says so with `SERVICE_UNAVAILABLE` (retry later), still
without any detail of the failure.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLError
from sqlalchemy import exc as sa_exc
from strawberry.extensions import MaskErrors

from app.domain.errors import DomainError
from app.graphql.limits import is_anonymous, without_suggestions

INTERNAL_CODE = "INTERNAL_SERVER_ERROR"
QUERY_CODE = "GRAPHQL_VALIDATION_FAILED"
UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "Der Dienst ist vorübergehend nicht erreichbar (Datenbank). Bitte gleich erneut versuchen."

# MySQL/MariaDB client errors that mean "no server to talk to" (not a bad statement).
_MYSQL_CONNECTION_CODES = frozenset({1040, 1053, 2002, 2003, 2005, 2006, 2013, 2055})
_SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked", "disk i/o error")


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database cannot be reached right now (as opposed to a bug)."""
    if isinstance(error, sa_exc.TimeoutError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        args = getattr(orig, "args", ())
        if args and isinstance(args[0], int) and args[0] in _MYSQL_CONNECTION_CODES:
            return True
        if isinstance(orig, ConnectionError | OSError):
            return True
        return any(text in str(orig).lower() for text in _SQLITE_UNAVAILABLE)
    return False


def _code_for(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code.upper()
    return QUERY_CODE


class CodedMaskErrors(MaskErrors):
    def __init__(self, should_mask_error: Callable[[GraphQLError], bool], error_message: str) -> None:
        super().__init__(should_mask_error=should_mask_error, error_message=error_message)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_CODE}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed: list[GraphQLError] = []
        anonymous = is_anonymous(self.execution_context.context)
        for error in errors:
            if is_unavailable(error.original_error):
                processed.append(
                    GraphQLError(
                        UNAVAILABLE_MESSAGE,
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": UNAVAILABLE_CODE},
                    )
                )
                continue
            if self.should_mask_error(error):
                processed.append(self.anonymise_error(error))
                continue
            if anonymous and error.original_error is None:
                error.message = without_suggestions(error.message)
            extensions = dict(error.extensions or {})
            extensions.setdefault("code", _code_for(error))
            original = error.original_error
            if isinstance(original, DomainError) and original.field:
                extensions.setdefault("field", original.field)
            if isinstance(original, DomainError) and original.key != original.message:
                extensions.setdefault("reason", original.key)
            error.extensions = extensions
            processed.append(error)
        return processed
