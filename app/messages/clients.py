"""Texts of the clients area's expected failures (keys raised in app/domain): displays, groups, broker
access, commands, monitoring, screenshots."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # displays
    "client.not_found": ("Client nicht gefunden", "Display not found"),
    "client.not_found_some": ("Client nicht gefunden: {uuids}", "Display not found: {uuids}"),
    "client.description_too_long": (
        "Die Beschreibung darf höchstens {max} Zeichen haben.",
        "The description may have at most {max} characters.",
    ),
    "client.none_selected": ("Keine Clients ausgewählt.", "No displays selected."),
    "client.too_many": ("Höchstens {max} Clients auf einmal.", "At most {max} displays at once."),
    # groups
    "group.not_found": ("Gruppe nicht gefunden", "Group not found"),
    "group.name_empty": ("Der Gruppenname darf nicht leer sein.", "The group name must not be empty."),
    "group.name_too_long": (
        "Der Gruppenname darf höchstens {max} Zeichen haben.",
        "The group name may have at most {max} characters.",
    ),
    "group.name_reserved": ('"{name}" ist reserviert.', '"{name}" is reserved.'),
    "group.name_taken": ('Eine Gruppe "{name}" existiert bereits.', 'A group "{name}" already exists.'),
    "group.order_duplicate": (
        "Die Reihenfolge enthält eine Gruppe mehrfach.",
        "The order lists a group more than once.",
    ),
    "group.order_unknown": ("Unbekannte Gruppen: {ids}", "Unknown groups: {ids}"),
    # broker access
    "broker.disabled": (
        "Die Broker-Zugangsverwaltung ist nicht aktiviert (MQTT_DYNSEC_ENABLED).",
        "Broker account management is not enabled (MQTT_DYNSEC_ENABLED).",
    ),
    "broker.no_free_username": ("Kein freier Broker-Benutzername", "No free broker user name"),
    "broker.already_approved": (
        "Das Display ist bereits freigeschaltet; neue Zugangsdaten über „Zugang erneuern“.",
        "The display is already approved; new credentials via “Renew access”.",
    ),
    "broker.not_approved": ("Das Display ist nicht freigeschaltet.", "The display is not approved."),
    "broker.link_closed": ("Broker-Verbindung beendet", "Broker connection closed"),
    "broker.not_confirmed": (
        "Broker hat die Zugangsänderung nicht bestätigt ({error})",
        "The broker did not confirm the account change ({error})",
    ),
    "broker.refused": ("Broker lehnt „{command}“ ab: {error}", "The broker refused “{command}”: {error}"),
    "broker.server_account_missing": (
        "Der Server-Zugang {username} fehlt im Broker (mosquitto_ctrl dynsec init)",
        "The server account {username} is missing in the broker (mosquitto_ctrl dynsec init)",
    ),
    "broker.role_not_assigned": (
        "Rolle {role} konnte {username} nicht zugewiesen werden",
        "Role {role} could not be given to {username}",
    ),
    # commands
    "command.unsupported_action": ("Unsupported action '{action}'", "Unsupported action '{action}'"),
    "command.reason_required": (
        "Für Sammelaktionen ist eine Begründung erforderlich.",
        "Bulk actions need a reason.",
    ),
    "command.reason_too_long": (
        "Die Begründung darf höchstens {max} Zeichen lang sein.",
        "The reason may be at most {max} characters long.",
    ),
    "command.lockout": (
        "Neustart voruebergehend blockiert (Sicherheits-Lockout)",
        "Restart temporarily blocked (safety lockout)",
    ),
    "command.publish_failed": (
        "Befehl konnte nicht gesendet werden: {error}",
        "The command could not be sent: {error}",
    ),
    "command.sent": ("Befehl an Client {uuid} gesendet.", "Command sent to display {uuid}."),
    "command.no_broker": (
        "Keine Verbindung zum MQTT-Broker in diesem Prozess.",
        "No connection to the MQTT broker in this process.",
    ),
    # monitoring
    "monitoring.limit_too_small": ("Das Limit muss mindestens 1 sein.", "The limit must be at least 1."),
    "monitoring.window_out_of_range": (
        "Das Zeitfenster muss zwischen 1 und {max} Stunden liegen.",
        "The time window must be between 1 and {max} hours.",
    ),
    "monitoring.negative_paging": (
        "limit und offset dürfen nicht negativ sein.",
        "limit and offset must not be negative.",
    ),
}
