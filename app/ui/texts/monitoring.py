"""Texts of the Monitoring page (German, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "mon.context": ("Kontext", "Context"),
    "mon.log_hint": (
        "Zeile anklicken für Details mit Kontext und Traceback.",
        "Click a row for details with context and traceback.",
    ),
    "mon.last_analysis": ("Letzte Analyse", "Last analysis"),
    "mon.screen_ok": ("OK", "OK"),
    "mon.screen_black": ("Schwarz", "Black"),
    "mon.screen_frozen": ("Eingefroren", "Frozen"),
    "mon.screen_unknown": ("Unbekannt", "Unknown"),
    "mon.screenshot_of": ("Screenshot von {name}", "Screenshot of {name}"),
    "mon.priority": ("Priorität: {kind}", "Priority: {kind}"),
    "mon.restart_title": ("{name} neu starten?", "Restart {name}?"),
    "mon.restart_text": (
        "Der Rechner des Displays wird neu gestartet; der Befehl wird verfolgt, bis er abgeschlossen, "
        "fehlgeschlagen oder abgelaufen ist.",
        "The display's computer is rebooted; the command is followed until it is completed, failed or expired.",
    ),
    "mon.restart_offline": (
        "Das Display ist offline (letztes Signal {age}). Der Befehl wird gesendet, kann aber erst ausgeführt "
        "werden, wenn das Display ihn empfängt – sonst endet er mit Zeitüberschreitung oder läuft ab.",
        "The display is offline (last signal {age}). The command is sent but can only run once the display "
        "receives it – otherwise it ends timed out or expires.",
    ),
    "mon.restart_reason": ("Grund im Protokoll: {reason}", "Reason in the audit trail: {reason}"),
    "mon.restart_anyway": ("Trotzdem senden", "Send anyway"),
    "mon.restart_running": ("Neustart läuft", "Restart running"),
    "mon.restarts": ("Neustarts", "Restarts"),
    "mon.restarts_clear": ("Abgeschlossene ausblenden", "Hide finished ones"),
    "mon.offline_when_sent": ("offline beim Senden", "offline when sent"),
    "mon.restart_done": ("Display ist neu gestartet.", "The display restarted."),
    "mon.restart_timed_out": (
        "Keine Antwort des Displays in der erwarteten Zeit ({code}).",
        "No answer from the display in time ({code}).",
    ),
    "mon.restart_expired": (
        "Abgelaufen: das Display hat den Befehl nicht rechtzeitig ausgeführt.",
        "Expired: the display did not run the command in time.",
    ),
}
