"""A Monitoring card's HTML (#17, performance): everything a display or a user sent is shown as text, and
the test ids and `data-health` the tests and the bench look for are all there."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from app.ui.pages.monitoring.cards import (
    card_counts_html,
    card_error_html,
    card_facts_html,
    card_head_html,
    card_shots_html,
)

EVIL = "<img src=x onerror=alert(1)>"
UUID = "0b6f2c1e-0000-4000-8000-000000000001"


class Parsed(HTMLParser):
    """The tags, attributes and text a browser would build from the HTML."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[dict[str, str | None]] = []
        self.texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.append(dict(attrs))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def testids(self) -> set[str | None]:
        return {attrs.get("data-testid") for attrs in self.attrs if "data-testid" in attrs}


def _client(**overrides: Any) -> dict[str, Any]:
    client: dict[str, Any] = {
        "uuid": UUID,
        "description": EVIL,
        "hostname": "pi-1",
        "ip": '10.0.0.1"><script>alert(2)</script>',
        "groupName": f"Raum {EVIL}",
        "status": "CRITICAL",
        "health": {"status": "CRITICAL", "reasons": ["PROCESS_CRASHED", f"CUSTOM {EVIL}"]},
        "processStatus": "CRASHED",
        "currentProcess": f"vlc {EVIL}",
        "screenHealthStatus": "BLACK",
        "latestScreenshotType": "PERIODIC",
        "hasActivePriorityScreenshot": True,
        "priorityScreenshotType": f"<b>{EVIL}</b>",
        "mqttReconnectCount": 3,
        "mqttLastDisconnectAt": None,
        "lastAlive": None,
        "lastScreenshotAnalyzed": None,
        "logCounts": {"error": 2, "warn": 0},
        "latestError": {"message": f"player died {EVIL}"},
    }
    return {**client, **overrides}


def test_values_from_displays_and_users_are_text_never_markup() -> None:
    client = _client()
    for build in (card_head_html, card_shots_html, card_facts_html, card_counts_html, card_error_html):
        parsed = Parsed(build(client))
        # Only the card's own tags: nothing the display sent became an element or an attribute.
        assert set(parsed.tags) <= {"div", "span"}, (build.__name__, parsed.tags)
        assert all(not name.startswith("on") for attrs in parsed.attrs for name in attrs), build.__name__
    head = Parsed(card_head_html(client)).text
    assert EVIL in head  # the name as the admin would read it, literally
    assert f'Raum {EVIL} · 10.0.0.1"><script>alert(2)</script>' in head
    assert f"CUSTOM {EVIL}" in head  # an unknown reason is shown as sent, as text
    assert f"vlc {EVIL}" in Parsed(card_facts_html(client)).text
    assert f"<b>{EVIL}</b>" in Parsed(card_shots_html(client)).text
    assert f"player died {EVIL}" in Parsed(card_error_html(client)).text


def test_card_keeps_its_test_ids_health_and_visible_reasons() -> None:
    client = _client(description="Aula links")
    head = Parsed(card_head_html(client))
    badge = next(attrs for attrs in head.attrs if "data-health" in attrs)
    assert badge["data-health"] == "CRITICAL"
    assert "q-badge" in str(badge["class"]) and "bg-negative" in str(badge["class"])
    # The reasons are text on the card (no hover-only tooltip): keyboard and screen reader users get them too.
    assert "Player abgestürzt" in head.text
    assert f"mon-reasons-{UUID}" in head.testids()
    body = Parsed(card_facts_html(client))
    assert {f"mon-fact-{name}-{UUID}" for name in ("process", "screen", "reconnects", "disconnect")} <= body.testids()
    assert "Schwarz" in body.text
    counts = Parsed(card_counts_html(client)).text
    assert "ERROR 2" in counts and "WARN 0" in counts
    # A healthy display without reasons or errors: no reasons line, no error line.
    healthy = _client(status="HEALTHY", health={"status": "HEALTHY", "reasons": []}, latestError=None)
    assert f"mon-reasons-{UUID}" not in Parsed(card_head_html(healthy)).testids()
    assert card_error_html(healthy) == ""
