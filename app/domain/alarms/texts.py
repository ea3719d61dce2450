"""The words of alarm messages (German and English) and the webhook payload."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.domain.alarms.models import Alarm, AlarmKind
from app.domain.alarms.senders import Message
from app.domain.clock import iso_z

KIND_TEXT: dict[str, tuple[str, str]] = {
    AlarmKind.DISPLAY_OFFLINE: ("Display offline", "Display offline"),
    AlarmKind.DISPLAY_CRITICAL: ("Display gestört", "Display critical"),
    AlarmKind.COMMAND_FAILED: ("Befehl fehlgeschlagen", "Command failed"),
    AlarmKind.CONVERSION_FAILED: ("Konvertierung fehlgeschlagen", "Conversion failed"),
    AlarmKind.FLEET_OUTAGE: ("Großausfall", "Fleet outage"),
}
CHANGE_TEXT: dict[str, tuple[str, str]] = {
    "raised": ("Alarm", "Alarm"),
    "cleared": ("Wieder in Ordnung", "Cleared"),
    "test": ("Test", "Test"),
}
CLEARED_DISPLAY = ("Wieder online", "Back online")
CAUSE_TEXT: dict[str, tuple[str, str]] = {
    "broker_unreachable": ("MQTT-Broker nicht erreichbar", "MQTT broker unreachable"),
    "network_or_power": ("Netzwerk oder Strom im Gebäude", "network or power in the building"),
}

# The health rule's reasons (app.domain.monitoring.classify.HealthReason values). A reason not listed here
# (a new one of the rule) is still carried and shown, as its value in words ("content_mismatch" ->
# "content mismatch"), so the rule can grow without touching the alarms.
REASON_TEXT: dict[str, tuple[str, str]] = {
    "process_crashed": ("Player abgestürzt", "player crashed"),
    "service_failed": ("Display-Dienst ausgefallen", "display service failed"),
    "screen_black": ("Bildschirm schwarz", "screen black"),
    "screen_frozen": ("Bild eingefroren", "screen frozen"),
    "content_mismatch": ("Inhalt weicht vom Plan ab", "content does not match the plan"),
    "error_logs": ("Fehler im Protokoll", "errors in the log"),
    "heartbeat_stale": ("kein Lebenszeichen", "no heartbeat"),
    "inactive": ("deaktiviert", "deactivated"),
}


def reason_text(reason: str, language: str) -> str:
    pair = REASON_TEXT.get(reason)
    return _pick(pair, language) if pair else reason.replace("_", " ")


def reasons_text(details: dict[str, Any] | None, language: str) -> str:
    """The alarm's `details.reasons` in words, comma-separated ("" when it names none)."""
    reasons = (details or {}).get("reasons") or []
    return ", ".join(reason_text(str(r), language) for r in reasons if r)


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def subject_of(alarm: Alarm, change: str, language: str) -> str:
    kind = _pick(KIND_TEXT.get(alarm.kind, (alarm.kind, alarm.kind)), language)
    if change == "cleared" and alarm.kind == AlarmKind.DISPLAY_OFFLINE:
        head = _pick(CLEARED_DISPLAY, language)
    else:
        head = _pick(CHANGE_TEXT.get(change, (change, change)), language)
    name = (alarm.details or {}).get("name") or alarm.client_uuid
    why = reasons_text(alarm.details, language) if change != "cleared" else ""
    return f"[Infoscreen] {head}: {kind}" + (f" – {name}" if name else "") + (f" ({why})" if why else "")


def body_of(alarm: Alarm, change: str, language: str, group_name: str | None = None) -> str:
    details = alarm.details or {}
    en = language == "en"
    lines = [subject_of(alarm, change, language), ""]
    labels = ("Since", "Last seen", "Cleared", "Display", "Group", "Cause", "Details", "Reasons") if en else (
        "Seit", "Zuletzt gesehen", "Behoben", "Display", "Gruppe", "Ursache", "Details", "Gründe")  # fmt: skip
    lines.append(f"{labels[0]}: {iso_z(alarm.first_seen)}")
    lines.append(f"{labels[1]}: {iso_z(alarm.last_seen)}")
    if alarm.cleared_at is not None:
        lines.append(f"{labels[2]}: {iso_z(alarm.cleared_at)}")
    if alarm.client_uuid:
        lines.append(f"{labels[3]}: {details.get('name') or ''} ({alarm.client_uuid})")
    if alarm.group_id is not None:
        lines.append(
            f"{labels[4]}: {group_name} ({alarm.group_id})" if group_name else f"{labels[4]}: {alarm.group_id}"
        )
    if details.get("reasons"):
        lines.append(f"{labels[7]}: {reasons_text(details, language)}")
    if "cause" in details:
        cause = CAUSE_TEXT.get(str(details["cause"]), (str(details["cause"]),) * 2)
        lines.append(f"{labels[5]}: {_pick(cause, language)} ({details.get('lost')}/{details.get('watched')})")
    rest = {k: v for k, v in details.items() if k not in ("name", "cause", "lost", "watched", "reasons")}
    if rest:
        lines.append(f"{labels[6]}: " + ", ".join(f"{k}={v}" for k, v in sorted(rest.items())))
    return "\n".join(lines) + "\n"


def alarm_payload(alarm: Alarm, change: str) -> dict[str, Any]:
    return {
        "change": change,
        "alarm": {
            "id": alarm.id,
            "kind": alarm.kind,
            "severity": alarm.severity,
            "state": alarm.state,
            "client_uuid": alarm.client_uuid,
            "group_id": alarm.group_id,
            "details": alarm.details or {},
            "first_seen": iso_z(alarm.first_seen),
            "last_seen": iso_z(alarm.last_seen),
            "cleared_at": iso_z(alarm.cleared_at),
            "acknowledged_at": iso_z(alarm.acknowledged_at),
        },
    }


def message_for(alarm: Alarm, change: str, language: str, delivery_key: str, group_name: str | None = None) -> Message:
    payload = alarm_payload(alarm, change) | {"text": subject_of(alarm, change, language)}
    body = body_of(alarm, change, language, group_name)
    return Message(subject_of(alarm, change, language), body, payload, delivery_key)


def kind_text(kind: str, language: str) -> str:
    return _pick(KIND_TEXT.get(kind, (kind, kind)), language)


def cause_text(cause: str, language: str) -> str:
    return _pick(CAUSE_TEXT.get(cause, (cause, cause)), language)


STATE_TEXT: dict[str, tuple[str, str]] = {
    "ACTIVE": ("aktiv", "active"),
    "ACKNOWLEDGED": ("quittiert", "acknowledged"),
    "CLEARED": ("behoben", "cleared"),
}


def _digest_line(alarm: Alarm, language: str) -> str:
    details = alarm.details or {}
    name = details.get("name") or alarm.client_uuid or ""
    why = reasons_text(details, language)
    state = _pick(STATE_TEXT.get(alarm.state, (alarm.state, alarm.state)), language)
    text = f"- [{state}] {kind_text(alarm.kind, language)}" + (f" – {name}" if name else "")
    text += f" ({why})" if why else ""
    since = "since" if language == "en" else "seit"
    text += f", {since} {iso_z(alarm.first_seen)}"
    if alarm.cleared_at is not None:
        text += (", cleared " if language == "en" else ", behoben ") + str(iso_z(alarm.cleared_at))
    return text


def digest_message(alarms: list[Alarm], day: date, language: str, delivery_key: str) -> Message:
    """The daily digest of one subscriber: every alarm open now or cleared within the last day."""
    en = language == "en"
    open_count = sum(1 for a in alarms if a.state != "CLEARED")
    cleared = len(alarms) - open_count
    if en:
        subject = f"[Infoscreen] Alarm digest {day.isoformat()}: {open_count} open, {cleared} cleared"
    else:
        subject = (
            f"[Infoscreen] Alarm-Zusammenfassung {day.strftime('%d.%m.%Y')}: {open_count} offen, {cleared} behoben"
        )
    body = "\n".join([subject, "", *(_digest_line(a, language) for a in alarms)]) + "\n"
    payload = {"change": "digest", "text": subject, "alarms": [alarm_payload(a, "digest")["alarm"] for a in alarms]}
    return Message(subject, body, payload, delivery_key)
