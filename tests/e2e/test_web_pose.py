"""The player's figure shows the position the server names: the bridge's hold, bird-dog's side."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from backcoach.config import Settings
from tests.e2e.conftest import screenshot_both
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import start_session

pytestmark = pytest.mark.browser


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    # real time: a 4 s hold lasts long enough to be looked at
    return Settings(data_dir=tmp_path / "web-data", time_scale=1.0)


def skip_to(page: Page, planned: list[str], here: str, name: str) -> None:
    player = page.locator("#player")
    for index in range(planned.index(here) + 1, planned.index(name) + 1):
        page.locator("#skip").click()
        expect(player).to_have_attribute("data-step-index", str(index))
    expect(page.locator("#step-panel .step-name")).to_contain_text(name)


def test_the_figure_holds_the_bridge_up_and_names_bird_dogs_side(
    page: Page, live_server: LiveServer
) -> None:
    planned = start_session(page, live_server)
    player = page.locator("#player")
    figure = page.locator("#stage-figure svg.bc-figure")
    label = page.locator("#stage-figure .figure-caption")

    skip_to(page, planned, planned[0], "Glute bridge")
    # time to hear the set-up and lie down: the figure lies still in the start position
    expect(player).to_have_attribute("data-activity", "get-ready")
    expect(figure).to_have_attribute("data-pose-name", "lying, knees bent")
    page.locator("#primary").click()  # "I'm ready"
    expect(player).to_have_attribute("data-activity", "move")
    page.locator("#primary").click()  # "I'm in position": the hold starts
    expect(player).to_have_attribute("data-activity", "hold")
    expect(figure).to_have_attribute("data-pose-name", "hips lifted")
    expect(figure).to_have_attribute("data-pose-keyframe", "1")
    expect(label).to_have_text("2 · hips lifted")
    screenshot_both(page, "session-glute-bridge-hold")

    skip_to(page, planned, "Glute bridge", "Bird-dog")
    expect(page.locator("#set-label")).to_contain_text("Left side")
    page.locator("#primary").click()  # "I'm ready": the left arm and right leg reach out
    expect(player).to_have_attribute("data-activity", "move")
    expect(figure).to_have_attribute("data-pose-name", "left arm and right leg reaching")
    expect(figure).to_have_attribute("data-mirrored", "false")
    expect(label).to_contain_text("left arm and right leg reaching")
    expect(page.locator("#step-panel ol.steps")).to_contain_text(
        "Left side: slowly reach your left arm forward and your right leg back"
    )
    page.locator("#primary").click()  # in position: the hold
    expect(player).to_have_attribute("data-activity", "hold")
    expect(figure).to_have_attribute("data-pose-name", "left arm and right leg reaching")
    screenshot_both(page, "session-bird-dog-left")
