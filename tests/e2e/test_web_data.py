"""Settings, import and deleting data in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser


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
    page: Page, live_server: LiveServer, tmp_path: Path
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
    expect(page.locator("#settings-message")).to_contain_text("All your data was deleted.")
