"""The browser scripts in German: a Chromium set to German gets the player and the desk in German.

The page's language comes from the browser's Accept-Language (``de-DE``); the scripts take
their words from the page (js/i18n.js). What is checked here is text the scripts make
themselves (labels they switch, the desk clock, the break overlay, notifications, confirm
texts) and the language the spoken cues are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, expect

from backcoach.config import Settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, TIME_SCALE, guarded
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import start_session
from tests.support.german import english_leftovers

pytestmark = pytest.mark.browser

#: The desk's breaks every 15 minutes at 200x: the first falls due after 4.5 real seconds.
DESK_TIME_SCALE = 200.0

#: A speechSynthesis that records each utterance's text and language, and ends it at once.
RECORD_SPEECH = """
(() => {
  const log = [];
  const fake = {
    speak(utterance) {
      log.push({ text: utterance.text, lang: utterance.lang });
      document.documentElement.dataset.spoken = String(log.length);
      setTimeout(() => { if (utterance.onend) utterance.onend({ type: "end" }); }, 5);
    },
    cancel() {},
    get speaking() { return false; },
    get pending() { return false; },
    get paused() { return false; },
    pause() {}, resume() {}, getVoices() { return []; },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
  window.__speech = log;
})();
"""

#: Notifications allowed, and each one recorded (title, body, lang) instead of shown.
RECORD_NOTIFICATIONS = """
(() => {
  const log = [];
  class Recorded {
    constructor(title, options) {
      log.push({ title, body: (options || {}).body, lang: (options || {}).lang });
      document.documentElement.dataset.notified = String(log.length);
    }
    close() {}
    static get permission() { return "granted"; }
    static requestPermission() { return Promise.resolve("granted"); }
  }
  Object.defineProperty(window, "Notification", { value: Recorded, configurable: true });
  window.__notifications = log;
})();
"""


CAMERA_CHECKED = "localStorage.setItem('backcoach-camera-checked', 'yes')"


@pytest.fixture
def web_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    scale = getattr(request, "param", TIME_SCALE)
    return Settings(data_dir=tmp_path / "web-data", time_scale=scale)


@pytest.fixture(scope="module")
def plain_browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def german_context(plain_browser: Browser) -> Iterator[BrowserContext]:
    """A browser set to German: its requests say ``Accept-Language: de-DE``."""
    context = plain_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def german_page(german_context: BrowserContext) -> Iterator[Page]:
    page = german_context.new_page()
    page.set_default_timeout(10_000)
    with guarded(page):
        yield page


@pytest.fixture
def german_camera_page(fake_camera_browser: Browser) -> Iterator[Page]:
    """A German page of the fake-camera Chromium, the camera check already done."""
    context = fake_camera_browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.add_init_script(CAMERA_CHECKED)
    with guarded(page):
        yield page
    context.close()


def no_english(page: Page, *selectors: str) -> None:
    for selector in selectors:
        text = page.locator(selector).inner_text()
        assert english_leftovers(text) == [], f"{selector}: {text!r}"


def test_the_player_speaks_and_labels_in_german(
    german_page: Page, german_context: BrowserContext, live_server: LiveServer
) -> None:
    page = german_page
    # Today's screening and check-in in English (their pages are not this test's), then the
    # player in the browser's language: the Settings cookie goes, Accept-Language decides.
    german_context.add_cookies([{"name": "backcoach_lang", "value": "en", "url": live_server.url}])
    start_session(page, live_server)
    german_context.clear_cookies(name="backcoach_lang")
    page.add_init_script(RECORD_SPEECH)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    player = page.locator("#player")
    expect(page.locator("#player[data-ready='true']")).to_be_attached()
    expect(player).to_have_attribute("data-status", "running")

    shown = player.get_attribute("data-step-index")
    page.locator("#skip").click()  # a new step: its name and set-up are said
    expect(player).not_to_have_attribute("data-step-index", str(shown))
    expect(page.locator("html[data-spoken]")).to_be_attached()
    expect(page.locator("#set-label")).to_have_text(
        re.compile(r"^(Satz \d+ von \d+|Ein Satz)( · (Linke|Rechte) Seite)?$")
    )

    page.locator("#pause").click()
    expect(page.locator("#activity-label")).to_have_text("Pausiert")
    expect(page.locator("#primary")).to_have_text("Fortsetzen")
    page.locator("#voice").click()
    expect(page.locator("#voice")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#voice-state")).to_have_text("aus")
    page.locator("#voice").click()
    expect(page.locator("#voice-state")).to_have_text("an")

    page.locator("#hurt").click()
    expect(page.locator("#hurt-cancel")).to_have_text("Zurück zur Übung")
    page.locator("#hurt-cancel").click()
    expect(page.locator("#hurt-dialog")).to_be_hidden()

    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()  # stay in the session

    page.once("dialog", answer)
    page.locator("#quit").click()
    expect(player).to_have_attribute("data-status", "paused")
    assert asked == ["Diese Einheit jetzt beenden? Was Sie bisher gemacht haben, ist gespeichert."]

    page.locator("#primary").click()  # resume
    expect(player).to_have_attribute("data-status", "running")
    expect(page.locator("#primary")).not_to_have_text("Fortsetzen")
    no_english(page, "#activity-label", "#set-label", "#primary")

    spoken: list[dict[str, Any]] = page.evaluate("window.__speech")
    assert spoken, "nothing was said"
    assert {u["lang"] for u in spoken} == {"de"}, spoken


@pytest.mark.parametrize("web_settings", [DESK_TIME_SCALE], indirect=True)
def test_the_desk_counts_down_and_calls_the_break_in_german(
    german_page: Page, live_server: LiveServer
) -> None:
    page = german_page
    answer = httpx.patch(
        f"{live_server.url}/api/v1/preferences", json={"break_minutes": 15}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    page.add_init_script(RECORD_NOTIFICATIONS)
    page.goto(f"{live_server.url}/desk")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#skips-left")).to_have_text(
        re.compile(r"^Pausen, die Sie heute noch überspringen können: \d+$")
    )
    expect(page.locator("#next-kind")).to_have_text("Kurzpause in")
    expect(page.locator("#count-sitting")).to_have_text(re.compile(r"^(unter 1 Min\.|\d+ Min\.)$"))

    overlay = page.locator("#break-overlay")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(page.locator("#break-title")).to_have_text(re.compile(r"^Zeit für eine Pause: \S"))
    expect(page.locator("#break-length")).to_have_text(re.compile(r"^Etwa \d+ Sekunden$"))
    expect(page.locator("#next-kind")).to_have_text("Pause fällig")
    expect(page.locator("#countdown")).to_have_text("jetzt")
    expect(page.locator("html[data-notified]")).to_be_attached()
    no_english(page, "#break-title", "#break-length", "#skips-left")

    notices: list[dict[str, Any]] = page.evaluate("window.__notifications")
    assert notices[0]["title"] == "Zeit für eine Pause"
    assert notices[0]["body"].startswith("Versuchen Sie: ")
    assert notices[0]["lang"] == "de"

    page.locator("#take").click()
    expect(overlay).to_be_hidden()
    expect(page.locator("#count-taken")).to_have_text("1")
    expect(page.locator("#next-kind")).to_have_text(re.compile(r"^(Kurzpause|Erholungspause) in$"))


def test_the_camera_buttons_and_messages_are_german(
    german_camera_page: Page, live_server: LiveServer
) -> None:
    page = german_camera_page
    page.goto(f"{live_server.url}/camera-check?next=/exercises")
    check = page.locator("#camera-check")
    expect(check).to_have_attribute("data-ready", "true")
    button = page.locator("#check-start")
    button.click()
    expect(button).to_have_text("Kamera stoppen")
    expect(page.locator("#check-message")).to_have_text("Die Kamera startet …")
    button.click()  # while the pose model still loads
    expect(check).to_have_attribute("data-camera-state", "off")
    expect(button).to_have_text("Kamera starten")

    page.goto(f"{live_server.url}/exercises/glute-bridge")
    panel = page.locator(".camera-panel")
    expect(panel).to_have_attribute("data-ready", "true")
    toggle = panel.locator(".camera-toggle")
    off_label = toggle.inner_text()
    toggle.click()
    expect(toggle).to_have_text("Kamera ausschalten")
    expect(panel.locator(".camera-message")).to_have_text(
        re.compile(r"^(Das Posenmodell wird geladen …|Die Kamera startet …)$")
    )
    toggle.click()
    expect(panel).to_have_attribute("data-camera-state", "off")
    expect(toggle).to_have_text(off_label)
