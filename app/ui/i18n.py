"""Dashboard texts: German by default (the seeds' terms), English on request (stored per account).

`t("key")` looks up the current browser session's language; unknown keys fall back to German and then
to the key itself, so a missing translation shows up as text rather than an exception.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["de", "en"]
DEFAULT_LANGUAGE: Language = "de"
LANGUAGES: tuple[Language, ...] = ("de", "en")

# key: (German, English)
TEXTS: dict[str, tuple[str, str]] = {
    # frame
    "app.title": ("Infoscreen", "Infoscreen"),
    "nav.dashboard": ("Dashboard", "Dashboard"),
    "nav.calendar": ("Termine", "Appointments"),
    "nav.resources": ("Ressourcen", "Resources"),
    "nav.groups": ("Raumgruppen & Clients", "Room groups & clients"),
    "nav.media": ("Medien", "Media"),
    "nav.users": ("Benutzer", "Users"),
    "nav.settings": ("Einstellungen", "Settings"),
    "nav.monitoring": ("Monitoring", "Monitoring"),
    "nav.programminfo": ("Programminfo", "Program info"),
    "menu.change_password": ("Passwort ändern", "Change password"),
    "menu.language": ("Sprache: Deutsch → English", "Language: English → Deutsch"),
    "menu.logout": ("Abmelden", "Log out"),
    "role.user": ("Benutzer", "User"),
    "role.editor": ("Redakteur", "Editor"),
    "role.admin": ("Administrator", "Administrator"),
    "role.superadmin": ("Superadministrator", "Superadministrator"),
    "forbidden.title": ("Keine Berechtigung", "Not allowed"),
    "forbidden.text": (
        "Diese Seite ist für Ihre Rolle nicht freigegeben.",
        "Your role may not open this page.",
    ),
    "unavailable.title": ("Noch nicht verfügbar", "Not available yet"),
    "unavailable.text": (
        "Diese Funktion ist auf diesem Server nicht verfügbar: {detail}",
        "This feature is not available on this server: {detail}",
    ),
    "common.save": ("Speichern", "Save"),
    "common.cancel": ("Abbrechen", "Cancel"),
    "common.close": ("Schließen", "Close"),
    "common.delete": ("Löschen", "Delete"),
    "common.edit": ("Bearbeiten", "Edit"),
    "common.create": ("Anlegen", "Create"),
    "common.refresh": ("Aktualisieren", "Refresh"),
    "common.refreshed": ("Aktualisiert", "Refreshed"),
    "common.loading": ("Wird geladen…", "Loading…"),
    "common.empty": ("Keine Einträge", "No entries"),
    "common.saved": ("Gespeichert", "Saved"),
    "common.deleted": ("Gelöscht", "Deleted"),
    "common.yes": ("Ja", "Yes"),
    "common.no": ("Nein", "No"),
    "common.never": ("nie", "never"),
    "common.confirm": ("Bestätigen", "Confirm"),
    "common.reason": ("Grund", "Reason"),
    "common.name": ("Name", "Name"),
    "common.actions": ("Aktion", "Action"),
    "common.search": ("Suchen", "Search"),
    "common.all": ("Alle", "All"),
    "common.live": ("Live", "Live"),
    "common.error": ("Fehler", "Error"),
    # login and session
    "login.title": ("Anmelden", "Log in"),
    "login.username": ("Benutzername", "Username"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Log in"),
    "login.required": ("Benutzername und Passwort eingeben", "Enter username and password"),
    "login.expired": ("Sitzung abgelaufen, bitte erneut anmelden", "Session expired, please log in again"),
    "password.current": ("Aktuelles Passwort", "Current password"),
    "password.new": ("Neues Passwort", "New password"),
    "password.confirm": ("Neues Passwort bestätigen", "Confirm new password"),
    "password.too_short": ("Mindestens 6 Zeichen", "At least 6 characters"),
    "password.mismatch": ("Die Passwörter stimmen nicht überein", "The passwords do not match"),
    "password.changed": ("Passwort geändert", "Password changed"),
    # dashboard
    "dash.total": ("Infoscreens gesamt", "Info screens total"),
    "dash.online": ("Online", "Online"),
    "dash.offline": ("Offline", "Offline"),
    "dash.warnings": ("Warnungen", "Warnings"),
    "dash.warning_groups": ("Gruppen mit Warnungen", "Groups with warnings"),
    "dash.unassigned": ("Nicht zugeordnet", "Nicht zugeordnet"),
    "dash.no_clients": ("Keine Clients in dieser Gruppe", "No clients in this group"),
    "dash.no_groups": ("Noch keine Raumgruppen oder Clients", "No room groups or clients yet"),
    "dash.clients": ("Clients", "Clients"),
    "dash.last_alive": ("Zuletzt aktiv", "Last alive"),
    "dash.restart_offline": ("Offline-Clients neu starten", "Restart offline clients"),
    "dash.restart_offline_text": (
        "{count} Offline-Client(s) in „{group}“ neu starten?",
        "Restart {count} offline client(s) in “{group}”?",
    ),
    "dash.restart_sent": ("{ok} von {total} Neustarts gesendet", "{ok} of {total} restarts sent"),
    "dash.no_event": ("Kein aktiver Termin", "No active event"),
    "dash.active_event": ("Aktiver Termin", "Active event"),
    "dash.period": ("Aktive Periode: {name}", "Active period: {name}"),
    "dash.no_period": (
        "Keine akademische Periode aktiv. Bitte in den Einstellungen konfigurieren.",
        "No academic period is active. Please configure one in the settings.",
    ),
    "dash.holiday_today": ("Heute sind Ferien: {name}", "Today is a holiday: {name}"),
    "dash.no_holiday_today": ("Heute keine Ferien", "No holiday today"),
    "dash.to_settings": ("Zu den Einstellungen", "Open settings"),
    # clients and groups
    "client.online": ("online", "online"),
    "client.offline": ("offline", "offline"),
    "client.description": ("Beschreibung", "Description"),
    "client.hostname": ("Hostname", "Hostname"),
    "client.ip": ("IP", "IP"),
    "client.group": ("Gruppe", "Group"),
    "client.status": ("Status", "Status"),
    "client.restart": ("Neustart", "Restart"),
    "client.shutdown": ("Herunterfahren", "Shut down"),
    "client.delete_confirm": ("Client „{name}“ löschen?", "Delete client “{name}”?"),
    "client.command_sent": ("Befehl gesendet", "Command sent"),
    "groups.title": ("Raumgruppen & Clients", "Room groups & clients"),
    "groups.new": ("Neue Raumgruppe", "New room group"),
    "groups.rename": ("Umbenennen", "Rename"),
    "groups.delete_confirm": (
        "Raumgruppe „{name}“ löschen? Ihre Clients werden „Nicht zugeordnet“.",
        "Delete room group “{name}”? Its clients become “Nicht zugeordnet”.",
    ),
    "groups.assign": ("Zuordnen", "Assign"),
    "groups.assign_to": ("Ausgewählte Clients zuordnen zu", "Assign selected clients to"),
    "groups.selected": ("{count} ausgewählt", "{count} selected"),
    "groups.assigned": ("{count} Client(s) zugeordnet", "{count} client(s) assigned"),
    "groups.commands": ("Befehle", "Commands"),
    "groups.no_commands": ("Noch keine Befehle", "No commands yet"),
    # commands
    "cmd.action": ("Aktion", "Action"),
    "cmd.status": ("Status", "Status"),
    "cmd.issued": ("Ausgegeben", "Issued"),
    "cmd.by": ("Von", "By"),
    "cmd.reason_placeholder": ("z. B. Bildschirm eingefroren", "e.g. screen frozen"),
    "cmd.confirm_restart": ("„{name}“ neu starten?", "Restart “{name}”?"),
    "cmd.confirm_shutdown": ("„{name}“ herunterfahren?", "Shut down “{name}”?"),
    # program info
    "info.title": ("Programminfo", "Program info"),
    "info.version": ("Version", "Version"),
    "info.build": ("Build-Info", "Build info"),
    "info.python": ("Python", "Python"),
    "info.platform": ("Plattform", "Platform"),
    "info.environment": ("Umgebung", "Environment"),
    "info.database": ("Datenbank", "Database"),
    "info.licenses": ("Lizenzen der Abhängigkeiten", "Dependency licences"),
    "info.package": ("Paket", "Package"),
    "info.license": ("Lizenz", "Licence"),
    "info.changelog": ("Änderungsprotokoll", "Changelog"),
    "info.support": ("Support", "Support"),
    # users
    "users.title": ("Benutzer", "Users"),
    "users.total": ("Gesamt", "Total"),
    "users.active": ("Aktiv", "Active"),
    "users.inactive": ("Inaktiv", "Inactive"),
    "users.new": ("Neuer Benutzer", "New user"),
    "users.role": ("Rolle", "Role"),
    "users.is_active": ("Aktiv", "Active"),
    "users.last_login": ("Letzte Anmeldung", "Last login"),
    "users.failed_logins": ("Fehlversuche", "Failed logins"),
    "users.deactivated_at": ("Deaktiviert am", "Deactivated at"),
    "users.deactivated_by": ("Deaktiviert von", "Deactivated by"),
    "users.password_changed_at": ("Passwort geändert am", "Password changed at"),
    "users.last_failed_login": ("Letzter Fehlversuch", "Last failed login"),
    "users.reset_password": ("Passwort zurücksetzen", "Reset password"),
    "users.details": ("Details", "Details"),
    "users.delete_confirm": (
        "Benutzer „{name}“ endgültig löschen?",
        "Permanently delete user “{name}”?",
    ),
    "users.self_hint": ("(Sie)", "(you)"),
    # settings
    "settings.title": ("Einstellungen", "Settings"),
    "settings.calendar": ("Akademischer Kalender", "Academic calendar"),
    "settings.periods": ("Perioden", "Periods"),
    "settings.holidays": ("Ferienkalender", "Holidays"),
    "settings.display": ("Display & Clients", "Display & clients"),
    "settings.media": ("Medien & Dateien", "Media & files"),
    "settings.events": ("Termine", "Events"),
    "settings.system": ("System", "System"),
    "period.active": ("Aktiv", "Active"),
    "period.archived": ("Archiviert", "Archived"),
    "period.inactive": ("Inaktiv", "Inactive"),
    "period.activate": ("Aktivieren", "Activate"),
    "period.archive": ("Archivieren", "Archive"),
    "period.restore": ("Wiederherstellen", "Restore"),
    "period.show_archived": ("Archivierte anzeigen", "Show archived"),
    "period.new": ("Neue Periode", "New period"),
    "period.name": ("Name", "Name"),
    "period.display_name": ("Anzeigename", "Display name"),
    "period.start": ("Beginn", "Start"),
    "period.end": ("Ende", "End"),
    "period.type": ("Typ", "Type"),
    "period.blockers": ("Blockiert durch:", "Blocked by:"),
    "holiday.select_period": ("Periode wählen", "Select period"),
    "holiday.import": ("CSV/TXT importieren", "Import CSV/TXT"),
    "holiday.import_result": (
        "Import: {inserted} neu, {updated} aktualisiert, {merged} zusammengeführt, {skipped} übersprungen, "
        "{conflicts} Konflikte",
        "Import: {inserted} inserted, {updated} updated, {merged} merged, {skipped} skipped, {conflicts} conflicts",
    ),
    "holiday.new": ("Ferien eintragen", "Add holiday"),
    "holiday.region": ("Region", "Region"),
    "holiday.none": ("Keine Ferien in dieser Periode", "No holidays in this period"),
    "supplement.url": ("Vertretungsplan-URL", "Supplement table URL"),
    "supplement.enabled": ("Vertretungsplan aktiv", "Supplement table enabled"),
    "supplement.preview": ("Vorschau", "Preview"),
    "defaults.presentation": ("Präsentationen", "Presentations"),
    "defaults.video": ("Videos", "Videos"),
    # monitoring
    "mon.title": ("Monitoring", "Monitoring"),
    "mon.hours": ("Zeitraum (Stunden)", "Window (hours)"),
    "mon.error_logs": ("Fehler-Logs", "Error logs"),
    "mon.in_window": ("Im gewählten Zeitraum", "In the selected window"),
    "mon.crashed": ("Abgestürzte / Nicht erreichbare Clients", "Crashed / unreachable clients"),
    "mon.service_failed": (
        "Service dauerhaft ausgefallen (systemd hat aufgegeben)",
        "Service permanently failed (systemd gave up)",
    ),
    "mon.service_failed_hint": (
        "Diese Clients konnten von systemd nicht mehr automatisch neugestartet werden. Manuelle Intervention "
        "erforderlich. Nach Behebung bitte quittieren.",
        "systemd could no longer restart these clients automatically. Manual intervention required. "
        "Please acknowledge after fixing.",
    ),
    "mon.acknowledge": ("Quittieren", "Acknowledge"),
    "mon.acknowledging": ("Wird quittiert…", "Acknowledging…"),
    "mon.acknowledged": ("✓ Quittiert", "✓ Acknowledged"),
    "mon.sending": ("Wird gesendet…", "Sending…"),
    "mon.restart_sent": ("✓ Neustart gesendet", "✓ Restart sent"),
    "mon.failed": ("✗ Fehler", "✗ Error"),
    "mon.cause": ("Ursache", "Cause"),
    "mon.process_crashed": ("Prozess abgestürzt", "Process crashed"),
    "mon.heartbeat_stale": ("Heartbeat veraltet", "Heartbeat stale"),
    "mon.process_status": ("Prozessstatus", "Process status"),
    "mon.last_signal": ("Letztes Signal", "Last signal"),
    "mon.unit": ("Unit", "Unit"),
    "mon.failed_at": ("Ausgefallen am", "Failed at"),
    "mon.screen_status": ("Bildschirmstatus", "Screen status"),
    "mon.reconnects": ("MQTT Reconnects", "MQTT reconnects"),
    "mon.last_disconnect": ("Letzter Disconnect", "Last disconnect"),
    "mon.logs": ("Logs", "Logs"),
    "mon.level": ("Level", "Level"),
    "mon.message": ("Meldung", "Message"),
    "mon.time": ("Zeit", "Time"),
    "mon.screenshot": ("Screenshot", "Screenshot"),
    "mon.no_screenshot": ("Kein Screenshot", "No screenshot"),
    "mon.clients": ("Clients", "Clients"),
    # media
    "media.title": ("Medien", "Media"),
    "media.upload": ("Hochladen", "Upload"),
    "media.uploaded": ("„{name}“ hochgeladen", "“{name}” uploaded"),
    "media.file": ("Datei", "File"),
    "media.type": ("Typ", "Type"),
    "media.size": ("Größe", "Size"),
    "media.conversion": ("Konvertierung", "Conversion"),
    "media.convert": ("Konvertieren", "Convert"),
    "media.delete_confirm": ("Medium „{name}“ löschen?", "Delete media “{name}”?"),
    "media.empty": ("Noch keine Medien hochgeladen", "No media uploaded yet"),
    # calendar and resources
    "cal.title": ("Termine", "Appointments"),
    "cal.month": ("Monat", "Month"),
    "cal.week": ("Woche", "Week"),
    "cal.day": ("Tag", "Day"),
    "cal.today": ("Heute", "Today"),
    "cal.group": ("Raumgruppe", "Room group"),
    "cal.new": ("Neuer Termin", "New event"),
    "cal.title_field": ("Titel", "Title"),
    "cal.type": ("Typ", "Type"),
    "cal.start": ("Beginn", "Start"),
    "cal.end": ("Ende", "End"),
    "cal.recurrence": ("Wiederholung (RRULE)", "Recurrence (RRULE)"),
    "cal.skip_holidays": ("In Ferien aussetzen", "Skip holidays"),
    "cal.website_url": ("Website-URL", "Website URL"),
    "cal.message": ("Nachricht", "Message"),
    "cal.media": ("Medium", "Media"),
    "cal.delete_occurrence": ("Nur dieses Vorkommen löschen", "Delete this occurrence only"),
    "cal.delete_series": ("Ganze Serie löschen", "Delete the whole series"),
    "cal.holidays_in_view": ("{count} Ferientag(e) in der Ansicht", "{count} holiday(s) in view"),
    "cal.no_group": ("Bitte zuerst eine Raumgruppe anlegen", "Please create a room group first"),
    "res.title": ("Ressourcen", "Resources"),
    "res.order": ("Reihenfolge", "Order"),
}


def translate(key: str, language: str, **values: object) -> str:
    pair = TEXTS.get(key)
    text = key if pair is None else pair[1] if language == "en" else pair[0]
    return text.format(**values) if values else text


def current_language() -> Language:
    """The language of the browser session being served (German outside a UI context)."""
    from nicegui import app

    try:
        value = app.storage.user.get("lang", DEFAULT_LANGUAGE)
    except RuntimeError:  # no UI request context (e.g. a background job): use the default
        return DEFAULT_LANGUAGE
    return "en" if value == "en" else "de"


def t(key: str, **values: object) -> str:
    return translate(key, current_language(), **values)
