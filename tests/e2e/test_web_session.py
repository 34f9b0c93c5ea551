"""A guided session in a real Chromium: start, every step, reload, finish, history."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser


def answer_screening(page: Page, yes_to: str | None = None) -> None:
    """Answer every screening question "no" (or "yes" to ``yes_to``) and save."""
    form = page.locator("#screening-form")
    expect(form).to_be_visible()
    for fieldset in form.locator("fieldset.question").all():
        name = fieldset.locator("input[type=radio]").first.get_attribute("name")
        answer = "yes" if name == yes_to else "no"
        fieldset.locator(f"input[value='{answer}']").check()
    page.get_by_role("button", name="Save my answers").click()


def start_session(page: Page, live: LiveServer, pain: int = 2) -> list[str]:
    """From Today: screening if asked, the pain check-in, Start; returns the planned steps."""
    page.goto(live.url + "/")
    if page.locator("#screening-form").count():
        answer_screening(page)
    names = [n.strip() for n in page.locator("#plan-steps li > a").all_inner_texts()]
    page.locator(f"input[name='pain_before'][value='{pain}']").check()
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/session/\d+$"))
    expect(page.locator("#player[data-ready='true']")).to_be_attached()
    return names


def run_to_the_end(page: Page, max_clicks: int = 400) -> list[str]:
    """Press the main button whenever the step asks for it; returns the step names seen."""
    seen: list[str] = []
    player = page.locator("#player")
    for _ in range(max_clicks):
        if player.get_attribute("data-status") == "finished":
            break
        name = page.locator("#step-panel .step-name").inner_text().strip()
        if not seen or seen[-1] != name:
            seen.append(name)
        primary = page.locator("#primary")
        if primary.is_visible() and primary.is_enabled():
            primary.click()
        page.wait_for_timeout(60)
    expect(player).to_have_attribute("data-status", "finished")
    return seen


def test_complete_session_clicking_through_every_step(page: Page, live_server: LiveServer) -> None:
    planned = start_session(page, live_server)
    expect(page.locator("#primary")).to_have_text("Start session")
    assert axe_violations(page) == []
    screenshot_both(page, "session-ready")
    page.locator("#primary").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "running")
    page.locator("#pause").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    assert axe_violations(page) == []
    screenshot_both(page, "session-paused")
    page.locator("#pause").click()
    seen = run_to_the_end(page)
    assert [s.split("\n")[0] for s in seen] == planned
    expect(page.locator("#finished-title")).to_have_text("Session complete. Well done!")
    page.locator("input[name='pain_after'][value='1']").check()
    page.locator("input[name='effort'][value='4']").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text(f"{len(planned)} of {len(planned)}")
    expect(page.locator("#summary")).to_contain_text("2 → 1")
    assert axe_violations(page) == []
    screenshot_both(page, "session-finished")


def test_reload_mid_session_resumes_at_the_same_step(page: Page, live_server: LiveServer) -> None:
    start_session(page, live_server)
    page.locator("#primary").click()  # start
    expect(page.locator("#player")).to_have_attribute("data-status", "running")
    page.locator("#skip").click()
    expect(page.locator("#player")).to_have_attribute("data-step-index", "1")
    page.locator("#pause").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    step_name = page.locator("#step-panel .step-name").inner_text()
    page.reload()
    expect(page.locator("#player[data-ready='true']")).to_be_attached()
    expect(page.locator("#step-number")).to_have_text("2")
    assert page.locator("#step-panel .step-name").inner_text() == step_name
    expect(page.locator("#primary")).to_have_text("Resume")
