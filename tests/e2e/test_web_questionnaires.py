"""Questionnaires in a real Chromium: due on Today, inline error, score charted on History."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import answer_screening

pytestmark = pytest.mark.browser


def test_pain_and_function_check_from_today_to_history(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    answer_screening(page)
    page.locator("#check-due").get_by_role("link", name="Answer now").click()
    expect(page.get_by_role("heading", name="Pain and function check")).to_be_visible()
    assert axe_violations(page) == []
    screenshot_both(page, "questionnaire")

    form = page.locator("#questionnaire-form")
    questions = form.locator("fieldset.question")
    for i, value in enumerate(("4", "3", "2")):  # the last question is left out
        questions.nth(i).locator(f"input[value='{value}']").check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.locator("#questionnaire-error")).to_contain_text("please answer")
    expect(questions.nth(0).locator("input[value='4']")).to_be_checked()  # kept
    questions.nth(3).locator("input[value='1']").check()
    page.get_by_role("button", name="Save answers").click()

    expect(page).to_have_url(f"{live_server.url}/history#scores-title")
    chart = page.locator("canvas.score-chart[data-name='pain-function']")
    expect(chart).to_be_visible()
    scores = page.locator("section[aria-labelledby='scores-title']")
    expect(scores.locator("table")).to_contain_text("total")  # the chart's table twin
    page.wait_for_function("() => window.Chart && document.querySelector('canvas.score-chart')")
    assert axe_violations(page) == []
    screenshot_both(page, "history-scores")
    page.goto(live_server.url + "/")
    expect(page.locator("#check-due")).to_have_count(0)  # not due again for two weeks
