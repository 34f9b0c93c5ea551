"""Every page in a real Chromium: content, navigation, accessibility, screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_exercise_library_filters_and_searches(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/exercises")
    expect(page.get_by_role("heading", name="Exercises", level=1)).to_be_visible()
    cards = page.locator(".exercise-card")
    total = cards.count()
    assert total >= 3
    page.get_by_label("Search exercises").fill("bridge")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Glute bridge")
    assert "q=bridge" in page.url  # the search is bookmarkable
    page.get_by_label("Search exercises").fill("")
    expect(cards).to_have_count(total)
    page.get_by_label("Workout").check()
    # Auto-waiting: the HTMX swap replaces the list a moment after the click.
    expect(cards.filter(has_not_text="workout")).to_have_count(0)
    expect(cards.first).to_be_visible()
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Steps")).to_be_visible()


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("exercises", "/exercises"),
        ("exercise-detail", "/exercises/bird-dog"),
        ("disclaimer", "/disclaimer"),
        ("not-found", "/exercises/no-such-exercise"),
        ("not-found-session", "/session/not-a-number"),
    ],
)
def test_page_is_accessible_and_has_disclaimer(
    page: Page, live_server: LiveServer, name: str, path: str
) -> None:
    page.goto(live_server.url + path)
    expect(page.locator("footer")).to_contain_text("Not medical advice")
    expect(page.get_by_role("link", name="Read the full disclaimer")).to_be_visible()
    assert axe_violations(page) == []
    screenshot_both(page, name)


def test_api_docs_load_from_our_own_files(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/docs")
    expect(page.get_by_text("/api/v1/sessions/{session_id}/events").first).to_be_visible()
    screenshot_both(page, "api-docs")


def _pose(page: Page) -> str:
    return page.evaluate(
        "() => [...document.querySelectorAll('.figure-stage line[data-from]')]"
        ".map(l => l.getAttribute('x2') + ',' + l.getAttribute('y2')).join(' ')"
    )


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_the_figure_moves_between_keyframes_unless_motion_is_reduced(
    page: Page, live_server: LiveServer, motion: str
) -> None:
    page.emulate_media(reduced_motion=motion)  # type: ignore[arg-type]
    page.goto(live_server.url + "/exercises/glute-bridge")
    first = _pose(page)
    page.wait_for_timeout(2500)  # longer than one move between keyframes
    moved = _pose(page) != first
    assert moved is (motion == "no-preference")
