"""The desk page in a real Chromium: a break fires on an accelerated clock, is taken and counted."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from backcoach.config import Settings
from tests.e2e.conftest import axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser

# Breaks every 15 minutes (the shortest setting) at 200x: the first falls due after 4.5 real
# seconds and the hourly rest break after 18, so looking at the first one (accessibility
# check, screenshots) on a loaded machine never runs into the second.
DESK_TIME_SCALE = 200.0
BREAK_MINUTES = 15


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "web-data", time_scale=DESK_TIME_SCALE)


@pytest.fixture(autouse=True)
def short_breaks(live_server: LiveServer) -> None:
    answer = httpx.patch(
        f"{live_server.url}/api/v1/preferences", json={"break_minutes": BREAK_MINUTES}, timeout=10
    )
    assert answer.status_code == 200, answer.text


def test_a_break_fires_is_taken_and_counted(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/desk")
    expect(page.get_by_role("heading", name="Desk breaks", level=1)).to_be_visible()
    expect(page.locator("#count-taken")).to_have_text("0")
    overlay = page.get_by_role("dialog")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(overlay.get_by_role("heading", level=2)).to_contain_text("Time for a break")
    move = overlay.locator(".break-move:not([hidden])")
    expect(move).to_have_count(1)
    expect(move.locator("svg.bc-figure")).to_be_visible()  # the move's illustration
    expect(move.locator("ol.steps li").first).to_be_visible()  # and its instructions
    assert axe_violations(page) == []
    screenshot_both(page, "desk-break")
    overlay.get_by_role("button", name="Done").click()
    expect(overlay).to_be_hidden()
    expect(page.locator("#count-taken")).to_have_text("1")

    page.reload()  # stored, not just shown
    expect(page.locator("#count-taken")).to_have_text("1")
    page.goto(f"{live_server.url}/history")  # and in History, today's row first
    today_row = page.locator("#desk-history tbody tr").first
    expect(today_row.locator("td").first).to_have_text("1")


def test_snooze_skip_and_a_logged_walk_are_counted(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/desk")
    overlay = page.get_by_role("dialog")
    expect(overlay).to_be_visible(timeout=15_000)
    overlay.get_by_role("button", name="Snooze 5 min").click()
    expect(page.locator("#count-snoozed")).to_have_text("1")
    expect(overlay).to_be_visible(timeout=15_000)
    overlay.get_by_role("button", name="Skip").click()
    expect(page.locator("#count-skipped")).to_have_text("1")
    page.get_by_role("button", name="I'm away from the desk").click()
    expect(page.get_by_text("You are away")).to_be_visible()
    page.get_by_label("Log a walk (minutes)").fill("15")
    page.get_by_role("button", name="Log walk").click()
    expect(page.locator("#count-walking")).to_have_text("15 min")
    page.get_by_role("button", name="I'm back").click()
    page.reload()
    expect(page.locator("#count-snoozed")).to_have_text("1")
    expect(page.locator("#count-walking")).to_have_text("15 min")
