"""Announcing committed changes to events on the bus (EVENTS_CHANGED), in one shape for every listener.

The scheduler only needs to know that something changed; live calendars need which groups and which event,
so each change is one message `{"group_ids": [...], "event_id": int | None, "change": <kind>}`. A change that
moves an event between groups names both groups in the same message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.bus import EVENTS_CHANGED, DomainEvent
from app.domain.usecase import UnitOfWork

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
OCCURRENCE_DELETED = "occurrence_deleted"
OCCURRENCE_DETACHED = "occurrence_detached"
# Holidays of a period changed: shading in every calendar and the skips of the listed groups' events.
HOLIDAYS = "holidays"
KINDS = frozenset({CREATED, UPDATED, DELETED, OCCURRENCE_DELETED, OCCURRENCE_DETACHED, HOLIDAYS})


def change_data(group_ids: Iterable[int | None], change: str, event_id: int | None = None) -> dict[str, Any]:
    if change not in KINDS:
        raise ValueError(f"unknown events change kind: {change}")
    return {"group_ids": sorted({g for g in group_ids if g is not None}), "event_id": event_id, "change": change}


def events_changed(group_ids: Iterable[int | None], change: str, *, event_id: int | None = None) -> DomainEvent | None:
    """The one EVENTS_CHANGED of a change (a use case announces it); None when no group is affected
    (except holidays, which every calendar shades)."""
    data = change_data(group_ids, change, event_id)
    if data["group_ids"] or change == HOLIDAYS:
        return DomainEvent(EVENTS_CHANGED, data)
    return None


def parse_change(data: dict[str, Any]) -> tuple[list[int], int | None, str] | None:
    """The (group ids, event id, kind) of a bus message, or None for a malformed one (dropped by callers)."""
    raw_groups = data.get("group_ids")
    if not isinstance(raw_groups, list) or not all(isinstance(g, int) and not isinstance(g, bool) for g in raw_groups):
        return None
    event_id = data.get("event_id")
    if event_id is not None and (not isinstance(event_id, int) or isinstance(event_id, bool)):
        return None
    change = data.get("change", UPDATED)
    if change not in KINDS:
        return None
    return sorted(set(raw_groups)), event_id, str(change)


def announce_change(
    uow: UnitOfWork, group_ids: Iterable[int | None], change: str, *, event_id: int | None = None
) -> None:
    """Have the use case's unit of work publish the change after its commit (never on failure)."""
    event = events_changed(group_ids, change, event_id=event_id)
    if event is not None:
        uow.announce(event)
