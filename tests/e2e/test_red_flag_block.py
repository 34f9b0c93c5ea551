"""A red flag answered on Today blocks the exercise pages in a real Chromium, until a clear one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import answer_screening

pytestmark = pytest.mark.browser


def test_a_red_flag_on_today_blocks_the_exercise_page(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    answer_screening(page, yes_to="saddle-numbness")
    expect(page.locator("#stop-message")).to_be_visible()

    page.goto(live_server.url + "/exercises/glute-bridge")
    notice = page.get_by_role("alert").filter(has_text="Please do not start the exercises")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("emergency department")
    expect(notice).not_to_contain_text("backcoach screening")
    expect(page.get_by_role("heading", name="Starting position")).to_be_visible()
    expect(page.get_by_role("heading", name="Dose", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Practice with camera")).to_have_count(0)
    assert axe_violations(page) == []

    notice.get_by_role("link", name="Answer the screening again").click()
    answer_screening(page)
    expect(page.locator("#plan")).to_be_visible()

    page.goto(live_server.url + "/exercises/glute-bridge")
    expect(page.get_by_role("heading", name="Dose", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Practice with camera")).to_be_visible()
    expect(page.locator("#exercise-block")).to_have_count(0)
