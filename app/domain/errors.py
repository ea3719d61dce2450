"""Expected failures of use cases. Adapters map them to typed GraphQL errors, toasts or log lines.

The domain names a failure by a stable key (`"group.name_taken"`) and its parameters; it writes no user
text. The words, German and English, live at the edge (`app/messages`), which installs the renderer used
by `message` (the German text, for logs and callers that have no language) through `set_renderer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[str, dict[str, Any], str], str]


def _keys_only(key: str, params: dict[str, Any], language: str) -> str:
    return key


_renderer: Renderer = _keys_only


def set_renderer(renderer: Renderer) -> None:
    """Installed once by `app.messages` (the edge): how a key and its parameters become words."""
    global _renderer
    _renderer = renderer


class DomainError(Exception):
    """Base of every expected failure: `key` names it, `params` fill its text, `field` points at the input.

    `code` is the kind (`VALIDATION`, `NOT_FOUND`, ...), the same for every key of one class.
    """

    code = "DOMAIN_ERROR"

    def __init__(self, key: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = params

    def text(self, language: str = "de") -> str:
        return _renderer(self.key, self.params, language)

    @property
    def message(self) -> str:
        """The German text (the dashboard's default language)."""
        return self.text("de")

    def __str__(self) -> str:
        return self.message


class ValidationError(DomainError):
    code = "VALIDATION"


class NotFoundError(DomainError):
    code = "NOT_FOUND"


class ForbiddenError(DomainError):
    code = "FORBIDDEN"


class AuthenticationError(DomainError):
    code = "UNAUTHENTICATED"


class ConflictError(DomainError):
    code = "CONFLICT"


class BlockedError(DomainError):
    """An operation refused because something depends on the object; `blockers` says what."""

    code = "BLOCKED"

    def __init__(self, key: str, blockers: list[str] | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.blockers = blockers or []


class RateLimitedError(DomainError):
    code = "RATE_LIMITED"
