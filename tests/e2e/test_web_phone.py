"""The phone layout in a real Chromium at 390x844: a compact header, a balanced pain scale,
History's tables inside the screen."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import FloatRect, Locator, Page, ViewportSize, expect

from tests.e2e.conftest import screenshot_both
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import answer_screening

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
NAV = ["Today", "Exercises", "Desk", "History", "Settings"]
MAX_HEADER_PX = 100


def _rows(page: Page, selector: str) -> list[int]:
    """How many of the matching elements sit on each line, top to bottom."""
    tops = [round(box["y"]) for box in map(_box, page.locator(selector).all())]
    return [tops.count(top) for top in sorted(set(tops))]


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None
    return box


def test_the_phone_header_is_one_brand_row_and_one_nav_row(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/exercises")
    header = page.locator(".site-header")
    expect(header).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label in NAV:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_in_viewport(ratio=1)
    assert _box(header)["height"] <= MAX_HEADER_PX
    assert _rows(page, ".nav-list a") == [len(NAV)]  # no lonely "Settings" row
    for link in page.locator(".nav-list a").all():  # still easy to tap
        assert _box(link)["height"] >= 44


def test_the_pain_scale_is_six_over_five_on_a_phone_and_one_row_on_a_desktop(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    answer_screening(page)
    expect(page.locator("#plan")).to_be_visible()
    options = page.locator(".pain-scale label")
    expect(options).to_have_count(11)
    for n in range(11):
        option = page.locator(f"label:has(input[name='pain_before'][value='{n}'])")
        expect(option).to_be_visible()
        expect(option).to_have_text(str(n))
        box = _box(option)
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"]
        assert box["width"] >= 44
        assert box["height"] >= 44
    assert _rows(page, ".pain-scale label") == [6, 5]

    page.set_viewport_size(DESKTOP)
    expect(options.last).to_be_visible()
    assert _rows(page, ".pain-scale label") == [11]
    # the questionnaires' 0-10 items follow the same rule
    page.locator("#check-due").get_by_role("link", name="Answer now").click()
    first_item = "#questionnaire-form fieldset.question:first-of-type .pain-scale label"
    expect(page.locator(first_item)).to_have_count(11)
    assert _rows(page, first_item) == [11]
    page.set_viewport_size(PHONE)
    expect(page.locator(first_item).last).to_be_visible()
    assert _rows(page, first_item) == [6, 5]


def _history_with_sessions(live: LiveServer, sessions: int = 3) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        questions = client.get("/api/v1/screening/questions").json()
        client.post("/api/v1/screening", json={"answers": {q["id"]: False for q in questions}})
        for _ in range(sessions):
            state = client.post("/api/v1/sessions", json={"pain_before": 4})
            assert state.status_code == 201, state.text
            finish = f"/api/v1/sessions/{state.json()['session_id']}/finish"
            assert client.post(finish, json={"pain_after": 3, "effort": 4}).status_code == 200


def test_history_tables_stay_inside_a_phone_screen(page: Page, live_server: LiveServer) -> None:
    _history_with_sessions(live_server)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/history")
    table = page.locator("#sessions-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    for summary in page.locator("details summary").all():  # the chart tables too
        summary.click()
    expect(page.locator("details[open]")).to_have_count(page.locator("details").count())
    screenshot_both(page, "history-tables")  # asserts: no sideways overflow of the page

    # The wide table scrolls inside its own labelled, keyboard-reachable region...
    page.set_viewport_size(PHONE)
    region = page.get_by_role("region", name="Recent sessions, as a table")
    expect(region).to_have_attribute("tabindex", "0")
    expect(page.get_by_text("Swipe the table sideways")).to_be_visible()
    last_header = table.get_by_role("columnheader", name="Pain before → after")
    first_cell = table.locator("tbody tr").first.locator("td").first
    region.scroll_into_view_if_needed()
    expect(first_cell).to_be_in_viewport(ratio=1)
    expect(last_header).not_to_be_in_viewport()
    # ...and the day of each row stays in view when it is scrolled to the last column.
    region.focus()
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    expect(last_header).to_be_in_viewport(ratio=1)
    expect(first_cell).to_be_in_viewport(ratio=1)
    row = _box(table.locator("tbody tr").first.locator("td").first)
    assert row["x"] >= 0
    assert row["x"] + row["width"] <= PHONE["width"]
