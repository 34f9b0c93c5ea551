"""The desk page's posture camera in a real Chromium whose fake camera plays the real desk clip.

Pose runs in the browser; only landmarks go to the server, which answers with the
posture state. Timeouts are generous upper bounds, never measurements.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Request, expect

from tests.e2e.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.vision]

STATES = {"upright", "slouched", "forward-head", "absent"}


def test_posture_camera_sends_landmarks_and_shows_a_state(
    desk_browser: Browser, live_server: LiveServer
) -> None:
    context = desk_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sent: list[Request] = []
    errors: list[str] = []
    page.on("request", lambda r: sent.append(r))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{live_server.url}/desk")
        page.get_by_role("button", name="Watch my posture").click()
        page.wait_for_selector("#posture-card[data-camera-state='running']", timeout=90_000)
        # past the 5 s calibration, in camera time
        page.wait_for_function(
            "() => Number(document.querySelector('#posture-card').dataset.cameraT || 0) > 7",
            timeout=120_000,
        )
        page.wait_for_function(
            "() => !document.querySelector('#posture-state').textContent.includes('learning')"
            " && document.querySelector('#posture-card').dataset.postureState",
            timeout=60_000,
        )
        expect(page.locator("#posture-card")).to_have_attribute(
            "data-posture-state", re.compile("^(" + "|".join(STATES) + ")$")
        )
        page.get_by_role("button", name="Turn the camera off").click()
        page.wait_for_selector("#posture-card[data-camera-state='off']")
    finally:
        context.close()
    assert not errors, errors
    posts = [r for r in sent if r.url.endswith("/api/v1/desk/posture")]
    assert posts, "no landmarks were sent"
    seen_person = False
    for request in posts:
        body = request.post_data_buffer or b""
        assert b"data:image" not in body and len(body) < 64 * 1024
        for frame in json.loads(body)["frames"]:
            assert set(frame) == {"t_s", "aspect", "landmarks"}
            if frame["landmarks"] is not None:
                seen_person = True
                assert len(frame["landmarks"]) == 33
    assert seen_person, "the pose model never found the person in the desk clip"
