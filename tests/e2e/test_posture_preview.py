"""The desk page's calibration preview in a real Chromium whose fake camera plays the real
desk clip: the camera runs, Save keeps the last seconds as the laptop profile."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from backcoach.services.posture_profiles import load_profile
from backcoach.store import local_user, open_database
from tests.e2e.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.vision]


def test_the_preview_saves_the_upright_posture_of_a_desk(
    desk_browser: Browser, live_server: LiveServer
) -> None:
    context = desk_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/desk")
        expect(page.locator("#posture-profile")).to_be_hidden()
        page.get_by_role("button", name="Watch my posture").click()
        page.wait_for_selector("#posture-card[data-camera-state='running']", timeout=90_000)
        expect(page.locator("#posture-profile")).to_be_visible()
        page.wait_for_function(
            "() => Number(document.querySelector('#posture-card').dataset.cameraT || 0) > 6",
            timeout=120_000,
        )
        page.get_by_label("Desk", exact=True).select_option("monitor")
        page.get_by_role("button", name="Save my upright posture").click()
        expect(page.locator("#posture-message")).to_contain_text(
            "Saved: your upright posture", timeout=20_000
        )
        page.get_by_role("button", name="Turn the camera off").click()
        expect(page.locator("#posture-profile")).to_be_hidden()
    finally:
        context.close()
    assert not errors, errors
    with open_database(live_server.settings) as db:
        assert load_profile(db, user_id=local_user(db).id, name="monitor") is not None
