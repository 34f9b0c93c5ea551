"""Every page in a real Chromium: content, navigation, accessibility, screenshots."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser


def test_exercise_library_filters_and_searches(page: Page, live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1/exercises"
    total = len(httpx.get(api).json())
    workout = len(httpx.get(api, params={"stage": "workout"}).json())
    assert total > workout >= 3
    page.goto(f"{live_server.url}/exercises")
    expect(page.get_by_role("heading", name="Exercises", level=1)).to_be_visible()
    cards = page.locator(".exercise-card")
    expect(cards).to_have_count(total)
    page.get_by_label("Search exercises").fill("bridge")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Glute bridge")
    expect(page).to_have_url(re.compile(r"[?&]q=bridge"))  # the search is bookmarkable
    page.get_by_label("Search exercises").fill("")
    expect(cards).to_have_count(total)
    page.get_by_label("Workout").check()
    # Auto-waiting: the HTMX swap replaces the list a moment after the click.
    expect(cards).to_have_count(workout)
    expect(cards.filter(has_not_text="workout")).to_have_count(0)
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


#: Where the figure's limbs are drawn now.
POSE = (
    "[...document.querySelectorAll('.figure-stage line[data-from]')]"
    ".map(l => l.getAttribute('x2') + ',' + l.getAttribute('y2')).join(' ')"
)


def test_the_figure_moves_between_keyframes(page: Page, live_server: LiveServer) -> None:
    page.emulate_media(reduced_motion="no-preference")
    page.goto(live_server.url + "/exercises/glute-bridge")
    expect(page.locator(".figure-stage line[data-from]").first).to_be_attached()
    first = page.evaluate(f"() => {POSE}")
    page.wait_for_function(f"(first) => {POSE} !== first", arg=first)


def test_the_figure_keeps_still_when_motion_is_reduced(page: Page, live_server: LiveServer) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(live_server.url + "/exercises/glute-bridge")
    expect(page.locator(".figure-stage line[data-from]").first).to_be_attached()
    first = page.evaluate(f"() => {POSE}")
    # Nothing to wait for when nothing should happen: give it longer than the first move
    # (0.6 s wait + 1.4 s move) and check that it stayed put.
    page.wait_for_timeout(2500)
    assert page.evaluate(f"() => {POSE}") == first
