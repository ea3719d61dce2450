"""Broker access in a real browser against a real Mosquitto with dynamic security.

This module runs its own `infoscreen run` with MQTT_DYNSEC_ENABLED (the `server` fixture of tests/ui is
overridden here): a display announces itself with the shared provisioning login, an admin approves it on
the Raumgruppen & Clients page, reads the one-time credentials from the dialog, and the display logs in
with exactly those. Rotation and revocation are checked the same way, on the broker.
"""

from __future__ import annotations

import os
import uuid as uuidlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.production.support import GRANTED_QOS1, SecureDisplay
from tests.support.process import InfoscreenProcess, infoscreen
from tests.support.servers import DynsecBroker, mosquitto_dynsec_server
from tests.ui.conftest import SUPERADMIN, login, shot

PROVISIONING_USER = "infoscreen-provisioning"
PROVISIONING_PASSWORD = "provisioning-password-42"


@pytest.fixture(scope="module")
def dynsec_broker() -> Iterator[DynsecBroker]:
    with mosquitto_dynsec_server() as broker:
        yield broker


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, dynsec_broker: DynsecBroker) -> Iterator[InfoscreenProcess]:
    tmp = tmp_path_factory.mktemp("ui-dynsec-server")
    saved = os.environ.pop("PYTEST_CURRENT_TEST", None)  # NiceGUI must behave as in production
    try:
        with infoscreen(
            "run",
            tmp,
            MQTT_BROKER_HOST="127.0.0.1",
            MQTT_BROKER_PORT=str(dynsec_broker.port),
            MQTT_USER=dynsec_broker.admin_user,
            MQTT_PASSWORD=dynsec_broker.admin_password,
            MQTT_DYNSEC_ENABLED="true",
            MQTT_PROVISIONING_USER=PROVISIONING_USER,
            MQTT_PROVISIONING_PASSWORD=PROVISIONING_PASSWORD,
            HEARTBEAT_GRACE_PERIOD_DEV="30",
        ) as proc:
            if saved is not None:
                os.environ["PYTEST_CURRENT_TEST"] = saved
                saved = None
            yield proc
            proc.terminate()
    finally:
        if saved is not None:
            os.environ["PYTEST_CURRENT_TEST"] = saved


def _login_as_display(broker: DynsecBroker, uuid: str, username: str, password: str) -> SecureDisplay:
    return SecureDisplay(broker.port, f"{uuid}-{uuidlib.uuid4().hex[:6]}", username, password).connect()


def _read_credentials(page: Page) -> tuple[str, str]:
    dialog = page.get_by_test_id("broker-credentials")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("broker-once-note")).to_contain_text("nur jetzt angezeigt")
    username = dialog.get_by_test_id("broker-username").input_value()
    password = dialog.get_by_test_id("broker-password").input_value()
    assert username and len(password) >= 24
    return username, password


def test_an_admin_approves_an_announced_display_and_it_logs_in_with_the_shown_credentials(
    page: Page, dynsec_broker: DynsecBroker
) -> None:
    login(page, *SUPERADMIN)
    page.get_by_test_id("nav-groups").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Raumgruppen & Clients")

    uuid = str(uuidlib.uuid4())
    announcer = SecureDisplay(dynsec_broker.port, uuid, PROVISIONING_USER, PROVISIONING_PASSWORD).connect()
    assert announcer.accepted
    discovery = {"uuid": uuid, "hostname": "raum-303", "ip": "10.0.3.3", "software_version": "2.4.1"}
    assert announcer.publish("infoscreen/discovery", discovery) == 0
    announcer.close()

    # Live, no reload: the new display appears as waiting for approval, and the filter finds it.
    access = page.get_by_test_id(f"broker-access-{uuid}")
    expect(access).to_have_text("Freigabe ausstehend")
    page.get_by_test_id("filter-pending").click()
    table = page.get_by_test_id("clients-table")
    expect(table.locator("tr", has_text="raum-303")).to_have_count(1)

    page.get_by_test_id(f"client-details-{uuid}").click()
    panel = page.get_by_test_id("broker-panel")
    expect(panel.get_by_test_id("broker-access")).to_have_text("Freigabe ausstehend")
    panel.get_by_test_id("broker-approve").click()
    username, password = _read_credentials(page)
    shot(page, "groups-broker-credentials")
    page.get_by_test_id("broker-credentials-close").click()
    expect(page.get_by_test_id("broker-credentials")).to_have_count(0)
    expect(panel.get_by_test_id("broker-access")).to_have_text("Freigeschaltet")
    expect(panel).to_contain_text(username)

    # The display logs in with exactly what the dialog showed and may use its own command topic.
    display = _login_as_display(dynsec_broker, uuid, username, password)
    assert display.accepted, display.connack
    assert display.subscribe(f"infoscreen/{uuid}/commands") == GRANTED_QOS1

    # Rotation: the dialog shows a new password; the old one no longer works, the new one does.
    panel.get_by_test_id("broker-rotate").click()
    rotated_user, rotated_password = _read_credentials(page)
    page.get_by_test_id("broker-credentials-close").click()
    assert rotated_user == username and rotated_password != password
    old = _login_as_display(dynsec_broker, uuid, username, password)
    assert not old.accepted
    old.close()
    fresh = _login_as_display(dynsec_broker, uuid, rotated_user, rotated_password)
    assert fresh.accepted, fresh.connack

    # Revocation asks first, then the broker drops the display's session.
    panel.get_by_test_id("broker-revoke").click()
    page.get_by_test_id("broker-revoke-confirm").click()
    expect(panel.get_by_test_id("broker-access")).to_have_text("Gesperrt")
    expect(panel.get_by_test_id("broker-approve")).to_contain_text("Wieder freischalten")
    assert fresh.wait_disconnected(10), "the broker kept the revoked session"
    page.keyboard.press("Escape")
    expect(access).to_have_count(0)  # the pending-only filter hides it now: it is revoked, not pending
    page.get_by_test_id("filter-pending").click()
    expect(access).to_have_text("Gesperrt")
    shot(page, "groups-broker-revoked")
    for link in (display, fresh):
        link.close()
