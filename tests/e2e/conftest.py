"""Browser tests: the real app on a free loopback port, driven through Debian's Chromium.

Each test gets a fresh server with its own temporary data dir (so its own SQLite
database) and a fast time scale; one Chromium runs for the whole test session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from backcoach.config import Settings
from tests.e2e.live_server import LiveServer, running_server

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A fake camera that accepts without asking (a test pattern, or --use-file-for-fake-video-capture).
FAKE_CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
#: Software WebGL for the pose model (there is no GPU in CI).
SOFTWARE_GL_ARGS = ["--enable-unsafe-swiftshader", "--use-angle=swiftshader"]
AXE_JS = REPO_ROOT / "src" / "backcoach" / "web" / "static" / "vendor" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
TIME_SCALE = 20.0


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "web-data", time_scale=TIME_SCALE)


@pytest.fixture
def live_server(web_settings: Settings) -> Iterator[LiveServer]:
    with running_server(web_settings) as live:
        yield live


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright driver per test run (the sync API allows only one at a time)."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser_context(
    tmp_path_factory: pytest.TempPathFactory, playwright_driver: Playwright
) -> Iterator[BrowserContext]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    context = playwright_driver.chromium.launch_persistent_context(
        user_data_dir=str(profile),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        accept_downloads=True,
        downloads_path=str(downloads),
        viewport={"width": 1280, "height": 800},
        locale="en-GB",
    )
    yield context
    context.close()


@contextmanager
def guarded(page: Page) -> Iterator[Page]:
    """Fail the test on a JavaScript error, a CSP violation or a request leaving this computer.

    Closes the page on the way out, then checks what it saw.
    """
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium reports every Content-Security-Policy violation on the console.
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    # The app must work with the network unplugged: anything not on loopback is refused.
    outside: list[str] = []

    def refuse_outside(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route(
        re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:).*"), refuse_outside
    )
    yield page
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"
    assert not outside, f"requests that left this computer: {outside}"


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    with guarded(page):
        yield page


@pytest.fixture(scope="module")
def fake_camera_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """A Chromium whose camera is Chromium's fake device (a moving test pattern, nobody in it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, *SOFTWARE_GL_ARGS, *FAKE_CAMERA_ARGS],
        headless=True,
    )
    yield browser
    browser.close()


#: The shared data's real desk recording (a person sitting upright at a desk).
DESK_CLIP = "IvanGael__Posture-Analysis-Mediapipe/video.mp4"


@pytest.fixture(scope="module")
def desk_browser(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory, playwright_driver: Playwright
) -> Iterator[Browser]:
    """A Chromium whose fake camera plays the real desk clip."""
    from tests.e2e.test_live_camera import to_y4m  # a test module that imports this one

    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    clip = to_y4m(shared_data / DESK_CLIP, tmp_path_factory.mktemp("desk-camera") / "desk.y4m")
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            *CHROMIUM_ARGS, *SOFTWARE_GL_ARGS, *FAKE_CAMERA_ARGS,
            f"--use-file-for-fake-video-capture={clip.path}",
        ],
        headless=True,
    )  # fmt: skip
    yield browser
    browser.close()


@pytest.fixture
def camera_page(fake_camera_browser: Browser) -> Iterator[Page]:
    """A page in its own context of the fake-camera Chromium, checked like ``page``."""
    context = fake_camera_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)  # the pose model loads in software
    with guarded(page):
        yield page
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the current page (axe from our vendored file)."""
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} missing: run `make setup` (npm ci + scripts/vendor_assets.py)")
    # From our own static files: the CSP refuses inline scripts, the test's included.
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot_both(page: Page, name: str) -> None:
    """Full-page screenshots at desktop and phone size under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
    if original:
        page.set_viewport_size(original)
