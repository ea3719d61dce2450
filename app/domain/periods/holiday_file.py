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


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, field=FIELD)


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
        raise _refuse("Die Datei ist keine Textdatei (CSV/TXT erwartet).")
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
        raise _refuse("Keine Spalten erkannt: erwartet werden Name, Start, Ende (getrennt durch ; , oder Tab).")
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
        raise _refuse("Die Datei ist zu groß (höchstens 1 MB).")
    text = _decode(data)
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise _refuse("Die Datei enthält keine Ferien.")
    delimiter = _pick_delimiter([line for _, line in numbered])
    rows = [(number, next(csv.reader([line], delimiter=delimiter), [])) for number, line in numbered]

    columns = {"name": 0, "start": 1, "end": 2, "region": 3}
    header = _header_columns(rows[0][1])
    if header is not None:
        columns = header
        rows = rows[1:]
    if not rows:
        raise _refuse("Die Datei enthält nur eine Kopfzeile.")
    if len(rows) > MAX_ROWS:
        raise _refuse(f"Zu viele Zeilen (höchstens {MAX_ROWS}).")

    result: list[HolidayRow] = []
    for number, cells in rows:

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        if len(cells) < 3:
            raise _refuse(f"Zeile {number}: erwartet werden mindestens Name, Start und Ende.")
        name = re.sub(r"\s+", " ", cell("name"))
        if not name:
            raise _refuse(f"Zeile {number}: der Name fehlt.")
        if len(name) > MAX_NAME_LENGTH:
            raise _refuse(f"Zeile {number}: der Name ist länger als {MAX_NAME_LENGTH} Zeichen.")
        start, end = parse_date(cell("start")), parse_date(cell("end"))
        if start is None or end is None:
            bad = cell("start") if start is None else cell("end")
            raise _refuse(f"Zeile {number}: ungültiges Datum „{bad[:40]}“ (JJJJ-MM-TT oder TT.MM.JJJJ).")
        if start > end:
            raise _refuse(f"Zeile {number}: das Startdatum liegt nach dem Enddatum.")
        region = cell("region") or None
        if region is not None and len(region) > MAX_REGION_LENGTH:
            raise _refuse(f"Zeile {number}: die Region ist länger als {MAX_REGION_LENGTH} Zeichen.")
        result.append(HolidayRow(number, name, start, end, region))
    return result
