"""Profil (every logged-in user): own e-mail address, language and password."""

from __future__ import annotations

from nicegui import ui

from app.ui import gql, session
from app.ui.alarm_subscription import alarm_subscription_card
from app.ui.i18n import current_language, t
from app.ui.layout import PageContext, page_heading, password_dialog, protected_page, run_action

ME = "{ me { username role email } }"
UPDATE = (
    "mutation ($email: String) { updateProfile(input: {email: $email}) { __typename"
    " ... on User { email } ... on Error { message code } } }"
)
LANGUAGES = {"de": "Deutsch", "en": "English"}


def _set_language(value: str) -> None:
    if value != current_language():
        session.set_language(value)
        ui.navigate.reload()


@protected_page("/profile", nav="menu.profile")
async def profile_page(ctx: PageContext) -> None:
    me = (await gql.gql(ME))["me"]
    page_heading(t("menu.profile"))
    with ui.element("div").classes("is-card-grid w-full"):
        with ui.card().classes("gap-2"):
            ui.label(t("profile.account")).classes("text-lg font-medium")
            role = t("role." + str(me["role"]).lower())
            ui.label(f"{me['username']} · {role}").props('data-testid="profile-user"')
            email = ui.input(t("profile.email"), value=me.get("email") or "").props(
                f'type=email clearable data-testid="profile-email" hint="{t("profile.email_hint")}"'
            )
            email.classes("w-full")

            async def save() -> None:
                async def call() -> dict:
                    return gql.ok((await gql.gql(UPDATE, {"email": email.value or ""}))["updateProfile"])

                result = await run_action(call, success=t("profile.saved"))
                if isinstance(result, dict):
                    email.value = result.get("email") or ""

            ui.button(t("common.save"), on_click=save).props('data-testid="profile-save"')
        with ui.card().classes("gap-2"):
            ui.label(t("profile.language")).classes("text-lg font-medium")
            ui.toggle(LANGUAGES, value=current_language(), on_change=lambda e: _set_language(e.value)).props(
                'data-testid="profile-language"'
            )
        with ui.card().classes("gap-2"):
            ui.label(t("menu.change_password")).classes("text-lg font-medium")
            ui.label(t("profile.password_text")).classes("is-muted")
            dialog = password_dialog()
            ui.button(t("menu.change_password"), icon="password", on_click=dialog.open).props(
                'outline data-testid="profile-password"'
            )
        await alarm_subscription_card()
