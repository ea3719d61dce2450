"""Expected failures of use cases. Adapters map them to typed GraphQL errors, toasts or log lines."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure; `message` is safe to show to a user."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    code = "validation"


class NotFoundError(DomainError):
    code = "not_found"


class ForbiddenError(DomainError):
    code = "forbidden"


class AuthenticationError(DomainError):
    code = "unauthenticated"


class ConflictError(DomainError):
    code = "conflict"


class BlockedError(DomainError):
    """An operation refused because something depends on the object; `blockers` says what."""

    code = "blocked"

    def __init__(self, message: str, blockers: list[str] | None = None) -> None:
        super().__init__(message)
        self.blockers = blockers or []


class RateLimitedError(DomainError):
    code = "rate_limited"
