"""A failed import on Settings is told where the person looks: at the top, in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}


def _upload(page: Page, live: LiveServer, file: Path) -> None:
    page.goto(live.url + "/settings")
    page.get_by_label("JSON export file").set_input_files(str(file))
    page.get_by_role("button", name="Import").click()


def test_a_wrong_shape_file_is_told_at_the_top_with_details_folded(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-shape.json"
    document = {"format": "backcoach-export", "version": 1, "tables": {"sessions": "none"}}
    wrong.write_text(json.dumps(document), encoding="utf-8")
    page.set_viewport_size(PHONE)
    _upload(page, live_server, wrong)

    alert = page.locator("#import-alert")
    expect(alert).to_have_role("alert")
    expect(alert).to_be_in_viewport(ratio=1)  # on the first screen after the reload
    expect(alert).to_contain_text(
        "wrong-shape.json is not a valid backcoach export; nothing was imported."
    )
    expect(alert).not_to_contain_text("field '")  # no validator text in the summary
    expect(page.get_by_role("alert")).to_have_count(1)  # announced once

    # Next to the file field: the same sentence, and the validator's words folded away.
    expect(page.locator("#import-error")).to_have_text(
        "wrong-shape.json is not a valid backcoach export; nothing was imported."
    )
    details = page.locator("#import-error-details")
    expect(details).to_be_hidden()
    expect(details).to_contain_text("field 'tables")
    page.get_by_text("What is wrong in the file").click()
    expect(details).to_be_visible()

    # The alert's link leads to the field, ready to choose another file.
    alert.get_by_role("link", name="Choose another file").click()
    expect(page.get_by_label("JSON export file")).to_be_focused()
    expect(page.get_by_label("JSON export file")).to_be_in_viewport()
    assert axe_violations(page) == []
    screenshot_both(page, "settings-import-error")


def test_a_broken_file_has_only_the_plain_sentence(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"\xff\xfe not text")
    page.set_viewport_size(PHONE)
    _upload(page, live_server, broken)
    expect(page.locator("#import-alert")).to_be_in_viewport(ratio=1)
    expect(page.locator("#import-alert")).to_contain_text(
        "broken.json is not a text file (UTF-8 JSON expected); nothing was imported."
    )
    expect(page.locator("#import-error")).to_be_visible()
    expect(page.locator(".import-details")).to_have_count(0)
