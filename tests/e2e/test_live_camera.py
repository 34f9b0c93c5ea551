"""Live camera coaching in real headless Chromium, with a fake camera playing a real clip.

The clip is converted to .y4m (cv2) and handed to Chromium's fake capture
device. The page runs BlazePose itself (@mediapipe/pose from our static dir,
WebGL through Chromium's software renderer), sends landmarks over the
WebSocket, and shows the server's count. The fake camera loops the clip, so
the count is read from the last feedback whose time is within one loop.
Every WebSocket frame and every request is inspected: no image data leaves
the page, and nothing is fetched from another host.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, Request, WebSocket, expect

from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.config import Settings
from backcoach.content import Kind, Length
from backcoach.services.sessions import start_session
from backcoach.store import local_user, make_engine, session_factory
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FAKE_CAMERA_ARGS,
    SOFTWARE_GL_ARGS,
    axe_violations,
)
from tests.e2e.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.vision]

BRIDGE = "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4"
PUSH_UPS = "calimiro-ai__WorkoutTracker/data/raw/push-ups/push-up_12.mp4"
MAX_FRAME_BYTES = 4096
CHECKED = "localStorage.setItem('backcoach-camera-checked', 'yes')"


@dataclass(frozen=True)
class Clip:
    path: Path
    duration_s: float
    fps: float


def to_y4m(src: Path, dst: Path, max_width: int = 640) -> Clip:
    """Convert a video to a 4:2:0 YUV4MPEG2 file (what Chromium's fake camera reads)."""
    cv2 = pytest.importorskip("cv2")
    capture = cv2.VideoCapture(str(src))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames = 0
    with dst.open("wb") as out:
        while True:
            ok, image = capture.read()
            if not ok:
                break
            height, width = image.shape[:2]
            if width > max_width:
                scale = max_width / width
                image = cv2.resize(image, (max_width, int(height * scale) // 2 * 2))
            height, width = image.shape[:2]
            if frames == 0:
                rate = f"{round(fps * 1000)}:1000"
                out.write(f"YUV4MPEG2 W{width} H{height} F{rate} Ip A1:1 C420jpeg\n".encode())
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420).tobytes())
            frames += 1
    capture.release()
    assert frames > 0, f"no frames read from {src}"
    return Clip(dst, frames / fps, fps)


@pytest.fixture(scope="module")
def clips(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    out = tmp_path_factory.mktemp("fake-camera")
    return {
        "bridge": to_y4m(shared_data / BRIDGE, out / "bridge.y4m"),
        "push-ups": to_y4m(shared_data / PUSH_UPS, out / "push-ups.y4m"),
    }


@pytest.fixture(scope="module")
def camera_browsers(
    playwright_driver: Playwright, clips: dict[str, Clip]
) -> Iterator[dict[str, Browser]]:
    """One Chromium per clip, its fake camera playing that clip."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    browsers: dict[str, Browser] = {}
    try:
        for name, clip in clips.items():
            browsers[name] = playwright_driver.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    *CHROMIUM_ARGS,
                    *SOFTWARE_GL_ARGS,
                    *FAKE_CAMERA_ARGS,
                    f"--use-file-for-fake-video-capture={clip.path}",
                ],
                headless=True,
            )
        yield browsers
    finally:
        for browser in browsers.values():
            browser.close()


@dataclass
class Traffic:
    """Everything the page sent and received on WebSockets, and every request it made."""

    sent: list[str | bytes] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("websocket", self._socket)
        page.on("request", lambda request: self.requests.append(request))
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _socket(self, ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: self.sent.append(payload))
        ws.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def feedback(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == "feedback"]


def open_page(browser: Browser, url: str) -> tuple[Page, Traffic]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CHECKED)
    page = context.new_page()
    page.set_default_timeout(20_000)
    traffic = Traffic()
    traffic.watch(page)
    page.goto(url)
    return page, traffic


def start_camera(page: Page, traffic: Traffic) -> None:
    page.wait_for_selector(".camera-panel[data-ready='true']")
    page.click(".camera-toggle")
    try:
        page.wait_for_selector(".camera-panel[data-camera-state='running']", timeout=90_000)
    except Exception:
        state = page.eval_on_selector(".camera-panel", "p => p.dataset.cameraState")
        message = page.text_content(".camera-message")
        pytest.fail(f"camera did not start ({state}: {message}); console: {traffic.console}")


def wait_for_time(page: Page, t_s: float) -> None:
    """Wait until the page has analysed frames up to ``t_s`` seconds of camera time."""
    page.wait_for_function(
        f"() => Number(document.querySelector('.camera-panel').dataset.cameraT || 0) > {t_s}",
        timeout=120_000,
    )


def reps_at(feedback: list[dict[str, Any]], t_s: float) -> int:
    """The count in the last feedback at or before ``t_s``."""
    return max((m["reps"] for m in feedback if m["t_s"] <= t_s), default=0)


def assert_no_image_data(traffic: Traffic, live: LiveServer) -> None:
    assert traffic.sent, "no WebSocket frame was sent"
    for payload in traffic.sent:
        assert isinstance(payload, str), "binary WebSocket frame sent"
        assert len(payload) <= MAX_FRAME_BYTES, f"frame of {len(payload)} bytes"
        message = json.loads(payload)
        assert set(message) <= {"type", "t_s", "landmarks", "aspect"}, message.keys()
        assert message["type"] == "frame"
        landmarks = message["landmarks"]
        if landmarks is not None:
            assert len(landmarks) == 33
            assert all(
                len(p) == 4 and all(isinstance(v, int | float) for v in p) for p in landmarks
            )
    host = urlsplit(live.url).netloc
    for request in traffic.requests:
        parts = urlsplit(request.url)
        assert parts.scheme in ("http", "ws", "data", "blob"), request.url
        if parts.scheme in ("http", "ws"):
            assert parts.netloc == host, f"request to another host: {request.url}"
        body = request.post_data_buffer or b""
        assert len(body) < MAX_FRAME_BYTES, f"{request.method} {request.url}: {len(body)} bytes"
        assert b"data:image" not in body and not body.startswith(b"\xff\xd8"), request.url


@pytest.mark.parametrize(
    ("clip_name", "exercise", "label"), [("bridge", "glute-bridge", 1), ("push-ups", "push-up", 3)]
)
def test_practice_counts_the_clip_in_the_browser(
    camera_browsers: dict[str, Browser],
    clips: dict[str, Clip],
    live_server: LiveServer,
    clip_name: str,
    exercise: str,
    label: int,
) -> None:
    clip = clips[clip_name]
    page, traffic = open_page(camera_browsers[clip_name], f"{live_server.url}/exercises/{exercise}")
    expect(page.get_by_text("Video stays on this device")).to_be_visible()
    start_camera(page, traffic)
    # The first loop warms up the model and its tracking while the page settles; the
    # second loop (the clip played once more, start to end) is the one counted.
    loop = clip.duration_s
    wait_for_time(page, 2 * loop + 0.3)
    feedback = traffic.feedback()
    # The page shows the server's count. Counts only grow, one at a time, and the page may
    # be one answer ahead of the answers this test has read so far.
    counts = {m["reps"] for m in feedback}
    counts.add(max(counts, default=0) + 1)
    pattern = "|".join(str(n) for n in sorted(counts))
    expect(page.locator(".camera-count")).to_have_text(re.compile(rf"^({pattern})$"))
    second = [m for m in feedback if loop < m["t_s"] <= 2 * loop]
    detected = sum(m["pose_detected"] for m in second)
    assert detected >= 0.8 * len(second), "the in-browser pose missed the person"
    reps = reps_at(feedback, 2 * loop) - reps_at(feedback, loop)
    fps = len(second) / loop
    print(f"{clip_name}: {reps} reps counted (label {label}), in-browser pose {fps:.1f} fps")
    trace = [(m["t_s"], m["reps"], m["phase"], m["hold_s"], m["hint"]) for m in second]
    assert abs(reps - label) <= 1, f"counted {reps}, label {label}: {trace}"
    assert reps >= 1, trace
    assert_no_image_data(traffic, live_server)
    assert not traffic.errors, traffic.errors
    page.context.close()


def stored_session(settings: Settings) -> int:
    """A new session whose first step is push-ups counted by the camera (no timers)."""
    push_ups = PlannedStep("push-up", "Push-up", Kind.REPS, sets=1, reps=20)
    bridge = PlannedStep("glute-bridge", "Glute bridge", Kind.REPS, sets=1, reps=5)
    plan = SessionPlan(program_id="test", length=Length.SHORT, steps=(push_ups, bridge))
    engine = make_engine(settings)
    try:
        with session_factory(engine)() as db:
            user = local_user(db)
            db.commit()
            return start_session(db, user_id=user.id, plan=plan, now=datetime.now(UTC)).id
    finally:
        engine.dispose()


def test_session_camera_counts_into_the_session_and_is_remembered(
    camera_browsers: dict[str, Browser], live_server: LiveServer
) -> None:
    session_id = stored_session(live_server.settings)
    api = f"{live_server.url}/api/v1"
    page, traffic = open_page(
        camera_browsers["push-ups"], f"{live_server.url}/session/{session_id}"
    )
    expect(page.get_by_text("Video stays on this device")).to_be_visible()
    page.click("#primary")  # the manual player works with or without the camera
    page.wait_for_selector("#player[data-status='running']")
    # The camera is remembered as on once it runs.
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/preferences") and r.request.method == "PATCH"
    ) as saved:
        start_camera(page, traffic)
    assert saved.value.ok
    assert httpx.get(f"{api}/preferences").json()["camera"] is True
    # Push-ups seen by the camera become reps of the session's current step.
    deadline = time.monotonic() + 90
    while httpx.get(f"{api}/sessions/{session_id}").json()["reps_done"] < 1:
        assert time.monotonic() < deadline, f"no camera rep reached the session: {traffic.console}"
        page.wait_for_timeout(250)
    # Reloading the page brings the camera back by itself (the setting is remembered).
    page.reload()
    page.wait_for_selector(".camera-panel[data-camera-state='running']", timeout=90_000)
    page.wait_for_function(
        "() => Number(document.querySelector('.camera-panel').dataset.feedbacks || 0) > 5"
    )
    # The camera stops mid-session (unplugged): a clear message, the session carries on.
    page.evaluate(
        "document.querySelector('.camera-video').srcObject.getVideoTracks()[0]"
        ".dispatchEvent(new Event('ended'))"
    )
    page.wait_for_selector(".camera-panel[data-camera-state='error']")
    expect(page.locator(".camera-message")).to_contain_text("camera stopped", ignore_case=True)
    expect(page.locator(".camera-toggle")).to_have_attribute("aria-pressed", "false")
    page.click("#pause")
    page.wait_for_selector("#player[data-status='paused']")
    assert_no_image_data(traffic, live_server)
    assert not traffic.errors, traffic.errors
    page.context.close()


def test_no_camera_gives_a_clear_message_and_the_player_keeps_working(
    page: Page, live_server: LiveServer
) -> None:
    """The standard browser has no camera device: the panel says so, the buttons still work."""
    session_id = stored_session(live_server.settings)
    page.add_init_script(CHECKED)
    page.goto(f"{live_server.url}/session/{session_id}")
    page.wait_for_selector(".camera-panel[data-ready='true']")
    page.click(".camera-toggle")
    page.wait_for_selector(".camera-panel[data-camera-state='error']", timeout=30_000)
    message = page.locator(".camera-message")
    expect(message).to_contain_text("camera", ignore_case=True)
    expect(message).to_contain_text("buttons")
    expect(page.locator(".camera-toggle")).to_have_attribute("aria-pressed", "false")
    page.click("#primary")
    page.wait_for_selector("#player[data-status='running']")


def test_camera_check_page_explains_where_to_put_the_laptop(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/exercises/glute-bridge")
    expect(page.get_by_text("Practice with camera")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/exercises/relaxation")
    expect(page.get_by_role("heading", name="Lying relaxation", level=1)).to_be_visible()
    expect(page.locator(".camera-panel")).to_have_count(0)  # the camera cannot check this one
    # The first time, "Use camera" leads to the camera check, which leads back.
    session_id = stored_session(live_server.settings)
    page.goto(f"{live_server.url}/session/{session_id}")
    page.wait_for_selector(".camera-panel[data-ready='true']")
    page.click(".camera-toggle")
    page.wait_for_url(f"**/camera-check?next=%2Fsession%2F{session_id}")
    page.click("#check-done")
    page.wait_for_url(f"**/session/{session_id}")
    page.goto(f"{live_server.url}/camera-check?next=/exercises")
    assert axe_violations(page) == []
    expect(page.get_by_text("Video stays on this device")).to_be_visible()
    expect(page.get_by_text("Floor exercises: side view")).to_be_visible()
    expect(page.get_by_text("Standing exercises: front view")).to_be_visible()
    expect(page.locator("[data-joint]")).to_have_count(7)
    page.click("#check-done")
    page.wait_for_url("**/exercises")
    page.wait_for_function("() => localStorage.getItem('backcoach-camera-checked') === 'yes'")
    page.goto(f"{live_server.url}/camera-check?next=https://evil.example/")
    expect(page.locator("#check-done")).to_have_attribute("href", "/")
