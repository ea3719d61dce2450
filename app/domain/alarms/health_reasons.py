"""The one health rule's reasons for one display, read from its `clients` row.

`classify_health` (app.domain.monitoring.classify) takes a display's state as keywords. Every keyword that
names a `clients` column is read from that column; the clock-derived ones (`since`, the log window, and
`content_cutoff`, the content-match grace) come from the evaluation; `alive` is true (only displays the rule's
SQL twin classified as alive are asked). So an input the rule gains later (a new column) is read without a
change here. Should the rule ever need a keyword that is none of these, the display is classified without
reasons (logged once): its alarm is still raised, it only names no reason.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.clients.models import Client
from app.domain.monitoring.classify import classify_health

log = logging.getLogger(__name__)

# The rule's default content-match grace (CONTENT_MISMATCH_GRACE_SECONDS' default).

_RULE = inspect.signature(classify_health).parameters
_COLUMNS = Client.__table__.c
ROW_INPUTS: tuple[str, ...] = tuple(name for name in _RULE if name in _COLUMNS)
_CLOCK_INPUTS = ("alive", "since", "content_cutoff")
_UNKNOWN = tuple(
    name
    for name, parameter in _RULE.items()
    if name not in ROW_INPUTS and name not in _CLOCK_INPUTS and parameter.default is inspect.Parameter.empty
)
_warned: list[bool] = []


def rule_columns() -> list[Any]:
    """The `clients` columns the rule reads, labelled with their keyword."""
    return [_COLUMNS[name].label(name) for name in ROW_INPUTS]


def reasons_of(row: Mapping[str, Any], since: datetime, cutoff: datetime) -> tuple[str, ...]:
    """The rule's reasons for an alive display, as their plain values (e.g. "process_crashed")."""
    if _UNKNOWN:
        if not _warned:
            _warned.append(True)
            log.warning("event=alarm_reasons_unavailable unknown_inputs=%s", ",".join(_UNKNOWN))
        return ()
    clock = {"alive": True, "since": since, "content_cutoff": cutoff}
    inputs = {name: row[name] for name in ROW_INPUTS} | {k: v for k, v in clock.items() if k in _RULE}
    return tuple(str(reason) for reason in classify_health(**inputs).reasons)
