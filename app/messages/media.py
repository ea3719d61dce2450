"""Texts of the media area's expected failures (keys raised in app/domain)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
