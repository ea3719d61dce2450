"""Reading and checking an RRULE against RFC 5545 §3.3.10 for a VEVENT (pure).

`parse_spec` turns a rule into a `RuleSpec` or raises a `ValidationError` (field `recurrenceRule`) that names
the offending part. Everything the RFC allows is accepted, with two documented exceptions kept by policy:
SECONDLY/MINUTELY frequencies (screens are not switched every minute) and COUNT/INTERVAL above sane caps.
One input shorthand is converted to the RFC's UTC form when the rule is stored: a date-only UNTIL (the
whole local day in the school time zone, what the calendar's editor sends). A floating local date-time UNTIL
is refused (RFC 5545: with a zoned start, UNTIL is UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from app.domain.errors import ValidationError

FIELD = "recurrenceRule"
MAX_RULE_LENGTH = 1000
MAX_COUNT = 5000
MAX_INTERVAL = 1000
UTC_FORMAT = "%Y%m%dT%H%M%SZ"

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
# (lowest, highest, signed) per numeric list part, RFC 5545 §3.3.10 grammar.
_RANGES: dict[str, tuple[int, int, bool]] = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_NUMBER = re.compile(r"^([+-]?)(\d{1,3})$")
_WEEKDAY_NUM = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A checked rule. Lists are sorted tuples or None when the rule does not name the part.

    `byday` holds (ordinal, weekday) pairs, ordinal 0 meaning "every", weekday 0 = Monday.
    """

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    bysecond: tuple[int, ...] | None = None
    byminute: tuple[int, ...] | None = None
    byhour: tuple[int, ...] | None = None
    byday: tuple[tuple[int, int], ...] | None = None
    bymonthday: tuple[int, ...] | None = None
    byyearday: tuple[int, ...] | None = None
    byweekno: tuple[int, ...] | None = None
    bymonth: tuple[int, ...] | None = None
    bysetpos: tuple[int, ...] | None = None
    wkst: int = 0


def invalid(key: str, **params: object) -> ValidationError:
    """A refused recurrence rule: `key` names the reason (texts in app/messages/events.py)."""
    return ValidationError(key, field=FIELD, **params)


def _numbers(key: str, value: str) -> tuple[int, ...]:
    low, high, signed = _RANGES[key]
    out: set[int] = set()
    for item in value.split(","):
        match = _NUMBER.match(item)
        if match is None or (match.group(1) and not signed):
            raise invalid("rrule.bad_value", part=key, value=repr(item[:12]))
        number = int(match.group(2))
        if not low <= number <= high:
            sign = "±" if signed else ""
            raise invalid("rrule.out_of_range", part=key, value=item[:12], low=f"{sign}{low}", high=f"{sign}{high}")
        out.add(-number if match.group(1) == "-" else number)
    return tuple(sorted(out))


def _weekdays(value: str) -> tuple[tuple[int, int], ...]:
    out: set[tuple[int, int]] = set()
    for item in value.split(","):
        match = _WEEKDAY_NUM.match(item)
        if match is None or (match.group(1) and not match.group(2)):
            raise invalid("rrule.bad_weekday", value=repr(item[:12]))
        ordinal = int(match.group(2) or 0)
        if match.group(2) and not 1 <= ordinal <= 53:
            raise invalid("rrule.byday_ordinal", value=item[:12])
        out.add((-ordinal if match.group(1) == "-" else ordinal, WEEKDAYS.index(match.group(3))))
    return tuple(sorted(out))


def parse_until(value: str, tz: tzinfo) -> datetime:
    """UNTIL as aware UTC: `...Z` is UTC, a date means the end of that local day.

    A floating local date-time is refused: RFC 5545 requires UTC when the start has a time zone.
    """
    text = value.strip().upper()
    try:
        if text.endswith("Z") and len(text) == 16:
            return datetime.strptime(text, UTC_FORMAT).replace(tzinfo=UTC)
        if "T" in text and len(text) == 15:
            datetime.strptime(text, "%Y%m%dT%H%M%S")
            raise invalid("rrule.until_floating", value=value[:20])
        if len(text) != 8:
            raise ValueError(text)
        day = datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise invalid("rrule.bad_until", value=value[:40]) from None
    # A date-only UNTIL includes the whole (local) day.
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def split_parts(rule: str) -> dict[str, str]:
    """The rule's NAME=VALUE parts (upper-case), refusing anything that is not one RRULE value."""
    text = rule.strip()
    if len(text) > MAX_RULE_LENGTH:
        raise invalid("rrule.too_long")
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]
    body = lines[0] if len(lines) == 1 else ":"
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if ":" in body:
        raise invalid("rrule.only_rrule")
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not value:
            raise invalid("rrule.bad_part", value=chunk[:40])
        if key == "DTSTART":
            raise invalid("rrule.dtstart")
        if key not in _PARTS:
            raise invalid("rrule.unsupported_part", part=key[:20])
        if key in parts:
            raise invalid("rrule.repeated_part", part=key)
        parts[key] = value
    return parts


def _check_freq(parts: dict[str, str]) -> str:
    freq = parts.get("FREQ")
    if freq is None:
        raise invalid("rrule.freq_missing")
    if freq in ("SECONDLY", "MINUTELY"):
        raise invalid("rrule.too_frequent")
    if freq not in FREQS:
        raise invalid("rrule.unknown_freq", freq=freq[:20])
    return freq


def _check_combinations(spec: RuleSpec, parts: dict[str, str]) -> None:
    """The RFC 5545 §3.3.10 restrictions on which parts go with which frequency."""
    freq = spec.freq
    if spec.byweekno is not None and freq != "YEARLY":
        raise invalid("rrule.byweekno_yearly")
    if spec.byyearday is not None and freq in ("MONTHLY", "WEEKLY", "DAILY"):
        raise invalid("rrule.byyearday_freq", freq=freq)
    if spec.bymonthday is not None and freq == "WEEKLY":
        raise invalid("rrule.bymonthday_weekly")
    if spec.byday is not None and any(n for n, _ in spec.byday):
        if freq not in ("MONTHLY", "YEARLY"):
            raise invalid("rrule.byday_number_freq", freq=freq)
        if spec.byweekno is not None:
            raise invalid("rrule.byday_number_byweekno")
    if spec.bysetpos is not None and not any(k.startswith("BY") and k != "BYSETPOS" for k in parts):
        raise invalid("rrule.bysetpos_alone")


def parse_spec(rule: str, tz: tzinfo, *, strict: bool = True) -> RuleSpec:
    """Check `rule` and return it as a RuleSpec (UNTIL converted to UTC).

    `strict=False` skips the frequency/part combination checks: a rule stored before they existed is still
    expanded (as dateutil read it) instead of stopping the scheduler.
    """
    parts = split_parts(rule)
    freq = _check_freq(parts)
    if "COUNT" in parts and "UNTIL" in parts:
        raise invalid("rrule.count_and_until")
    bounded: dict[str, int] = {}
    for key, upper in (("COUNT", MAX_COUNT), ("INTERVAL", MAX_INTERVAL)):
        if key in parts:
            if not parts[key].isdigit() or not 1 <= int(parts[key]) <= upper:
                raise invalid("rrule.bounded", part=key, upper=upper)
            bounded[key] = int(parts[key])
    wkst = 0
    if "WKST" in parts:
        if parts["WKST"] not in WEEKDAYS:
            raise invalid("rrule.bad_wkst", value=repr(parts["WKST"][:12]))
        wkst = WEEKDAYS.index(parts["WKST"])
    lists = {key.lower(): _numbers(key, parts[key]) for key in _RANGES if key in parts}
    spec = RuleSpec(
        freq=freq,
        interval=bounded.get("INTERVAL", 1),
        count=bounded.get("COUNT"),
        until=parse_until(parts["UNTIL"], tz) if "UNTIL" in parts else None,
        byday=_weekdays(parts["BYDAY"]) if "BYDAY" in parts else None,
        wkst=wkst,
        **lists,
    )
    if strict:
        _check_combinations(spec, parts)
    return spec


def canonical_text(rule: str, spec: RuleSpec) -> str:
    """FREQ first, the other parts sorted by name, UNTIL in UTC, COUNT/INTERVAL without leading zeros."""
    parts = split_parts(rule)
    if spec.until is not None:
        parts["UNTIL"] = spec.until.strftime(UTC_FORMAT)
    for key in ("COUNT", "INTERVAL"):
        if key in parts:
            parts[key] = str(int(parts[key]))
    order = ["FREQ", *sorted(k for k in parts if k != "FREQ")]
    return ";".join(f"{k}={parts[k]}" for k in order)
