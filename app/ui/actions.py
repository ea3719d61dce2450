"""What a button does with a GraphQL action: run it, show success or the error in the caller's language as a
toast, send an expired session to the login page, never show a traceback. Used by every page and by the
frame's own header elements (which `app.ui.layout` imports, so this cannot live there)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from nicegui import context, ui

from app.ui import gql, session
from app.ui.i18n import t

log = logging.getLogger(__name__)


def notify_error(message: str) -> None:
    ui.notify(message, type="negative", position="top", multi_line=True, close_button=True)


def notify_ok(message: str) -> None:
    ui.notify(message, type="positive", position="top")


def _page_of_caller() -> AbstractContextManager[Any]:
    """The caller's page, taken before the action is awaited: the dialog whose button started the action is
    often closed and deleted while the action runs (its "hide" deletes it), and a toast or a redirect made
    from inside a deleted dialog raises instead of showing."""
    try:
        return context.client
    except RuntimeError:  # not inside a page (nothing to show a toast on either)
        return contextlib.nullcontext()


@contextlib.contextmanager
def closed(dialog: ui.dialog) -> Iterator[None]:
    """Close the dialog and go on in its page: a dialog is deleted when it hides, usually before the work its
    button started is done, and what that work shows afterwards (a toast, a dialog) must not go with it."""
    page = _page_of_caller()
    dialog.close()
    with page:
        yield


async def run_action(action: Callable[[], Awaitable[Any]], *, success: str | None = None) -> Any:
    """Run a GraphQL action from a button: success → toast, expected failure → error toast, never a traceback."""
    page = _page_of_caller()
    try:
        result = await action()
    except gql.NotAuthenticatedError:
        with page:
            ui.navigate.to(session.login_url())
        return None
    except gql.GqlError as exc:
        text = exc.message
        if exc.blockers:
            text += " " + "; ".join(exc.blockers)
        with page:
            notify_error(text)
        return None
    except Exception:
        log.exception("event=ui_action_failed")
        with page:
            notify_error(t("common.error"))
        return None
    if success:
        with page:
            notify_ok(success)
    return result if result is not None else True
