"""A guided session in a real Chromium: start, every step, reload, finish, history."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from backcoach.coach.safety import QUESTIONS
from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser


def answer_screening(page: Page, yes_to: str | None = None) -> None:
    """Answer every screening question "no" (or "yes" to ``yes_to``) and save."""
    form = page.locator("#screening-form")
    expect(form).to_be_visible()
    expect(form.locator("fieldset.question")).to_have_count(len(QUESTIONS))
    for question in QUESTIONS:
        answer = "yes" if question.id == yes_to else "no"
        form.locator(f"input[name='{question.id}'][value='{answer}']").check()
    page.get_by_role("button", name="Save my answers").click()


#: Records every step index the player shows while the session runs. Each state from the
#: server is drawn in its own task and the observer runs at the end of that task, so no step
#: slips by unseen, however slowly this test polls.
STEP_TRACE = """
document.addEventListener("DOMContentLoaded", () => {
  const player = document.getElementById("player");
  if (!player) return;
  const shown = [];
  window.__stepsShown = shown;
  const note = () => {
    const index = Number(player.dataset.stepIndex);
    if (player.dataset.status === "finished" || shown[shown.length - 1] === index) return;
    shown.push(index);
  };
  note();
  new MutationObserver(note).observe(player, {
    attributes: true, attributeFilter: ["data-step-index", "data-status"],
  });
});
"""


def start_session(page: Page, live: LiveServer, pain: int = 2) -> list[str]:
    """From Today on a fresh server: screening, the pain check-in, Start; returns the plan."""
    page.add_init_script(STEP_TRACE)
    page.goto(live.url + "/")
    answer_screening(page)
    steps = page.locator("#plan-steps li > a")
    expect(steps.first).to_be_visible()  # the plan, drawn at once, replaces the screening
    names = [n.strip() for n in steps.all_inner_texts()]
    page.locator(f"input[name='pain_before'][value='{pain}']").check()
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/session/\d+$"))
    expect(page.locator("#player[data-ready='true']")).to_be_attached()
    # no second "Start session": the player begins the session as it opens
    expect(page.locator("#player")).to_have_attribute("data-status", "running")
    return names


def run_to_the_end(page: Page, max_clicks: int = 600) -> list[int]:
    """Press the main button whenever the step asks for it; returns the step indexes shown."""
    player = page.locator("#player")
    primary = page.locator("#primary")
    for _ in range(max_clicks):
        if player.get_attribute("data-status") == "finished":
            break
        try:
            primary.click(timeout=2_000)
        except PlaywrightTimeoutError:
            # The button hides only when the session is over (it may end between the two).
            expect(player).to_have_attribute("data-status", "finished")
        page.wait_for_timeout(60)
    expect(player).to_have_attribute("data-status", "finished")
    shown: list[int] = page.evaluate("window.__stepsShown")
    return shown


def test_complete_session_then_history_and_export(page: Page, live_server: LiveServer) -> None:
    planned = start_session(page, live_server)
    expect(page.get_by_role("button", name="Start session")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot_both(page, "session-first-step")
    page.locator("#pause").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    # one "Resume", on the main button; the pause button steps aside
    expect(page.get_by_role("button", name="Resume")).to_have_count(1)
    expect(page.locator("#pause")).to_be_hidden()
    assert axe_violations(page) == []
    screenshot_both(page, "session-paused")
    page.locator("#primary").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "running")
    expect(page.locator("#pause")).to_have_text("Pause")
    seen = run_to_the_end(page)
    assert seen == list(range(len(planned))), seen  # every step, in order, none skipped
    expect(page.locator("#finished-title")).to_have_text("Session complete. Well done!")
    page.locator("input[name='pain_after'][value='1']").check()
    page.locator("input[name='effort'][value='4']").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#summary")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text(f"{len(planned)} of {len(planned)}")
    expect(page.locator("#summary")).to_contain_text("2 → 1")
    assert axe_violations(page) == []
    screenshot_both(page, "session-finished")

    # the history shows it
    page.get_by_role("link", name="See your history").click()
    expect(page).to_have_url(f"{live_server.url}/history")
    expect(page.locator("#completed-count")).to_have_text("1")
    expect(page.locator("#current-streak")).to_have_text("1")
    rows = page.locator("#sessions-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("completed")
    expect(rows.first).to_contain_text("2 → 1")
    expect(page.locator(".calendar .day.active")).to_have_count(1)
    page.wait_for_function("() => window.Chart && Chart.getChart('minutes-chart') !== undefined")
    assert axe_violations(page) == []
    screenshot_both(page, "history")

    # and the export downloads it as valid JSON
    page.goto(live_server.url + "/settings")
    with page.expect_download() as info:
        page.locator("#export-json").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    document = json.loads(download.path().read_text(encoding="utf-8"))
    assert document["format"] == "backcoach-export"
    sessions = document["tables"]["sessions"]
    assert len(sessions) == 1
    assert (sessions[0]["pain_before"], sessions[0]["pain_after"], sessions[0]["effort"]) == (
        2,
        1,
        4,
    )
    steps = document["tables"]["step_events"]
    assert [s["status"] for s in steps] == ["completed"] * len(planned)


def test_reload_mid_session_resumes_at_the_same_step(page: Page, live_server: LiveServer) -> None:
    planned = start_session(page, live_server)
    page.locator("#skip").click()
    expect(page.locator("#player")).to_have_attribute("data-step-index", "1")
    page.locator("#pause").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    step_name = page.locator("#step-panel .step-name")
    expect(step_name).to_contain_text(planned[1])  # the panel arrives after the index
    page.reload()
    expect(page.locator("#player[data-ready='true']")).to_be_attached()
    expect(page.locator("#step-number")).to_have_text("2")
    expect(step_name).to_contain_text(planned[1])
    expect(page.locator("#primary")).to_have_text("Resume")


def test_this_hurts_stops_calmly_and_keys_and_voice_work(
    page: Page, live_server: LiveServer
) -> None:
    start_session(page, live_server, pain=1)
    page.keyboard.press("p")
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    page.keyboard.press("p")
    expect(page.locator("#player")).to_have_attribute("data-status", "running")
    page.keyboard.press("s")
    expect(page.locator("#player")).to_have_attribute("data-step-index", "1")

    voice = page.locator("#voice")
    expect(voice).to_have_attribute("aria-pressed", "true")
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "false")

    page.get_by_role("button", name="This hurts").click()
    dialog = page.locator("#hurt-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#player")).to_have_attribute("data-status", "paused")
    dialog.locator("input[name='hurt_pain'][value='7']").check()
    dialog.get_by_role("button", name="Save").click()
    expect(page.locator("#hurt-advice")).to_contain_text("Never push through pain")
    expect(dialog.get_by_role("button", name="Carry on gently")).to_be_hidden()
    assert axe_violations(page) == []
    screenshot_both(page, "session-hurt")
    dialog.get_by_role("button", name="End the session").click()
    expect(page.locator("#player")).to_have_attribute("data-status", "finished")
    expect(page.locator("#finished-title")).to_have_text("Stop and rest")
    expect(page.locator("#hurt-message")).to_be_visible()

    page.reload()  # the voice setting was remembered on the server
    expect(page.locator("#voice")).to_have_attribute("aria-pressed", "false")
    page.goto(live_server.url + "/settings")
    expect(page.get_by_label("Speak cues during a session")).not_to_be_checked()
