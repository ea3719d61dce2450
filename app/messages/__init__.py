"""User-facing texts of expected failures, by key, in German (default) and English.

The domain raises errors that name a key and parameters (`app/domain/errors.py`); every edge — GraphQL
`Error.message`, dashboard toasts, log lines — turns them into words here, in the caller's language. One
module per area keeps the tables next to each other without one file everybody edits.
"""

from __future__ import annotations

from typing import Any, Literal

from app.domain import errors
from app.messages import alarms, broadcasts, clients, common, events, media, periods, settings, users

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"

# key: (German, English); texts are str.format templates over the error's parameters.
MESSAGES: dict[str, tuple[str, str]] = {}
for _area in (common, users, clients, events, periods, media, settings, alarms, broadcasts):
    _overlap = MESSAGES.keys() & _area.MESSAGES.keys()
    if _overlap:
        raise RuntimeError(f"message keys defined twice: {sorted(_overlap)}")
    MESSAGES.update(_area.MESSAGES)


def language_of(value: str | None) -> Language:
    """`en`, `en-GB,en;q=0.9`, ... → `en`; anything else → German."""
    return "en" if (value or "").strip().lower().startswith("en") else DEFAULT_LANGUAGE


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The text for `key`; an unknown key is returned as it is (never an exception in an error path)."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if language == "en" else pair[0]
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def error_text(exc: errors.DomainError, language: str = DEFAULT_LANGUAGE) -> str:
    return translate(exc.key, language, **exc.params)


errors.set_renderer(lambda key, params, language: translate(key, language, **params))
