"""Races in the browser: the camera turned off while it starts, a camera that fails to start,
step panels answered out of order.

The page is watched through small probes added before its own scripts (init scripts, which
the CSP does not apply to): they count the cameras the page opened, the sockets it made and
the preferences it saved, without changing what the page does. Every wait has a condition
that the page reaches by itself; held requests make the order of events certain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from backcoach.coach.plan import PlannedStep
from backcoach.config import Settings
from backcoach.content import Kind
from tests.e2e.live_server import LiveServer
from tests.support.stored import stored_session as stored

pytestmark = pytest.mark.browser

CHECKED = "localStorage.setItem('backcoach-camera-checked', 'yes')"
#: The pose model's weights: held back, they keep the model loading for as long as a test needs.
MODEL_FILE = re.compile(r"/static/vendor/mediapipe-pose/pose_landmark_full\.tflite$")

#: Counts what the page opened: camera streams (and cameras still being asked for), WebSockets,
#: and the camera preference saves it sent.
PROBE = """
(() => {
  const probe = { streams: [], asking: 0, sockets: [], saves: [] };
  window.__probe = probe;
  const media = navigator.mediaDevices;
  if (media && media.getUserMedia) {
    const ask = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => {
      probe.asking += 1;
      return ask(constraints).then(
        (stream) => { probe.asking -= 1; probe.streams.push(stream); return stream; },
        (err) => { probe.asking -= 1; throw err; },
      );
    };
  }
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) { super(...args); probe.sockets.push(this); }
  };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const body = init && typeof init.body === "string" ? init.body : "";
    if (String(input).endsWith("/api/v1/preferences") && body.includes("camera")) {
      probe.saves.push(JSON.parse(body).camera);
    }
    return nativeFetch(input, init);
  };
})();
"""
SAVED_ON = '{"camera":true}'  # the body camera.js sends
LIVE_TRACKS = (
    "window.__probe.streams.flatMap((s) => s.getTracks())"
    ".filter((t) => t.readyState === 'live').length"
)
OPEN_SOCKETS = "window.__probe.sockets.filter((s) => s.readyState === WebSocket.OPEN).length"
#: No camera asked for or left on, every socket closed.
NOTHING_RUNNING = (
    f"() => window.__probe.asking === 0 && {LIVE_TRACKS} === 0"
    " && window.__probe.sockets.every((s) => s.readyState === WebSocket.CLOSED)"
)


@dataclass(frozen=True)
class CameraToggle:
    """Where a page keeps its camera switch and the state it shows."""

    path: str  # with {session_id}
    root: str  # the element with data-camera-state and data-pose-model
    toggle: str
    off_text: str
    socket: bool  # the page coaches over a WebSocket


SESSION = CameraToggle(
    "/session/{session_id}", ".camera-panel", ".camera-toggle", "Use camera", socket=True
)
DESK = CameraToggle("/desk", "#posture-card", "#posture-toggle", "Watch my posture", socket=False)


def stored_session(settings: Settings, *names: str) -> int:
    """A new, not yet started session of rep steps (one set each, counted by taps)."""
    steps = tuple(
        PlannedStep(exercise_id, exercise_id.replace("-", " ").capitalize(), Kind.REPS, 1, 8)
        for exercise_id in names
    )
    return stored(settings, *steps)


def hold(page: Page, url: re.Pattern[str]) -> list[Route]:
    """Hold every request to ``url`` until the test continues it."""
    held: list[Route] = []

    def keep(route: Route) -> None:
        held.append(route)

    page.route(url, keep)
    return held


def expect_saves(page: Page, saves: list[bool]) -> None:
    """The camera preference saves the page has sent, in order, are ``saves``."""
    page.wait_for_function(
        "(saves) => JSON.stringify(window.__probe.saves) === JSON.stringify(saves)", arg=saves
    )


def wait_until(page: Page, condition: Callable[[], object], what: str) -> None:
    """Let Playwright deliver events (held routes) until ``condition()`` holds."""
    for _ in range(400):
        if condition():
            return
        page.wait_for_timeout(50)
    pytest.fail(f"gave up waiting for {what}")


@pytest.mark.parametrize("where", [SESSION, DESK], ids=["session", "desk"])
def test_turning_the_camera_off_while_the_model_loads_leaves_nothing_running(
    camera_page: Page, live_server: LiveServer, where: CameraToggle
) -> None:
    page = camera_page
    session_id = stored_session(live_server.settings, "push-up", "squat")
    page.add_init_script(CHECKED)
    page.add_init_script(PROBE)
    model = hold(page, MODEL_FILE)
    page.goto(live_server.url + where.path.format(session_id=session_id))
    root = page.locator(where.root)
    toggle = page.locator(where.toggle)
    if where is SESSION:
        expect(root).to_have_attribute("data-ready", "true")

    toggle.click()
    expect(root).to_have_attribute("data-camera-state", "starting")
    wait_until(page, lambda: model, "the page to ask for the pose model")
    toggle.click()  # off again, while the model is still loading
    expect(root).to_have_attribute("data-camera-state", "off")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_text(where.off_text)

    model[0].continue_()
    expect(root).to_have_attribute("data-pose-model", "ready")
    # The start that was overtaken resumes in the same task that marks the model ready: by
    # now it has either given up or asked for the camera. It must leave nothing running.
    page.wait_for_function(NOTHING_RUNNING)
    expect(root).to_have_attribute("data-camera-state", "off")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_text(where.off_text)
    if where is SESSION:  # remembered as off (the click said so), never as on
        expect_saves(page, [False])

    # With the model loaded, the camera starts and stops cleanly: one camera, one socket.
    toggle.click()
    expect(root).to_have_attribute("data-camera-state", "running")
    sockets = 1 if where.socket else 0
    page.wait_for_function(f"() => {LIVE_TRACKS} === 1 && {OPEN_SOCKETS} === {sockets}")
    toggle.click()
    expect(root).to_have_attribute("data-camera-state", "off")
    page.wait_for_function(NOTHING_RUNNING)
    expect(toggle).to_have_text(where.off_text)


def test_camera_off_and_on_again_while_it_starts_runs_one_camera(
    camera_page: Page, live_server: LiveServer
) -> None:
    """Off and on again while the model loads: the first start gives way to the second."""
    page = camera_page
    session_id = stored_session(live_server.settings, "push-up")
    page.add_init_script(CHECKED)
    page.add_init_script(PROBE)
    model = hold(page, MODEL_FILE)
    page.goto(f"{live_server.url}/session/{session_id}")
    panel = page.locator(".camera-panel")
    toggle = panel.locator(".camera-toggle")
    expect(panel).to_have_attribute("data-ready", "true")
    toggle.click()
    wait_until(page, lambda: model, "the page to ask for the pose model")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(panel).to_have_attribute("data-camera-state", "starting")
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/preferences") and r.request.post_data == SAVED_ON
    ) as saved:
        model[0].continue_()
        expect(panel).to_have_attribute("data-camera-state", "running")
    assert saved.value.ok
    # Once the model is ready, the start that gave way has run on: still one camera, one socket.
    expect(panel).to_have_attribute("data-pose-model", "ready")
    page.wait_for_function(
        f"() => window.__probe.asking === 0 && {LIVE_TRACKS} === 1 && {OPEN_SOCKETS} === 1"
    )
    # off (the second click), then on once the camera ran; never on for the start given up
    expect_saves(page, [False, True])
    assert httpx.get(f"{live_server.url}/api/v1/preferences").json()["camera"] is True
    toggle.click()
    expect(panel).to_have_attribute("data-camera-state", "off")
    page.wait_for_function(NOTHING_RUNNING)


def test_a_camera_that_fails_to_start_is_not_remembered_and_says_so_in_the_pages_words(
    page: Page, live_server: LiveServer
) -> None:
    """The standard test browser has no camera at all: starting fails on every page."""
    session_id = stored_session(live_server.settings, "push-up")
    page.add_init_script(CHECKED)
    page.add_init_script(PROBE)
    page.goto(f"{live_server.url}/session/{session_id}")
    panel = page.locator(".camera-panel")
    toggle = panel.locator(".camera-toggle")
    expect(panel).to_have_attribute("data-ready", "true")
    toggle.click()
    expect(panel).to_have_attribute("data-camera-state", "error", timeout=30_000)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    message = panel.locator(".camera-message")
    expect(message).to_contain_text("camera")
    expect(message).to_contain_text("Carry on with the buttons.")
    # A save would go out in the same task that shows the error; none did.
    expect_saves(page, [])
    assert httpx.get(f"{live_server.url}/api/v1/preferences").json()["camera"] is False
    page.reload()  # and the camera does not try again by itself
    expect(panel).to_have_attribute("data-ready", "true")
    expect(panel).to_have_attribute("data-camera-state", "off")

    page.goto(f"{live_server.url}/exercises/glute-bridge")  # practice: no buttons there
    practice = page.locator(".camera-panel")
    expect(practice).to_have_attribute("data-ready", "true")
    practice.locator(".camera-toggle").click()
    expect(practice).to_have_attribute("data-camera-state", "error", timeout=30_000)
    expect(practice.locator(".camera-message")).to_contain_text("The steps below work without it.")
    expect(practice.locator(".camera-message")).not_to_contain_text("buttons")

    page.goto(f"{live_server.url}/desk")
    page.locator("#posture-toggle").click()
    posture = page.locator("#posture-message")
    expect(posture).to_contain_text("Breaks work without it.", timeout=30_000)
    expect(posture).not_to_contain_text("buttons")
    expect(page.locator("#posture-card")).to_have_attribute("data-camera-state", "off")
    expect(page.locator("#posture-toggle")).to_have_text("Watch my posture")


#: Follows the answers to step-panel requests: settled (the fetch answered or failed), and
#: whether the page then read the body and finished reading it.
STEP_PROBE = """
(() => {
  const loads = {};
  window.__stepLoads = loads;
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const match = String(input).match(/\\/step\\/(\\d+)$/);
    const answer = nativeFetch(input, init);
    if (!match) return answer;
    const load = (loads[match[1]] = { settled: false, reading: false, read: false });
    return answer.then(
      (response) => {
        const text = response.text.bind(response);
        response.text = () => {
          load.reading = true;
          return text().finally(() => { load.read = true; });
        };
        load.settled = true;
        return response;
      },
      (err) => { load.settled = true; throw err; },
    );
  };
})();
"""
#: Step 1's answer has arrived and the page is done with it (a page that reads the body
#: draws it in the same task that finishes reading).
STEP_1_HANDLED = (
    "() => { const load = window.__stepLoads['1'];"
    " return !!load && load.settled && (!load.reading || load.read); }"
)


def test_a_slow_step_panel_never_covers_a_newer_one(page: Page, live_server: LiveServer) -> None:
    session_id = stored_session(live_server.settings, "push-up", "squat", "bird-dog")
    page.add_init_script(STEP_PROBE)
    slow = hold(page, re.compile(rf"/session/{session_id}/step/1$"))
    page.goto(f"{live_server.url}/session/{session_id}")
    player = page.locator("#player")
    name = page.locator("#step-panel .step-name")
    expect(player).to_have_attribute("data-ready", "true")
    expect(name).to_contain_text("Push up")
    page.locator("#primary").click()
    expect(player).to_have_attribute("data-status", "running")

    page.locator("#skip").click()  # to step 2: its panel is held back
    expect(player).to_have_attribute("data-step-index", "1")
    wait_until(page, lambda: slow, "the page to ask for step 2's panel")
    page.locator("#skip").click()  # to step 3, answered at once
    expect(player).to_have_attribute("data-step-index", "2")
    expect(page.locator("#step-number")).to_have_text("3")
    expect(name).to_contain_text("Bird dog")

    slow[0].continue_()  # step 2's panel arrives last
    page.wait_for_function(STEP_1_HANDLED)
    expect(name).to_contain_text("Bird dog")
    expect(page.locator("#step-number")).to_have_text("3")
