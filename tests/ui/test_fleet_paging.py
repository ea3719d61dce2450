"""The monitoring page's slice arithmetic: pages of 48, a filter starts at page 1, a vanished page falls back."""

from __future__ import annotations

from app.ui.fleet_paging import PAGE_SIZE, FleetSlice, page_count


def test_pages_cover_the_matching_displays() -> None:
    assert PAGE_SIZE == 48
    assert [page_count(n) for n in (0, 1, 48, 49, 96, 97)] == [1, 1, 1, 2, 2, 3]


def test_a_new_filter_starts_on_page_one_and_asks_for_its_statuses() -> None:
    fleet = FleetSlice(page=3)
    assert fleet.statuses is None and fleet.offset == 96 and fleet.shown_range(12) == (97, 108)
    fleet.select("problems")
    assert fleet.page == 1 and fleet.statuses == ["CRITICAL", "WARNING", "OFFLINE"]
    fleet.select("no-such-filter")
    assert fleet.status_filter == "all" and fleet.statuses is None
    assert fleet.shown_range(0) == (0, 0)


def test_a_shrunken_fleet_moves_to_its_last_page() -> None:
    fleet = FleetSlice(page=2)
    assert fleet.fit(60) is False and fleet.page == 2
    assert fleet.fit(48) is True and fleet.page == 1
    fleet.page = 5
    assert fleet.fit(0) is True and fleet.page == 1
