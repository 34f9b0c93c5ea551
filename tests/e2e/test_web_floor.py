"""The player from the floor: the figure, a labelled timer and count, the set and side and
"This hurts" fit the first screen on a phone, a phone on its side and a laptop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from backcoach.config import Settings
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import start_session

pytestmark = pytest.mark.browser

#: The three screens a session is followed on: a phone upright, a phone on its side, a laptop.
SCREENS = {"phone": (390, 844), "landscape": (844, 390), "desktop": (1280, 800)}


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    # real time: a 4 s hold lasts long enough to look at the screen during it
    return Settings(data_dir=tmp_path / "web-data", time_scale=1.0)


def in_first_screen(page: Page) -> dict[str, Locator]:
    """What must be seen from the floor without scrolling, by the name a failure shows."""
    return {
        "figure": page.locator("#stage-figure svg.bc-figure"),
        "timer": page.locator("#timer"),
        "set and side": page.locator("#set-label"),
        "main button": page.locator("#primary"),
        "this hurts": page.locator("#hurt"),
    }


def expect_first_screen(page: Page, *, counter: bool) -> None:
    expect(page.locator("#player")).to_have_attribute("data-ready", "true")
    page.wait_for_function("() => window.scrollY === 0")  # nothing scrolled the page
    shown = in_first_screen(page)
    if counter:
        shown["counter"] = page.locator("#rep-counter")
    for name, locator in shown.items():
        expect(locator, f"{name} is not wholly in the first screen").to_be_in_viewport(ratio=1)
    # big touch targets: every button used from the floor is at least 48 px high
    for button in ("#primary", "#hurt", "#back", "#pause", "#skip"):
        page.wait_for_function(
            "(sel) => document.querySelector(sel).getBoundingClientRect().height >= 48", arg=button
        )


def skip_to(page: Page, planned: list[str], name: str) -> None:
    player = page.locator("#player")
    here = int(player.get_attribute("data-step-index") or 0)
    for index in range(here + 1, planned.index(name) + 1):
        page.locator("#skip").click()
        expect(player).to_have_attribute("data-step-index", str(index))
    expect(page.locator("#step-panel .step-name")).to_contain_text(name)


def shoot(page: Page, screen: str, what: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"floor-{what}-{screen}.png"))


@pytest.mark.parametrize("screen", SCREENS)
def test_figure_timer_count_and_this_hurts_share_the_first_screen(
    page: Page, live_server: LiveServer, screen: str
) -> None:
    width, height = SCREENS[screen]
    page.set_viewport_size({"width": width, "height": height})
    planned = start_session(page, live_server)
    player = page.locator("#player")

    # the first step is the breathing: first time to get into position and hear the set-up
    expect(player).to_have_attribute("data-activity", "get-ready")
    expect(page.locator("#timer")).to_contain_text(
        re.compile(r"\d+\s+seconds? to get into position")
    )
    expect_first_screen(page, counter=True)
    page.locator("#primary").click()  # "I'm ready"
    # then the pacer beside the figure, the breath's seconds
    expect(player).to_have_attribute("data-activity", re.compile("^breathe-"))
    expect(page.locator("#pacer")).to_be_visible()
    expect(page.locator("#timer")).to_contain_text(re.compile(r"\d+\s+seconds? to (breathe|hold)"))
    expect(page.locator("#rep-counter")).to_contain_text(re.compile(r"\d+\s+of \d+ breaths done"))
    expect_first_screen(page, counter=True)
    expect(page.locator("#pacer")).to_be_in_viewport(ratio=1)
    shoot(page, screen, "breathing")

    skip_to(page, planned, "Glute bridge")
    expect(player).to_have_attribute("data-activity", "get-ready")
    page.locator("#primary").click()  # "I'm ready"
    expect(player).to_have_attribute("data-activity", "move")
    expect(page.locator("#timer")).to_contain_text(
        re.compile(r"\d+\s+seconds? to get into position")
    )
    page.locator("#primary").click()  # "I'm in position": the hold
    expect(player).to_have_attribute("data-activity", "hold")
    expect(page.locator("#timer")).to_contain_text(re.compile(r"\d+\s+seconds? left in the hold"))
    expect(page.locator("#rep-counter")).to_have_text(re.compile(r"0\s*of \d+ reps done"))
    expect(page.locator("#set-label")).to_have_text(re.compile(r"^(One set|Set 1 of \d+)$"))
    expect(page.locator("#stage-figure svg.bc-figure")).to_have_attribute(
        "data-pose-name", "hips lifted"
    )
    expect_first_screen(page, counter=True)
    shoot(page, screen, "glute-bridge-hold")

    skip_to(page, planned, "Bird-dog")
    expect(page.locator("#set-label")).to_contain_text("Left side")
    page.locator("#primary").click()  # "I'm ready"
    expect(player).to_have_attribute("data-activity", "move")
    page.locator("#primary").click()  # in position: the hold
    expect(player).to_have_attribute("data-activity", "hold")
    expect(page.locator("#stage-figure svg.bc-figure")).to_have_attribute(
        "data-pose-name", "left arm and right leg reaching"
    )
    expect_first_screen(page, counter=True)
    shoot(page, screen, "bird-dog-left")

    # paused: one Resume, on the main button, still in the first screen
    page.locator("#hurt").click()
    page.locator("#hurt-cancel").click()
    expect(player).to_have_attribute("data-status", "paused")
    expect(page.get_by_role("button", name="Resume")).to_have_count(1)
    expect(page.locator("#primary")).to_be_in_viewport(ratio=1)
