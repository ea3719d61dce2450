"""Typed errors for mutation results: `... on ValidationError { message field }` lets clients branch."""

from __future__ import annotations

import re

import strawberry

from app.domain import errors as domain


@strawberry.interface(description="An expected failure: the message is safe to show to a user.")
class Error:
    message: str

    @strawberry.field(
        description="Machine-readable kind, as in `extensions.code` of top-level errors: VALIDATION, NOT_FOUND, "
        "FORBIDDEN, BLOCKED, CONFLICT, RATE_LIMITED, ..."
    )
    def code(self) -> str:
        return _code_of(type(self).__name__)


def _code_of(type_name: str) -> str:
    """`NotFoundError` → `NOT_FOUND` (every error type, including ones added later, gets its code)."""
    base = type_name.removesuffix("Error") or type_name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).upper()


@strawberry.type
class ValidationError(Error):
    field: str | None = None


@strawberry.type
class NotFoundError(Error):
    pass


@strawberry.type
class ForbiddenError(Error):
    pass


@strawberry.type
class BlockedError(Error):
    blockers: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class ConflictError(Error):
    pass


@strawberry.type
class RateLimitedError(Error):
    pass


ERROR_TYPES = (ValidationError, NotFoundError, ForbiddenError, BlockedError, ConflictError, RateLimitedError)


def to_graphql_error(exc: domain.DomainError) -> Error:
    if isinstance(exc, domain.ValidationError):
        return ValidationError(message=exc.message, field=exc.field)
    if isinstance(exc, domain.NotFoundError):
        return NotFoundError(message=exc.message)
    if isinstance(exc, domain.ForbiddenError | domain.AuthenticationError):
        return ForbiddenError(message=exc.message)
    if isinstance(exc, domain.BlockedError):
        return BlockedError(message=exc.message, blockers=list(exc.blockers))
    if isinstance(exc, domain.RateLimitedError):
        return RateLimitedError(message=exc.message)
    return ConflictError(message=exc.message)
