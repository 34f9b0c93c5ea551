"""An honest ending in a real Chromium: skipping every step is "ended early", no streak day."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import start_session

pytestmark = pytest.mark.browser


def test_skipping_every_step_ends_early_and_is_no_streak_day(
    page: Page, live_server: LiveServer
) -> None:
    planned = start_session(page, live_server)
    player = page.locator("#player")
    for index in range(len(planned)):
        expect(player).to_have_attribute("data-step-index", str(index))
        page.locator("#skip").click()
    expect(player).to_have_attribute("data-status", "finished")
    expect(page.locator("#finished-title")).to_have_text("Session ended early")
    expect(page.locator("#finished-text")).to_have_text(f"You did 0 of {len(planned)} steps.")
    expect(page.locator("#finished")).not_to_contain_text("Well done!")

    page.goto(live_server.url + "/history")
    expect(page.locator("#current-streak")).to_have_text("0")
    expect(page.locator("#completed-count")).to_have_text("0")
    expect(page.locator("#sessions-table tbody tr").first).to_contain_text("ended early")
    expect(page.locator(".calendar .day.active")).to_have_count(0)


def test_the_symptoms_link_reopens_the_screening(page: Page, live_server: LiveServer) -> None:
    start_session(page, live_server)
    page.goto(live_server.url + "/settings")
    page.get_by_role("link", name=re.compile("My symptoms changed")).click()
    expect(page).to_have_url(re.compile(r"/\?screening=again$"))
    expect(page.locator("#screening-form")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Cancel")).click()
    expect(page.locator("#plan")).to_be_visible()
    page.get_by_role("link", name=re.compile("My symptoms changed")).click()
    expect(page.locator("#screening-form")).to_be_visible()
