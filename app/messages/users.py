"""Texts of the users area's expected failures: accounts, login, passwords, API tokens (keys raised in app/domain)."""

from __future__ import annotations

INVALID_CREDENTIALS_MESSAGE = (
    "Anmeldung fehlgeschlagen: Benutzername oder Passwort falsch, oder nach mehreren Fehlversuchen "
    "vorübergehend gesperrt. Bitte prüfen und ggf. einige Minuten warten."
)
RATE_LIMITED_MESSAGE = "Zu viele Anmeldeversuche. Bitte einige Minuten warten."

MESSAGES: dict[str, tuple[str, str]] = {
    # login (app.domain.users.login_policy): every refusal about an account says the same
    "auth.invalid_credentials": (
        INVALID_CREDENTIALS_MESSAGE,
        "Login failed: wrong username or password, or temporarily locked after several failed attempts. "
        "Please check and wait a few minutes if needed.",
    ),
    "auth.rate_limited": (RATE_LIMITED_MESSAGE, "Too many login attempts. Please wait a few minutes."),
    # passwords
    "password.too_short": (
        "Das Passwort muss mindestens {min_length} Zeichen lang sein.",
        "The password must be at least {min_length} characters long.",
    ),
    "password.too_long": ("Das Passwort ist zu lang.", "The password is too long."),
    "password.current_wrong": ("Das aktuelle Passwort ist falsch.", "The current password is wrong."),
    "password.unchanged": (
        "Das neue Passwort muss sich vom aktuellen unterscheiden.",
        "The new password must differ from the current one.",
    ),
    # accounts
    "user.not_found": ("Benutzer nicht gefunden.", "User not found."),
    "user.username_length": (
        "Der Benutzername muss {min_length} bis {max_length} Zeichen lang sein.",
        "The username must be {min_length} to {max_length} characters long.",
    ),
    "user.username_invalid": (
        "Der Benutzername enthält unzulässige Zeichen.",
        "The username contains characters that are not allowed.",
    ),
    "user.username_taken": ("Benutzername ist bereits vergeben.", "This username is already taken."),
    "user.superadmin_protected": (
        "Admins können Superadmin-Konten nicht ändern.",
        "Admins cannot change superadmin accounts.",
    ),
    "user.superadmin_create": (
        "Admins können keine Superadmin-Konten anlegen.",
        "Admins cannot create superadmin accounts.",
    ),
    "user.superadmin_promote": (
        "Admins können niemanden zum Superadmin machen.",
        "Admins cannot make anyone a superadmin.",
    ),
    "user.own_status": ("Sie können Ihren eigenen Status nicht ändern.", "You cannot change your own status."),
    "user.own_role": ("Sie können Ihre eigene Rolle nicht ändern.", "You cannot change your own role."),
    "user.own_password_reset": (
        "Das eigene Passwort bitte über changePassword ändern.",
        "Please change your own password with changePassword.",
    ),
    "user.delete_superadmin_only": (
        "Nur Superadmins können Benutzer endgültig löschen; bitte deaktivieren.",
        "Only superadmins can delete users for good; please deactivate instead.",
    ),
    "user.delete_self": ("Sie können sich nicht selbst löschen.", "You cannot delete yourself."),
    # integrator API tokens
    "api_token.name_length": (
        "Der Name muss 1 bis {max_length} Zeichen lang sein.",
        "The name must be 1 to {max_length} characters long.",
    ),
    "api_token.role_too_high": (
        "Ein API-Token kann keine höhere Rolle haben als die eigene.",
        "An API token cannot have a higher role than your own.",
    ),
    "api_token.validity": ("Gültigkeit: 1 bis {max_days} Tage.", "Validity: 1 to {max_days} days."),
    "api_token.too_many": (
        "Höchstens {limit} aktive API-Tokens pro Benutzer.",
        "At most {limit} active API tokens per user.",
    ),
    "api_token.not_found": ("API-Token nicht gefunden.", "API token not found."),
    # own profile
    "profile.email_invalid": (
        "„{email}“ ist keine gültige E-Mail-Adresse.",
        '"{email}" is not a valid e-mail address.',
    ),
}
