"""Typed errors for mutation results: `... on ValidationError { message code reason field }` lets clients branch.

Every mutation returns a union of its result and these types; `as_result` is the one helper that turns a use
case's expected failure (`app.domain.errors.DomainError`) into the union's error member:

    return await as_result(groups.rename_group(deps, caller(info), RenameGroup(id, name)))

- `code` is the kind (`VALIDATION`, `NOT_FOUND`, ...), `reason` the domain's key for the specific failure
  (`group.name_taken`), `message` the words for it in the CALLER's language (`app.messages`): the dashboard
  user's language, `Accept-Language` for HTTP and websocket callers, German by default. The language is set
  per operation by the `CallerLanguage` schema extension from `GraphQLContext.language`.
- Not being logged in is not an expected failure of a mutation: it stays a top-level error
  (`extensions.code = UNAUTHENTICATED`), like for every query — except where the mutation is about logging in
  (`as_result(..., unauthenticated_member=True)` for `login`).
"""

from __future__ import annotations

import contextlib
import inspect
import re
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

import strawberry
from strawberry.extensions import SchemaExtension

from app.domain import errors as domain
from app.messages import DEFAULT_LANGUAGE, error_text, language_of

T = TypeVar("T")

_caller_language: ContextVar[str] = ContextVar("graphql_caller_language", default=DEFAULT_LANGUAGE)


@strawberry.interface(description="An expected failure: the message is safe to show to a user.")
class Error:
    message: str = strawberry.field(description="What went wrong, in the caller's language (German by default).")
    reason: str | None = strawberry.field(
        default=None,
        description="The specific failure as a stable key (`group.name_taken`, `auth.invalid_credentials`, ...): "
        "branch on it; `code` is its kind.",
    )

    @strawberry.field(
        description="Machine-readable kind, as in `extensions.code` of top-level errors: VALIDATION, NOT_FOUND, "
        "FORBIDDEN, UNAUTHENTICATED, BLOCKED, CONFLICT, RATE_LIMITED, ..."
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


@strawberry.type(description="Credentials were refused (only `login` answers with it; elsewhere a top-level error).")
class UnauthenticatedError(Error):
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


def caller_language() -> str:
    """The language of the GraphQL operation being executed (German outside one)."""
    return _caller_language.get()


def to_graphql_error(exc: domain.DomainError, language: str | None = None) -> Error:
    """The typed member for a domain failure, its message in `language` (default: the caller's)."""
    text = error_text(exc, language or caller_language())
    if isinstance(exc, domain.ValidationError):
        return ValidationError(message=text, reason=exc.key, field=exc.field)
    if isinstance(exc, domain.NotFoundError):
        return NotFoundError(message=text, reason=exc.key)
    if isinstance(exc, domain.AuthenticationError):
        return UnauthenticatedError(message=text, reason=exc.key)
    if isinstance(exc, domain.ForbiddenError):
        return ForbiddenError(message=text, reason=exc.key)
    if isinstance(exc, domain.BlockedError):
        return BlockedError(message=text, reason=exc.key, blockers=list(exc.blockers))
    if isinstance(exc, domain.RateLimitedError):
        return RateLimitedError(message=text, reason=exc.key)
    return ConflictError(message=text, reason=exc.key)


async def as_result(
    call: Awaitable[T] | Callable[[], Awaitable[T]], *, unauthenticated_member: bool = False
) -> T | Error:
    """Await a use case (or a coroutine function running one); an expected failure becomes its error member.

    `AuthenticationError` (not logged in) is re-raised as a top-level error unless `unauthenticated_member`
    (the `login` mutation, where refused credentials are the expected failure).
    """
    try:
        return await (call if inspect.isawaitable(call) else call())
    except domain.AuthenticationError as exc:
        if not unauthenticated_member:
            raise
        return to_graphql_error(exc)
    except domain.DomainError as exc:
        return to_graphql_error(exc)


class CallerLanguage(SchemaExtension):
    """Sets the language `to_graphql_error` renders in for one operation, from `context.language`."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        language = language_of(getattr(context, "language", None))
        token = _caller_language.set(language)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):  # finished in another context: nothing to undo
                _caller_language.reset(token)
