"""User-facing texts of expected failures, by key, in German (default) and English.

The domain raises errors that name a key and parameters (`app/domain/errors.py`); every edge — GraphQL
`Error.message`, dashboard toasts, log lines — turns them into words here, in the caller's language. One
module per area keeps the tables next to each other without one file everybody edits.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from app.domain import errors
from app.messages import alarms, broadcasts, clients, common, events, failures, media, periods, settings, users

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"

# key: (German, English); texts are str.format templates over the error's parameters.
MESSAGES: dict[str, tuple[str, str]] = {}
for _area in (common, users, clients, events, periods, media, settings, alarms, broadcasts, failures):
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


_FIELD = re.compile(r"\{(\w+)(?:[:!][^}]*)?\}")
_NESTED_DEPTH = 2


@lru_cache(maxsize=1)
def _stored_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every German template as a pattern that recovers its parameters, most specific (longest literal) first."""
    patterns: list[tuple[int, re.Pattern[str], str]] = []
    for german, english in MESSAGES.values():
        if german == english:
            continue
        parts: list[str] = []
        seen: set[str] = set()
        position = 0
        for field in _FIELD.finditer(german):
            parts.append(re.escape(german[position : field.start()]))
            name = field.group(1)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            position = field.end()
        parts.append(re.escape(german[position:]))
        literal = len(_FIELD.sub("", german))
        patterns.append((literal, re.compile("".join(parts), re.DOTALL), english))
    patterns.sort(key=lambda item: -item[0])
    return tuple((pattern, english) for _, pattern, english in patterns)


def translate_stored(text: str | None, language: str = DEFAULT_LANGUAGE, _depth: int = 0) -> str:
    """A German text the server stored (a conversion's `errorMessage`, a subscription's `lastError`, a domain
    error's message) in `language`: recognised by its template, re-rendered with the same parameters (which
    are translated too when they are such texts themselves). Unknown text is returned unchanged."""
    if not text or language != "en":
        return text or ""
    for pattern, english in _stored_patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        params = {
            name: translate_stored(value, language, _depth + 1) if _depth < _NESTED_DEPTH else value
            for name, value in match.groupdict().items()
        }
        return _FIELD.sub(lambda f, values=params: str(values.get(f.group(1), f.group(0))), english)
    return text
