"""History, settings, export and import in a real Chromium."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import run_to_the_end, start_session

pytestmark = pytest.mark.browser


def finish_one_session(page: Page, live: LiveServer) -> None:
    start_session(page, live, pain=3)
    run_to_the_end(page)
    page.locator("input[name='pain_after'][value='2']").check()
    page.locator("input[name='effort'][value='5']").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#summary")).to_be_visible()


def test_history_shows_the_session_and_export_downloads_valid_json(
    page: Page, live_server: LiveServer
) -> None:
    finish_one_session(page, live_server)
    page.get_by_role("link", name="See your history").click()
    expect(page).to_have_url(f"{live_server.url}/history")
    expect(page.locator("#completed-count")).to_have_text("1")
    expect(page.locator("#current-streak")).to_have_text("1")
    rows = page.locator("#sessions-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("completed")
    expect(rows.first).to_contain_text("3 → 2")
    expect(page.locator(".calendar .day.active")).to_have_count(1)
    page.wait_for_function("() => window.Chart && Chart.getChart('minutes-chart') !== undefined")
    assert axe_violations(page) == []
    screenshot_both(page, "history")

    page.goto(live_server.url + "/settings")
    with page.expect_download() as info:
        page.locator("#export-json").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    document = json.loads(download.path().read_text(encoding="utf-8"))
    assert document["format"] == "backcoach-export"
    sessions = document["tables"]["sessions"]
    assert len(sessions) == 1
    assert (sessions[0]["pain_before"], sessions[0]["pain_after"]) == (3, 2)
    assert len(document["tables"]["step_events"]) == len(sessions[0]["plan"]["steps"])


def test_settings_validate_inline_and_save(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/settings")
    assert axe_violations(page) == []
    screenshot_both(page, "settings")
    page.get_by_label("Pain limit during an exercise (1-10)").fill("12")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#pain_limit-error")).to_have_text("Enter a whole number from 1 to 10.")
    expect(page.locator("#pain_limit")).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    screenshot_both(page, "settings-invalid")
    page.get_by_label("Pain limit during an exercise (1-10)").fill("4")
    page.get_by_label("Speak cues during a session").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#settings-message")).to_have_text("Settings saved.")
    expect(page.get_by_label("Pain limit during an exercise (1-10)")).to_have_value("4")
    expect(page.get_by_label("Speak cues during a session")).not_to_be_checked()


def test_import_rejects_a_broken_file_and_delete_needs_confirmation(
    page: Page, live_server: LiveServer, tmp_path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "backcoach-export", "version": 1, "tables": {', encoding="utf-8")
    page.goto(live_server.url + "/settings")
    page.get_by_label("JSON export file").set_input_files(str(broken))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-error")).to_contain_text("nothing was imported")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("I understand that this deletes everything").check()
    page.get_by_role("button", name="Delete all my data").click()
    expect(page.locator("#settings-message")).to_have_text("All your data was deleted.")
