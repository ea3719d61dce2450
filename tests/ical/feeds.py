"""Realistic iCalendar holiday feeds, modelled on the Austrian (Wien) school-holiday feeds schools subscribe to.

DTEND of all-day events is exclusive, as in the real feeds; one entry is broken on purpose, one cancelled,
one repeats another (a duplicate), one is a yearly RRULE and one is a timed event in UTC.
"""

from __future__ import annotations

WIEN_2025_26 = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Schulferien Oesterreich//Wien 2025/26//DE
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Schulferien Wien
X-WR-TIMEZONE:Europe/Vienna
BEGIN:VEVENT
UID:herbst-2025-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20251027
DTEND;VALUE=DATE:20251101
SUMMARY:Herbstferien
LOCATION:Wien
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
UID:nationalfeiertag@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20201026
DTEND;VALUE=DATE:20201027
RRULE:FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=26
SUMMARY:Nationalfeiertag
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:autonom-2025-11-03@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20251103
SUMMARY:Schulautonomer Tag
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:weihnachten-2025-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20251224
DTEND;VALUE=DATE:20260107
SUMMARY:Weihnachtsferien
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:herbst-2025-wien-copy@other.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20251027
DTEND;VALUE=DATE:20251101
SUMMARY:Herbstferien
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:semester-2026-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20260202
DTEND;VALUE=DATE:20260208
SUMMARY:Semesterferien
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:broken@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20261345
SUMMARY:Kaputter Eintrag
END:VEVENT
BEGIN:VEVENT
UID:sporttag@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART:20260211T230000Z
DTEND:20260212T230000Z
SUMMARY:Unterrichtsfrei (Wintersporttag)
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:cancelled@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20260306
SUMMARY:Abgesagter Fenstertag
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:ostern-2026-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20260328
DTEND;VALUE=DATE:20260407
SUMMARY:Osterferien
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:pfingsten-2026-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20260523
DTEND;VALUE=DATE:20260526
SUMMARY:Pfingstferien
LOCATION:Wien
END:VEVENT
BEGIN:VEVENT
UID:sommer-2026-wien@schulferien.example
DTSTAMP:20250601T080000Z
DTSTART;VALUE=DATE:20260704
DTEND;VALUE=DATE:20260907
SUMMARY:Sommerferien
LOCATION:Wien
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")

# Every holiday the feed gives inside 2025-09-01 – 2026-07-03, as (name, region, first day, last day).
WIEN_EXPECTED = [
    ("Nationalfeiertag", "Wien", "2025-10-26", "2025-10-26"),
    ("Herbstferien", "Wien", "2025-10-27", "2025-10-31"),
    ("Schulautonomer Tag", "Wien", "2025-11-03", "2025-11-03"),
    ("Weihnachtsferien", "Wien", "2025-12-24", "2026-01-06"),
    ("Semesterferien", "Wien", "2026-02-02", "2026-02-07"),
    ("Unterrichtsfrei (Wintersporttag)", "Wien", "2026-02-12", "2026-02-12"),
    ("Osterferien", "Wien", "2026-03-28", "2026-04-06"),
    ("Pfingstferien", "Wien", "2026-05-23", "2026-05-25"),
]
