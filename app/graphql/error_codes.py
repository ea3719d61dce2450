"""Error masking plus machine-readable codes: every error in `errors[]` carries `extensions.code`.

Domain errors keep their (user-safe) message and get their code (`UNAUTHENTICATED`, `FORBIDDEN`,
`RATE_LIMITED`, ...); anything else is replaced by a generic message with `INTERNAL_SERVER_ERROR`, so no
SQL, path or traceback reaches a caller. Errors about the query itself (syntax, limits, unknown fields)
come from graphql-core and are safe as they are.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from app.domain.errors import DomainError

INTERNAL_CODE = "INTERNAL_SERVER_ERROR"
QUERY_CODE = "GRAPHQL_VALIDATION_FAILED"


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
        for error in errors:
            if self.should_mask_error(error):
                processed.append(self.anonymise_error(error))
                continue
            extensions = dict(error.extensions or {})
            extensions.setdefault("code", _code_for(error))
            original = error.original_error
            if isinstance(original, DomainError) and original.field:
                extensions.setdefault("field", original.field)
            error.extensions = extensions
            processed.append(error)
        return processed
