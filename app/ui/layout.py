"""The shared frame of every dashboard page: header, role-gated navigation, user menu, page guard.

`protected_page(path, nav=..., min_role=...)` registers a NiceGUI page that requires a login, refuses a
role below `min_role` (the menu hides such items too), draws the frame and then lets the page build its
content once the browser is connected (so the page shows a spinner instead of a blank screen while loading).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from nicegui.client import ClientConnectionTimeout

from app.domain.enums import Role
from app.domain.users.tokens import Principal
from app.ui import gql, session
from app.ui.actions import notify_error, notify_ok, run_action
from app.ui.alarm_badge import alarm_badge
from app.ui.broadcast_header import broadcast_header
from app.ui.i18n import current_language, t

log = logging.getLogger(__name__)

__all__ = ["notify_error", "notify_ok", "run_action"]  # their home is app.ui.actions; pages import them here

MIN_PASSWORD_LENGTH = 6
PAGE_TIMEOUT_SECONDS = 20.0
CONNECT_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class NavItem:
    path: str
    label_key: str
    icon: str
    min_role: Role


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("/", "nav.dashboard", "dashboard", Role.USER),
    NavItem("/calendar", "nav.calendar", "event", Role.USER),  # read-only below editor, as the API
    NavItem("/resources", "nav.resources", "view_timeline", Role.USER),
    NavItem("/preview", "nav.preview", "preview", Role.USER),
    NavItem("/playback", "nav.playback", "fact_check", Role.USER),
    NavItem("/groups", "nav.groups", "tv", Role.ADMIN),
    NavItem("/media", "nav.media", "perm_media", Role.EDITOR),
    NavItem("/users", "nav.users", "group", Role.ADMIN),
    NavItem("/alarms", "nav.alarms", "notifications_active", Role.ADMIN),
    NavItem("/audit", "nav.audit", "history", Role.ADMIN),
    NavItem("/api-tokens", "nav.api_tokens", "key", Role.ADMIN),
    NavItem("/settings", "nav.settings", "settings", Role.USER),
    NavItem("/broadcasts", "nav.broadcasts", "campaign", Role.USER),
    NavItem("/monitoring", "nav.monitoring", "monitor_heart", Role.SUPERADMIN),
    NavItem("/programminfo", "nav.programminfo", "info", Role.USER),
)

# Badge colours carry white text: every one at least 4.5:1 (WCAG AA, checked by axe-core in tests/ui).
ROLE_COLORS = {Role.USER: "grey-8", Role.EDITOR: "blue-9", Role.ADMIN: "green-9", Role.SUPERADMIN: "red-9"}

_CSS = """
.is-content { width: 100%; max-width: 1400px; margin: 0 auto; }
.is-card-grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); }
.is-stat { min-width: 150px; flex: 1 1 150px; }
.is-muted { color: #4b5563; }  /* 4.5:1 also on the light tinted cards and board columns */
.nicegui-link { color: #1d4ed8; }  /* NiceGUI's default blue is 3.7:1 on the light banners */
.nicegui-content { padding: 1rem; }
@media (max-width: 600px) { .nicegui-content { padding: 0.5rem; } }
"""


@dataclass
class PageContext:
    principal: Principal
    request: Request

    def can(self, role: Role) -> bool:
        return self.principal.has(role)

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params)


PageBuilder = Callable[[PageContext], Awaitable[None]]


def visible_nav(principal: Principal) -> list[NavItem]:
    return [item for item in NAV_ITEMS if principal.has(item.min_role)]


def _theme() -> None:
    # White text on each of these colours reaches 4.5:1 (a Quasar `warning` badge is white on this amber).
    ui.colors(
        primary="#1f4e79",
        secondary="#3d6591",
        accent="#c2410c",
        positive="#15803d",
        negative="#b91c1c",
        warning="#b45309",
        info="#0e7490",
    )
    ui.add_css(_CSS)


def password_dialog() -> ui.dialog:
    with ui.dialog().props(f'aria-label="{t("menu.change_password")}"') as dialog, ui.card().classes("w-96 max-w-full"):
        ui.label(t("menu.change_password")).classes("text-lg font-medium")
        current = ui.input(t("password.current"), password=True, password_toggle_button=True).classes("w-full")
        new = ui.input(
            t("password.new"),
            password=True,
            validation={t("password.too_short"): lambda v: len(v or "") >= MIN_PASSWORD_LENGTH},
        ).classes("w-full")
        confirm = ui.input(
            t("password.confirm"),
            password=True,
            validation={t("password.mismatch"): lambda v: v == new.value},
        ).classes("w-full")
        current.props('data-testid="pw-current"')
        new.props('data-testid="pw-new"')
        confirm.props('data-testid="pw-confirm"')

        async def submit() -> None:
            if len(new.value or "") < MIN_PASSWORD_LENGTH:
                notify_error(t("password.too_short"))
                return
            if new.value != confirm.value:
                notify_error(t("password.mismatch"))
                return

            async def change() -> None:
                data = await gql.gql(
                    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n)"
                    " { __typename ... on Error { message code reason } } }",
                    {"c": current.value, "n": new.value},
                )
                gql.ok(data.get("changePassword"))

            if await run_action(change, success=t("password.changed")):
                dialog.close()
                for field in (current, new, confirm):
                    field.value = ""

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat")
            ui.button(t("common.save"), on_click=submit).props('data-testid="pw-save"')
    return dialog


def page_language() -> None:
    """`<html lang>` and Quasar's own texts follow the session's language (a per-client copy of the page)."""
    client = ui.context.client
    client.page = copy.copy(client.page)
    client.page.language = "en-US" if current_language() == "en" else "de"


def _toggle_language() -> None:
    session.set_language("de" if current_language() == "en" else "en")
    ui.navigate.reload()


def frame(principal: Principal, active_path: str) -> ui.column:
    """Header, drawer and user menu; returns the column the page content goes into."""
    _theme()
    page_language()
    ui.page_title(t("app.title"))
    drawer = ui.left_drawer(value=None, bordered=True).classes("bg-grey-1").props("width=240 breakpoint=900")
    with ui.header(elevated=True).classes("items-center px-2 py-1 bg-primary"):
        ui.button(icon="menu", on_click=drawer.toggle).props(
            f'flat round color=white aria-label="{t("a11y.open_navigation")}"'
        )
        ui.label(t("app.title")).classes("text-xl font-medium text-white")
        ui.space()
        broadcast_header(principal)
        alarm_badge(principal)
        dialog = password_dialog()
        with (
            ui.button(icon="account_circle")
            .props(f'flat no-caps color=white data-testid="user-menu" aria-label="{t("a11y.user_menu")}"')
            .classes("text-white"),
            ui.menu(),
        ):
            with ui.item().props('dense role="none"'), ui.item_section():
                ui.item_label(principal.username).classes("font-medium")
                ui.item_label(t(f"role.{principal.role.value}")).props("caption").classes("user-role")
            ui.separator()
            ui.menu_item(t("menu.profile"), on_click=lambda: ui.navigate.to("/profile")).props(
                'role="menuitem" data-testid="menu-profile"'
            )
            ui.menu_item(t("menu.change_password"), on_click=dialog.open).props('role="menuitem"')
            ui.menu_item(t("menu.language"), on_click=_toggle_language).props('role="menuitem"')
            ui.menu_item(t("menu.logout"), on_click=lambda: ui.navigate.to(session.LOGOUT_PATH)).props(
                'role="menuitem" data-testid="logout"'
            )
        ui.label(principal.username).classes("text-white max-sm:hidden")
    with drawer, ui.list().classes("w-full").props("padding"):
        for item in visible_nav(principal):
            row = (
                ui.item(on_click=lambda p=item.path: ui.navigate.to(p))
                .props(f'clickable data-testid="nav-{item.path.strip("/") or "dashboard"}"')
                .classes("rounded-borders")
            )
            if item.path == active_path:
                row.props("active active-class=bg-blue-1")
            with row:
                with ui.item_section().props("avatar"):
                    ui.icon(item.icon)
                ui.item_section(t(item.label_key))
    return ui.column().classes("is-content gap-4")


def refusal() -> None:
    with ui.card().classes("w-full items-center p-8").props('data-testid="forbidden"'):
        ui.icon("block", size="3rem").classes("text-negative")
        ui.label(t("forbidden.title")).classes("text-xl font-medium tracking-normal q-my-none").tag = "h1"
        ui.label(t("forbidden.text")).classes("is-muted")
        ui.link(t("nav.dashboard"), "/")


def inline_error(message: str) -> None:
    with ui.card().classes("w-full bg-red-1"), ui.row().classes("items-center"):
        ui.icon("error", color="negative")
        ui.label(message).props('data-testid="page-error"')


def page_heading(text: str) -> ui.label:
    """The page's one `h1` (screen readers and axe-core look for it), styled as before."""
    heading = ui.label(text).classes("text-2xl font-medium tracking-normal q-my-none")
    heading.tag = "h1"
    return heading.props('data-testid="page-title"')


def protected_page(path: str, *, nav: str, min_role: Role = Role.USER) -> Callable[[PageBuilder], PageBuilder]:
    def decorator(build: PageBuilder) -> PageBuilder:
        @ui.page(path, response_timeout=PAGE_TIMEOUT_SECONDS)
        async def _page(request: Request) -> RedirectResponse | None:
            principal = await gql.principal()
            if principal is None:
                had_session = session.stored_user() is not None
                for key in ("token", "user"):
                    app.storage.user.pop(key, None)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(session.login_url(target, expired=had_session), status_code=303)
            stored = session.stored_user() or {}
            if stored.get("role") != principal.role.value:  # an admin changed the role since login
                app.storage.user["user"] = {**stored, "role": principal.role.value, "username": principal.username}
            content = frame(principal, path)
            with content:
                if not principal.has(min_role):
                    refusal()
                    return None
                ui.page_title(f"{t(nav)} – {t('app.title')}")
                spinner = ui.spinner(size="lg").classes("self-center")
            try:
                await ui.context.client.connected(timeout=CONNECT_TIMEOUT_SECONDS)
            except ClientConnectionTimeout:
                return None  # the browser went away before the page was shown
            with content:
                try:
                    await build(PageContext(principal, request))
                except gql.NotAuthenticatedError:
                    ui.navigate.to(session.login_url(path, expired=True))
                except gql.GqlError as exc:
                    inline_error(exc.message)
                finally:
                    spinner.delete()
            return None

        return build

    return decorator
