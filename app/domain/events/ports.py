"""What the schedule's use cases need beyond `UseCaseDeps`: the settings (school time zone, media paths)."""

from __future__ import annotations

from typing import Protocol

from app.config import Settings
from app.domain.ports import UseCaseDeps


class ScheduleDeps(UseCaseDeps, Protocol):
    """`UseCaseDeps` plus the process settings (app.container.Container satisfies it)."""

    @property
    def settings(self) -> Settings: ...
