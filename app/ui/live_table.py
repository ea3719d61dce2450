"""A table for live pages with hundreds of rows: paged and sorted on the server, clicks never lost.

- Server-side pagination (QTable `rowsNumber` and its `request` event): the browser holds only the page it shows,
  and `show(rows)` re-sends that page only when it changed. Sorting happens here, over all rows.
- Cell templates (`cell_slot`) are compiled once in the browser and kept: NiceGUI's own slot templates become
  new components on every render, so each update of the page remounted every templated cell (checkboxes,
  badges, buttons) and a click landing on one was swallowed.
- The selection is the browser's as soon as it is clicked (no round trip to show a tick); the server keeps a
  copy from the browser's reports. Once the browser has a selection version, updates of the table (a live
  page) leave its selection alone (NiceGUI's `preserved_props`, as value elements do), so a click in flight is
  never reset. A selection the server sets itself (`table.selected = [...]`, e.g. cleared after an action)
  starts a new version and is sent once; a report the browser made before it had that version is dropped
  (it was made on a selection that no longer holds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments, TableSelectionEventArguments, handle_event

ROWS_PER_PAGE_OPTIONS = (10, 20, 50, 100)
SortKey = Callable[[dict[str, Any]], Any]


class LiveTable(ui.table, component="live_table.js"):
    def __init__(
        self,
        *,
        columns: list[dict[str, Any]],
        row_key: str,
        rows_per_page: int = 20,
        sort_keys: dict[str, SortKey] | None = None,
    ) -> None:
        super().__init__(columns=columns, rows=[], row_key=row_key, selection="multiple", pagination=rows_per_page)
        # Quasar's delta event is replaced by the full selection the browser shows (`update:selected`).
        for listener_id, listener in list(self._event_listeners.items()):
            if listener.type == "selection":
                del self._event_listeners[listener_id]
        self._props["cellSlots"] = {}
        self._props["rows-per-page-options"] = list(ROWS_PER_PAGE_OPTIONS)
        self._props["pagination"] = {
            "page": 1,
            "rowsPerPage": rows_per_page,
            "sortBy": None,
            "descending": False,
            "rowsNumber": 0,
        }
        self._sort_keys = sort_keys or {}
        self._all_rows: list[dict[str, Any]] = []
        self._sent: tuple[list[dict[str, Any]], dict[str, Any]] | None = None
        # The selection as the browser last reported it: (version, keys); it starts with none, as the server.
        self._props["selectionVersion"] = 0
        self._selection_sent = -1  # the selection version last sent to the browser
        self.on("client-selected", self._handle_selection, ["rows", "version"])
        self.on("request", self._handle_request, ["pagination"])

    # --- what the server shows ---------------------------------------------------------------------------
    def cell_slot(self, name: str, template: str) -> None:
        """A cell template (`props` is the slot's scope; `emit(event, args)` sends an event of the table)."""
        self._props["cellSlots"] = {**self._props["cellSlots"], name: template}

    @property
    def all_rows(self) -> list[dict[str, Any]]:
        """Every row (all pages), as last given to `show`."""
        return self._all_rows

    def show(self, rows: list[dict[str, Any]], *, ignore: Collection[str] = ()) -> bool:
        """All rows (every page); the browser receives the shown page when it differs from what it has, in more
        than the `ignore`d fields. Returns whether it was sent."""
        self._all_rows = rows
        return self._send_page(ignore=ignore)

    def first_page(self) -> None:
        """Back to page 1 with the next `show` (after the filter changed)."""
        with self._props.suspend_updates():
            self._props["pagination"] = {**self._props["pagination"], "page": 1}

    def _send_page(self, *, ignore: Collection[str] = (), force: bool = False) -> bool:
        pagination = dict(self._props["pagination"])
        per_page = int(pagination.get("rowsPerPage") or 0) or ROWS_PER_PAGE_OPTIONS[1]
        pages = max(1, math.ceil(len(self._all_rows) / per_page))
        page = min(max(1, int(pagination.get("page") or 1)), pages)
        pagination.update(page=page, rowsPerPage=per_page, rowsNumber=len(self._all_rows))
        ordered = self._sorted(self._all_rows, pagination.get("sortBy"), bool(pagination.get("descending")))
        shown = ordered[(page - 1) * per_page : page * per_page]
        sent = self._sent
        unchanged = (
            sent is not None
            and sent[1] == pagination
            and (sent[0] == shown or (bool(ignore) and _without(sent[0], ignore) == _without(shown, ignore)))
        )
        if unchanged and not force:
            return False
        self._sent = (shown, pagination)
        with self._props.suspend_updates():
            self._props["rows"] = shown
            self._props["pagination"] = pagination
        self.update()
        return True

    def _sorted(self, rows: list[dict[str, Any]], sort_by: Any, descending: bool) -> list[dict[str, Any]]:
        column = next((c for c in self._props["columns"] if c.get("name") == sort_by and c.get("sortable")), None)
        if column is None:
            return rows
        key = self._sort_keys.get(str(sort_by))
        if key is None:
            field = column.get("field")

            def key(row: dict[str, Any]) -> Any:
                value = row.get(field) if isinstance(field, str) else None
                return (value is None, str(value).lower() if isinstance(value, str) else value)

        return sorted(rows, key=key, reverse=descending)

    # --- what the browser reports -----------------------------------------------------------------------
    def _handle_request(self, e: GenericEventArguments) -> None:
        wanted = e.args.get("pagination") if isinstance(e.args, dict) else None
        if not isinstance(wanted, dict):
            return
        pagination = dict(self._props["pagination"])
        per_page = wanted.get("rowsPerPage")
        pagination.update(
            page=int(wanted.get("page") or 1),
            rowsPerPage=per_page if per_page in ROWS_PER_PAGE_OPTIONS else pagination["rowsPerPage"],
            sortBy=wanted.get("sortBy"),
            descending=bool(wanted.get("descending")),
        )
        with self._props.suspend_updates():
            self._props["pagination"] = pagination
        self._send_page(force=True)

    @property
    def selected(self) -> list[dict[str, Any]]:
        """The selected rows (of every page)."""
        return self._props["selected"]

    @selected.setter
    def selected(self, value: list[dict[str, Any]]) -> None:
        with self._props.suspend_updates():
            self._props["selectionVersion"] += 1
            self._props["selected"] = value
        self.update()

    def _handle_selection(self, e: GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        if args.get("version") != self._props["selectionVersion"]:
            return  # made before the browser had the server's own change of the selection, which it has now
        rows = [row for row in (args.get("rows") or []) if isinstance(row, dict)]
        with self._props.suspend_updates():
            self._props["selected"] = rows
        arguments = TableSelectionEventArguments(sender=self, client=self.client, selection=self.selected)
        for handler in self._selection_handlers:
            handle_event(handler, arguments)

    def _to_dict(self) -> dict[str, Any]:
        dict_ = super()._to_dict()
        version = self._props["selectionVersion"]
        if self._selection_sent == version:
            # The browser has this version's selection, and its own clicks since then (reported or still on
            # their way): an update of the rows leaves them alone. Only a selection the server sets itself (a
            # new version) goes out, once.
            dict_["preserved_props"] = [*dict_.get("preserved_props", []), "selected"]
        self._selection_sent = version
        return dict_


def _without(rows: list[dict[str, Any]], ignore: Collection[str]) -> list[tuple[Any, ...]]:
    return [tuple(value for key, value in row.items() if key not in ignore) for row in rows]
