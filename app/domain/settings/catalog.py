"""Every known system setting: its default, its type and how a value is validated."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlparse

from app.domain.errors import ValidationError


class SettingType(StrEnum):
    STRING = "string"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    URL = "url"


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    default: str
    type: SettingType
    description: str
    minimum: float | None = None
    maximum: float | None = None


CATALOG: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec("supplement_table_url", "", SettingType.URL, "URL des Vertretungsplans (WebUntis)"),
        SettingSpec("supplement_table_enabled", "false", SettingType.BOOL, "Vertretungsplan aktiviert"),
        SettingSpec("presentation_interval", "10", SettingType.INT, "Folienintervall in Sekunden", 1, 3600),
        SettingSpec("presentation_page_progress", "true", SettingType.BOOL, "Seitenfortschritt anzeigen"),
        SettingSpec("presentation_auto_progress", "true", SettingType.BOOL, "Automatisch weiterschalten"),
        SettingSpec("video_autoplay", "true", SettingType.BOOL, "Videos automatisch abspielen"),
        SettingSpec("video_loop", "true", SettingType.BOOL, "Videos in Schleife"),
        SettingSpec("video_volume", "0.8", SettingType.FLOAT, "Lautstärke (0.0–1.0)", 0.0, 1.0),
        SettingSpec("video_muted", "false", SettingType.BOOL, "Videos stumm"),
        SettingSpec("refresh_seconds", "", SettingType.INT, "Erzwungene Neuveröffentlichung (0 = aus)", 0, 86400),
        SettingSpec("broker_auto_approve", "false", SettingType.BOOL, "Neue Displays automatisch freischalten"),
        # Alarme (app.domain.alarms; docs/operations.md "Alarme")
        SettingSpec("alarm_operating_hours", "07:00-17:00", SettingType.STRING, "Alarme: Betriebszeit (HH:MM-HH:MM)"),
        SettingSpec("alarm_operating_days", "1-5", SettingType.STRING, "Alarme: Betriebstage (1=Mo … 7=So)"),
        SettingSpec(
            "alarm_group_operating_hours", "", SettingType.STRING, "Alarme: Betriebszeit je Gruppe (12=06:00-22:00;…)"
        ),
        SettingSpec("alarm_raise_delay_minutes", "10", SettingType.INT, "Alarme: Verzögerung in Minuten", 0, 1440),
        SettingSpec("alarm_clear_minutes", "5", SettingType.INT, "Alarme: Hysterese in Minuten", 0, 1440),
        SettingSpec("alarm_fleet_min_displays", "20", SettingType.INT, "Alarme: Großausfall ab Displays", 1, 100000),
        SettingSpec("alarm_fleet_min_percent", "50", SettingType.INT, "Alarme: Großausfall ab Prozent", 1, 100),
        SettingSpec("alarm_fleet_window_minutes", "10", SettingType.INT, "Alarme: Großausfall-Zeitfenster", 1, 1440),
        SettingSpec(
            "alarm_warning_reasons",
            "content_mismatch",
            SettingType.STRING,
            "Alarme: Warnungsgründe, die „Display gestört“ auslösen (Komma; none = keine)",
        ),
    )
}

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def normalise_value(key: str, value: str | None) -> str:
    """Validate `value` for `key` and return its canonical string form."""
    spec = CATALOG.get(key)
    text = "" if value is None else str(value).strip()
    if spec is None:
        if len(key) > 100 or not key.replace("_", "").replace(".", "").isalnum():
            raise ValidationError("setting.unknown_key", field="key", name=key)
        return text
    if spec.type is SettingType.BOOL:
        if text.lower() in _TRUE:
            return "true"
        if text.lower() in _FALSE:
            return "false"
        raise ValidationError("setting.expected_bool", field=key, name=key)
    if spec.type in (SettingType.INT, SettingType.FLOAT):
        if text == "" and spec.default == "":
            return ""
        try:
            number = int(text) if spec.type is SettingType.INT else float(text)
        except ValueError:
            raise ValidationError("setting.not_a_number", field=key, name=key) from None
        if spec.minimum is not None and number < spec.minimum:
            raise ValidationError("setting.below_minimum", field=key, name=key, minimum=f"{spec.minimum:g}")
        if spec.maximum is not None and number > spec.maximum:
            raise ValidationError("setting.above_maximum", field=key, name=key, maximum=f"{spec.maximum:g}")
        return str(number)
    if spec.type is SettingType.URL and text:
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError("setting.url_scheme", field=key, name=key)
        if len(text) > 2048:
            raise ValidationError("setting.url_too_long", field=key, name=key)
    return text


def as_bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in _TRUE


def as_float(value: str | None, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default  # type: ignore[arg-type]
    except ValueError:
        return default


def as_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default  # type: ignore[arg-type]
    except ValueError:
        return default
