"""The login page: the API's own messages for wrong credentials, lockout and rate limiting."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from app.ui import gql, session
from app.ui.i18n import t
from app.ui.layout import notify_error, page_language


@ui.page(session.LOGIN_PATH)
async def login_page(request: Request, next: str = "/", expired: str = "") -> RedirectResponse | None:
    target = session.safe_next(next)
    if await gql.principal() is not None:
        return RedirectResponse(target, status_code=303)
    page_language()
    ui.page_title(f"{t('login.title')} – {t('app.title')}")
    ui.colors(primary="#1f4e79")
    with (
        ui.column().classes("absolute-center items-center w-full px-4"),
        ui.card().classes("w-96 max-w-full p-6 gap-3"),
    ):
        with ui.row().classes("items-center gap-2"):
            ui.icon("tv", size="2rem", color="primary")
            ui.label(t("app.title")).classes("text-2xl font-medium")
        heading = ui.label(t("login.title")).classes("text-lg is-muted q-my-none font-normal tracking-normal")
        heading.tag = "h1"  # the page's one heading (screen readers, axe-core)
        if expired:
            ui.label(t("login.expired")).classes("text-orange-9")
        username = ui.input(t("login.username")).classes("w-full").props('autofocus data-testid="login-username"')
        password = (
            ui.input(t("login.password"), password=True, password_toggle_button=True)
            .classes("w-full")
            .props('data-testid="login-password"')
        )
        message = ui.label().classes("text-negative").props('data-testid="login-error"')
        message.set_visibility(False)

        async def submit() -> None:
            message.set_visibility(False)
            if not (username.value or "").strip() or not password.value:
                message.text = t("login.required")
                message.set_visibility(True)
                return
            button.disable()
            try:
                await session.login(username.value.strip(), password.value)
            except gql.GqlError as exc:
                message.text = exc.message
                message.set_visibility(True)
                notify_error(exc.message)
                password.value = ""
                return
            finally:
                button.enable()
            # A plain HTTP round trip sets the cookie that screenshot and media requests carry.
            ui.navigate.to(f"{session.SESSION_SYNC_PATH}?next={quote(target, safe='/')}")

        password.on("keydown.enter", submit)
        username.on("keydown.enter", submit)
        button = ui.button(t("login.submit"), on_click=submit).classes("w-full").props('data-testid="login-submit"')
    return None
