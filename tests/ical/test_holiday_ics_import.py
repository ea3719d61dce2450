"""`importHolidays` with a real iCalendar file: detected by content, all-day ranges with DTEND exclusive, a
yearly RRULE expanded inside the period, a timed UTC event on its local day, duplicates, refused VEVENTs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from app.domain.enums import Role
from tests.graphql.test_holidays import add_period, listing
from tests.ical.feeds import WIEN_2025_26, WIEN_EXPECTED
from tests.support.api import Api

IMPORT = (
    "mutation($p: Int!, $f: Upload!) { importHolidays(academicPeriodId: $p, file: $f) { __typename "
    "... on HolidayImportSummary { inserted updated merged skipped conflicts conflictLines skippedLines "
    "refused refusedLines fileFormat } ... on Error { message } } }"
)


async def upload_file(api: Api, token: str, period: int, path: Path, content_type: str = "text/calendar") -> dict:
    content = await asyncio.to_thread(path.read_bytes)
    operations = json.dumps({"query": IMPORT, "variables": {"p": period, "f": None}})
    response = await api.client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (path.name, content, content_type)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["importHolidays"]


async def test_state_holiday_feed_imports_with_a_summary(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    # Named .txt on purpose: the content decides, not the extension.
    feed = tmp_path / "schulferien-wien.txt"
    feed.write_bytes(WIEN_2025_26.encode())

    summary = await upload_file(api, token, period, feed, "text/plain")
    assert summary["__typename"] == "HolidayImportSummary", summary
    assert summary["fileFormat"] == "ics"
    assert summary["inserted"] == len(WIEN_EXPECTED)
    assert (summary["refused"], summary["conflicts"], summary["merged"]) == (2, 0, 0)
    # Skipped: the duplicate Herbstferien, the Sommerferien outside the period and the two refused entries.
    assert summary["skipped"] == 4
    refused = " ".join(summary["refusedLines"])
    assert "Kaputter Eintrag" in refused and "Abgesagter Fenstertag" in refused and "CANCELLED" in refused
    assert any(line.startswith("Zeile ") for line in summary["refusedLines"])
    skipped = " ".join(summary["skippedLines"])
    assert "Herbstferien" in skipped and "bereits erfasst" in skipped
    assert "Sommerferien" in skipped and "außerhalb der Periode" in skipped

    assert await listing(api, token, period) == [tuple(row) for row in WIEN_EXPECTED]

    # The same feed again changes nothing.
    again = await upload_file(api, token, period, feed)
    assert again["inserted"] == 0 and again["merged"] == 0
    assert await listing(api, token, period) == [tuple(row) for row in WIEN_EXPECTED]


async def test_an_unreadable_calendar_is_refused_as_a_whole(api: Api, tmp_path: Path) -> None:
    token = await api.token_for(Role.ADMIN)
    period = await add_period(api)
    empty = tmp_path / "leer.ics"
    empty.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    result = await upload_file(api, token, period, empty)
    assert result["__typename"] == "ValidationError" and "VEVENT" in result["message"]
    assert await listing(api, token, period) == []

    editor = await api.token_for(Role.EDITOR)
    feed = tmp_path / "ferien.ics"
    feed.write_bytes(WIEN_2025_26.encode())
    refused = await upload_file(api, editor, period, feed)
    assert refused["__typename"] == "ForbiddenError"
