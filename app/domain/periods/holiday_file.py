"""Reading a holiday list (CSV/TXT): `name, start, end[, region]` per line.

Tolerant of what schools actually have: `,` `;` or tab as delimiter, an optional header row (in any
column order when it names the columns), ISO (2025-02-03) or German (03.02.2025) dates, a UTF-8 BOM or
a Windows-1252 export. Anything it cannot read is refused as a whole, naming the line, so an import never
writes half a file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.errors import ValidationError

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_NAME_LENGTH = 150
MAX_REGION_LENGTH = 100
FIELD = "file"

_DELIMITERS = (";", "\t", ",")
_HEADER_NAMES = {
    "name": ("name", "bezeichnung", "ferien", "titel", "holiday", "beschreibung"),
    "start": ("start", "start_date", "startdate", "beginn", "von", "from", "startdatum", "begin"),
    "end": ("end", "end_date", "enddate", "ende", "bis", "to", "enddatum"),
    "region": ("region", "bundesland", "land", "state", "gebiet"),
}
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


@dataclass(frozen=True)
class HolidayRow:
    line: int
    name: str
    start_date: date
    end_date: date
    region: str | None


def _refuse(key: str, **params: object) -> ValidationError:
    return ValidationError(key, field=FIELD, **params)


def parse_date(text: str) -> date | None:
    value = text.strip()
    match = _GERMAN_DATE.match(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return None


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise _refuse("holiday_file.not_text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows


def _pick_delimiter(lines: list[str]) -> str:
    sample = lines[:20]

    def usable(delimiter: str) -> int:
        rows = csv.reader(sample, delimiter=delimiter)
        return sum(1 for row in rows if len(row) >= 3)

    best = max(_DELIMITERS, key=lambda d: (usable(d), -_DELIMITERS.index(d)))
    if usable(best) == 0:
        raise _refuse("holiday_file.no_columns")
    return best


def _header_columns(row: list[str]) -> dict[str, int] | None:
    """Column positions if `row` is a header (its date columns are not dates), else None."""
    if len(row) >= 3 and parse_date(row[1]) is not None and parse_date(row[2]) is not None:
        return None
    cells = [c.strip().lower() for c in row]
    if not any(re.search(r"[a-zäöüß]", c) for c in cells):
        return None
    positions: dict[str, int] = {}
    for key, names in _HEADER_NAMES.items():
        for index, cell in enumerate(cells):
            if cell in names:
                positions[key] = index
                break
    if {"name", "start", "end"} <= positions.keys():
        return positions
    return {"name": 0, "start": 1, "end": 2, "region": 3}  # a header with other words: positional


def parse_holiday_file(data: bytes) -> list[HolidayRow]:
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("holiday.file_too_large")
    text = _decode(data)
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise _refuse("holiday_file.empty")
    delimiter = _pick_delimiter([line for _, line in numbered])
    rows = [(number, next(csv.reader([line], delimiter=delimiter), [])) for number, line in numbered]

    columns = {"name": 0, "start": 1, "end": 2, "region": 3}
    header = _header_columns(rows[0][1])
    if header is not None:
        columns = header
        rows = rows[1:]
    if not rows:
        raise _refuse("holiday_file.header_only")
    if len(rows) > MAX_ROWS:
        raise _refuse("holiday_file.too_many_rows", max=MAX_ROWS)

    result: list[HolidayRow] = []
    for number, cells in rows:

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if len(cells) < 3:
            raise _refuse("holiday_file.row_too_short", line=number)
        name = re.sub(r"\s+", " ", cell("name"))
        if not name:
            raise _refuse("holiday_file.row_name_missing", line=number)
        if len(name) > MAX_NAME_LENGTH:
            raise _refuse("holiday_file.row_name_too_long", line=number, max=MAX_NAME_LENGTH)
        start, end = parse_date(cell("start")), parse_date(cell("end"))
        if start is None or end is None:
            bad = cell("start") if start is None else cell("end")
            raise _refuse("holiday_file.row_bad_date", line=number, value=bad[:40])
        if start > end:
            raise _refuse("holiday_file.row_start_after_end", line=number)
        region = cell("region") or None
        if region is not None and len(region) > MAX_REGION_LENGTH:
            raise _refuse("holiday_file.row_region_too_long", line=number, max=MAX_REGION_LENGTH)
        result.append(HolidayRow(number, name, start, end, region))
    return result
