"""Einstellungen → Alarme in a real browser: SMTP settings stored over the environment's, a new e-mail
channel, and "Test senden" delivering a real mail to an aiosmtpd server on loopback; the page in English."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from tests.alarms.receivers import Mailbox
from tests.support.process import InfoscreenProcess
from tests.support.servers import free_port
from tests.ui.conftest import SUPERADMIN, login, open_tab, shot

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def _wait_for_mail(box: Mailbox, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(box.messages) < count:
        assert time.monotonic() < deadline, f"only {len(box.messages)} mail(s) arrived"
        time.sleep(0.2)


def _db(server: InfoscreenProcess) -> sqlite3.Connection:
    return sqlite3.connect(Path(server.env["DATA_DIR"]) / "infoscreen.db")


def _dead_letter(server: InfoscreenProcess, channel_id: int) -> None:
    """A delivery that used up its attempts (as five failed runs would leave it), written into the server's
    own database: waiting out the real backoff would take a quarter of an hour."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with closing(_db(server)) as db, db:
        db.execute(
            "INSERT INTO alarms (dedupe_key, kind, severity, state, details, first_seen, last_seen, raised_at,"
            " created_at) VALUES ('fleet', 'FLEET_OUTAGE', 'CRITICAL', 'ACTIVE', '{}', ?, ?, ?, ?)",
            (now, now, now, now),
        )
        db.execute(
            "INSERT INTO notification_deliveries (channel_id, alarm_id, change, status, attempts, next_attempt_at,"
            " last_error, created_at) VALUES (?, last_insert_rowid(), 'raised', 'dead', 5, ?, ?, ?)",
            (channel_id, now, "SMTP: connection refused", now),
        )
        db.execute("UPDATE notification_channels SET last_error = 'SMTP: connection refused' WHERE id = ?",
                   (channel_id,))  # fmt: skip


def _delivery_status(server: InfoscreenProcess) -> tuple[str, int]:
    with closing(_db(server)) as db:
        status, attempts = db.execute("SELECT status, attempts FROM notification_deliveries").fetchone()
    return str(status), int(attempts)


def test_smtp_settings_a_new_channel_and_send_a_test(page: Page, mailbox: Mailbox, server: InfoscreenProcess) -> None:
    login(page, *SUPERADMIN)
    page.goto("/settings")
    smtp = page.get_by_test_id("smtp-card")
    open_tab(page, "Alarme", shows=smtp)
    page.get_by_test_id("smtp-host").fill("127.0.0.1")
    page.get_by_test_id("smtp-port").fill(str(mailbox.port))
    page.get_by_test_id("smtp-security").click()
    page.get_by_role("option", name="—").click()
    page.get_by_test_id("smtp-from").fill("alarme@schule.example")
    page.get_by_test_id("smtp-save").click()
    expect(page.get_by_test_id("smtp-overridden")).to_have_text("Hier gespeichert: host, port, security, from_address")

    page.get_by_test_id("channel-new").click()
    page.get_by_test_id("channel-form-name").fill("IT-Team")
    page.get_by_test_id("channel-form-target").fill("it@schule.example, hausmeister@schule.example")
    page.get_by_test_id("channel-form-save").click()
    row = page.get_by_test_id("channel-row").filter(has_text="IT-Team")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Alle Arten · Alle Gruppen")

    row.get_by_test_id("channel-test").click()
    _wait_for_mail(mailbox, 1)
    expect(page.get_by_text("Testnachricht gesendet")).to_be_visible()
    (mail,) = mailbox.messages
    assert str(mail["Subject"]) == "[Infoscreen] Test: Benachrichtigungen funktionieren"
    assert str(mail["To"]) == "it@schule.example, hausmeister@schule.example"
    assert str(mail["From"]) == "alarme@schule.example"
    expect(row).to_contain_text("Zuletzt gesendet")
    shot(page, "alarm-settings")

    # A message given up after its last attempt shows on the channel and is queued again by "Erneut versuchen".
    _dead_letter(server, int(row.get_attribute("data-channel-id") or 0))
    page.reload()
    open_tab(page, "Alarme", shows=page.get_by_test_id("smtp-card"))
    row = page.get_by_test_id("channel-row").filter(has_text="IT-Team")
    expect(row.get_by_test_id("channel-dead")).to_have_text("1 Nachricht(en) aufgegeben")
    expect(row.get_by_test_id("channel-error")).to_have_text("Letzter Fehler: SMTP: connection refused")
    row.get_by_test_id("channel-retry").click()
    expect(page.get_by_text("1 Nachricht(en) werden erneut gesendet")).to_be_visible()
    expect(row.get_by_test_id("channel-dead")).to_have_count(0)
    assert _delivery_status(server) == ("pending", 0)

    # A channel that cannot deliver shows its error on the row.
    row.get_by_test_id("channel-edit").click()
    page.get_by_test_id("channel-form-target").fill("niemand")
    page.get_by_test_id("channel-form-save").click()
    expect(page.get_by_text("Mindestens eine gültige E-Mail-Adresse angeben.")).to_be_visible()
    page.keyboard.press("Escape")

    # English, then delete the channel.
    page.goto("/profile")
    page.get_by_test_id("profile-language").get_by_text("English").click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en\b"))
    page.goto("/settings")
    page.get_by_role("tab", name="Alarms").click()
    english = page.get_by_test_id("channel-row").filter(has_text="IT-Team")
    expect(english.get_by_test_id("channel-test")).to_have_text(re.compile("Send test", re.I))
    english.get_by_test_id("channel-delete").click()
    expect(page.get_by_text("No channels yet.")).to_be_visible()
    page.goto("/profile")
    page.get_by_test_id("profile-language").get_by_text("Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_profile_alarm_mails_need_an_address_and_keep_the_choice(page: Page) -> None:
    login(page, *SUPERADMIN)
    page.goto("/profile")
    card = page.get_by_test_id("alarm-subscription")
    page.get_by_test_id("profile-email").fill("")
    page.get_by_test_id("profile-save").click()
    card.get_by_test_id("alarmsub-enabled").click()
    card.get_by_test_id("alarmsub-save").click()
    expect(page.get_by_text("Für Alarm-Mails zuerst im Profil eine E-Mail-Adresse hinterlegen.")).to_be_visible()

    page.get_by_test_id("profile-email").fill("admin@schule.example")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_text("Profil gespeichert")).to_be_visible()
    card.get_by_test_id("alarmsub-mode").get_by_text("Tägliche Zusammenfassung").click()
    card.get_by_test_id("alarmsub-time").fill("06:45")
    card.get_by_test_id("alarmsub-cleared").click()
    card.get_by_test_id("alarmsub-save").click()
    expect(page.get_by_text("Alarm-Mails gespeichert")).to_be_visible()
    shot(page, "profile-alarm-mails")

    page.reload()
    card = page.get_by_test_id("alarm-subscription")
    expect(card.get_by_test_id("alarmsub-enabled")).to_have_attribute("aria-checked", "true")
    expect(card.get_by_test_id("alarmsub-time")).to_have_value("06:45")
    expect(card.get_by_test_id("alarmsub-cleared")).to_have_attribute("aria-checked", "false")
