"""The Today page in a real Chromium: first visit, screening, red flags, habits."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import answer_screening

pytestmark = pytest.mark.browser


def test_first_visit_shows_disclaimer_and_screening_then_the_plan(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/")
    expect(page.locator("#welcome")).to_contain_text("not medical advice")
    expect(page.locator("#plan")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot_both(page, "today-first-visit")

    page.get_by_role("button", name="Save my answers").click()  # nothing answered
    expect(page.locator("#screening-form .field-error").first).to_be_visible()
    expect(page.locator("#plan")).to_have_count(0)

    answer_screening(page)
    expect(page.locator("#plan")).to_be_visible()
    expect(page.locator("#welcome")).to_have_count(0)
    expect(page.locator("#plan-minutes")).to_contain_text("min")
    expect(page.locator("#plan-steps li").nth(4)).to_be_attached()  # at least five steps
    expect(page.get_by_role("button", name="Start session")).to_be_visible()
    expect(page.locator("#tip")).to_be_visible()
    page.locator("#habit-walk").click()
    expect(page.locator("#habit-walk")).to_contain_text("done today")
    assert axe_violations(page) == []
    screenshot_both(page, "today-plan")

    page.reload()
    expect(page.locator("#habit-walk")).to_contain_text("done today")


def test_a_red_flag_shows_the_stop_message_and_no_plan(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    answer_screening(page, yes_to="bladder-bowel")
    stop = page.locator("#stop-message")
    expect(stop).to_be_visible()
    expect(stop).to_contain_text("emergency")
    expect(page.locator("#plan")).to_have_count(0)
    expect(page.get_by_role("button", name="Start session")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot_both(page, "today-red-flag")

    # no way around it: the API refuses to start a session as well
    refused = httpx.post(f"{live_server.url}/api/v1/sessions", json={"pain_before": 1})
    assert refused.status_code == 409
    assert httpx.get(f"{live_server.url}/api/v1/plan").json()["steps"] == []

    page.get_by_role("link", name="Answer the screening again").click()
    answer_screening(page)
    expect(page.locator("#plan")).to_be_visible()
