"""The holiday write policy (seed-spec §7), pure so manual writes and imports apply the same rule.

- A holiday is identified by its normalised name + region (case, inner whitespace ignored).
- Same identity overlapping or adjacent (the day after/before) ranges merge into one.
- A different identity overlapping the (merged) range is a conflict: manual writes are refused,
  imports skip the row and report it.
- An identical (or already covered) range of the same identity is a duplicate: nothing new to write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

_ONE_DAY = timedelta(days=1)


class HolidayLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def region(self) -> str | None: ...

    @property
    def start_date(self) -> date: ...

    @property
    def end_date(self) -> date: ...


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def identity(name: str, region: str | None) -> tuple[str, str]:
    return _norm(name), _norm(region)


class Outcome(StrEnum):
    INSERT = "insert"
    MERGE = "merge"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class WritePlan:
    outcome: Outcome
    start_date: date
    end_date: date
    # MERGE: the same-identity holidays the write absorbs (the first one survives when inserting).
    absorbed: list[HolidayLike] = field(default_factory=list)
    # CONFLICT: the overlapping holidays of another identity. DUPLICATE: the holiday already covering it.
    others: list[HolidayLike] = field(default_factory=list)


def plan_write(
    name: str,
    region: str | None,
    start: date,
    end: date,
    existing: Sequence[HolidayLike],
    *,
    editing_id: int | None = None,
) -> WritePlan:
    """What writing this range means against the holidays of the same period (`editing_id` excluded)."""
    key = identity(name, region)
    others = [h for h in existing if h.id != editing_id]
    same = [h for h in others if identity(h.name, h.region) == key]

    lo, hi = start, end
    absorbed: list[HolidayLike] = []
    changed = True
    while changed:  # a merge can make the range reach further same-identity holidays
        changed = False
        for h in same:
            if h in absorbed:
                continue
            if h.start_date <= hi + _ONE_DAY and h.end_date >= lo - _ONE_DAY:
                absorbed.append(h)
                lo, hi = min(lo, h.start_date), max(hi, h.end_date)
                changed = True

    conflicts = [h for h in others if identity(h.name, h.region) != key and h.start_date <= hi and h.end_date >= lo]
    if conflicts:
        return WritePlan(Outcome.CONFLICT, lo, hi, others=sorted(conflicts, key=lambda h: h.start_date))
    if editing_id is None and len(absorbed) == 1:
        covering = absorbed[0]
        if covering.start_date <= start and covering.end_date >= end:
            return WritePlan(Outcome.DUPLICATE, covering.start_date, covering.end_date, others=[covering])
    if absorbed:
        return WritePlan(Outcome.MERGE, lo, hi, absorbed=sorted(absorbed, key=lambda h: (h.start_date, h.id)))
    return WritePlan(Outcome.INSERT, start, end)


def describe(h: HolidayLike) -> str:
    region = f", {h.region}" if h.region else ""
    return f"„{h.name}“{region} ({h.start_date.isoformat()} – {h.end_date.isoformat()})"
