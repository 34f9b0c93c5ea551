"""The hands-free voice in a real Chromium: what the player says, in what order, never cut off.

``speechSynthesis`` is replaced by a recorder that "speaks" each utterance for a time
in proportion to its length (about as much faster than a real voice as the session's
time scale is faster than real time) and then reports its end, as a browser does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from backcoach.coach.cues import spoken_name
from backcoach.content import default_catalog
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import start_session

pytestmark = pytest.mark.browser

CATALOG = default_catalog()
BY_NAME = {e.name: e for e in CATALOG.exercises.values()}
INTRO = re.compile(r"^(First|Next|Last one|Today): (.+?)\. ")
COUNT = re.compile(r"^\d+$")

#: A recording speechSynthesis: one utterance at a time, its end reported after a while.
#: Every speak and cancel is logged with the step the player shows at that moment; the page's
#: <html data-speech> says whether it is speaking, so the test can wait for quiet.
FAKE_SPEECH = """
(() => {
  const MS_PER_CHAR = 3;
  const log = [];
  let speaking = null;
  const here = () => {
    const player = document.getElementById("player");
    return player ? { step: player.dataset.stepIndex, status: player.dataset.status } : {};
  };
  const mark = () => {
    const html = document.documentElement;
    if (html) html.dataset.speech = speaking ? "speaking" : "idle";
  };
  const done = (utterance, how) => {
    if (!speaking || speaking.utterance !== utterance) return;
    clearTimeout(speaking.timer);
    speaking = null;
    mark();
    const handler = how === "end" ? utterance.onend : utterance.onerror;
    if (handler) handler({ type: how, error: "interrupted" });
  };
  const fake = {
    speak(utterance) {
      const at = here();
      log.push({ type: "speak", text: utterance.text, overlaps: !!speaking, ...at });
      if (speaking) return;  // a second voice at once: logged as an overlap, never ended
      const ms = 10 + MS_PER_CHAR * utterance.text.length;
      const timer = setTimeout(() => done(utterance, "end"), ms);
      speaking = { utterance, timer, step: at.step };
      mark();
    },
    cancel() {
      log.push({ type: "cancel", cut: speaking ? speaking.utterance.text : null,
                 cut_step: speaking ? speaking.step : null, ...here() });
      if (speaking) done(speaking.utterance, "error");
    },
    get speaking() { return !!speaking; },
    get pending() { return false; },
    get paused() { return false; },
    pause() {}, resume() {}, getVoices() { return []; },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
  window.__speech = log;
  document.addEventListener("DOMContentLoaded", mark);
})();
"""


def play_when_quiet(page: Page, max_clicks: int = 600) -> None:
    """Press the main button whenever the voice is quiet, until the session is over."""
    player = page.locator("#player")
    quiet = page.locator("html[data-speech='idle']")
    primary = page.locator("#primary")
    for _ in range(max_clicks):
        if player.get_attribute("data-status") == "finished":
            return
        expect(quiet).to_be_attached(timeout=20_000)
        try:
            primary.click(timeout=2_000)
        except PlaywrightTimeoutError:
            expect(player).to_have_attribute("data-status", "finished")
        page.wait_for_timeout(40)
    expect(player).to_have_attribute("data-status", "finished")


def test_the_voice_sets_up_each_step_before_the_counts_and_never_cuts_itself(
    page: Page, live_server: LiveServer
) -> None:
    page.add_init_script(FAKE_SPEECH)
    planned = start_session(page, live_server)
    exercises = [BY_NAME[name] for name in planned]
    page.locator("#primary").click()

    # The first exercise paces itself; at the first one that waits for reps, the set-up
    # line and the key cue are on the screen too, for people without sound.
    waits = next(i for i, e in enumerate(exercises) if e.kind == "reps" and not e.dosage.hold_s)
    expect(page.locator("#player")).to_have_attribute("data-step-index", str(waits))
    voice = exercises[waits].voice
    expect(page.locator("#cue")).to_contain_text(voice.setup)
    expect(page.locator("#cue")).to_contain_text(voice.cue)

    play_when_quiet(page)
    log: list[dict[str, Any]] = page.evaluate("window.__speech")
    said = [e for e in log if e["type"] == "speak"]
    texts = [e["text"] for e in said]

    assert not [e for e in said if e["overlaps"]], "two utterances at once"
    assert not [t for t in texts if re.search(r"[()\[\]{}]", t)], "brackets read aloud"
    assert texts[0] == "Let's begin."
    assert texts[-1] == "Session complete. Well done."

    # Every step: its name and dose, then how to get into position, then the key cue.
    intros = [i for i, t in enumerate(texts) if INTRO.match(t)]
    assert len(intros) == len(exercises), [texts[i] for i in intros]
    for at, exercise in zip(intros, exercises, strict=True):
        assert spoken_name(exercise.name) in texts[at]
        assert texts[at + 1 : at + 3] == [exercise.voice.setup, exercise.voice.cue]
    # ... then the counts: at the exercise that waits for reps, every rep is counted aloud
    start, end = intros[waits] + 3, intros[waits + 1]
    counted = [t for t in texts[start:end] if COUNT.match(t)]
    assert len(counted) >= 3 and counted == [str(n) for n in range(1, len(counted) + 1)], counted

    # Nothing is cut off except by the next step or the end of the session.
    cuts = [e for e in log if e["type"] == "cancel" and e["cut"] is not None]
    wrong = [c for c in cuts if c["step"] == c["cut_step"] and c["status"] != "finished"]
    assert not wrong, wrong


def test_only_a_new_step_cuts_the_voice_short_and_voice_off_silences_it(
    page: Page, live_server: LiveServer
) -> None:
    page.add_init_script(FAKE_SPEECH)
    planned = start_session(page, live_server)
    second = BY_NAME[planned[1]]
    page.locator("#primary").click()
    expect(page.locator("html[data-speech='speaking']")).to_be_attached()
    page.locator("#skip").click()  # while the first step's lines are being said
    expect(page.locator("#player")).to_have_attribute("data-step-index", "1")
    expect(page.locator("#cue")).to_contain_text(second.voice.setup)
    expect(page.locator("html[data-speech='idle']")).to_be_attached()  # all of it said
    page.locator("#voice").click()
    expect(page.locator("#voice")).to_have_attribute("aria-pressed", "false")
    page.locator("#primary").click()  # a rep: shown, not said
    expect(page.locator("#cue")).to_have_text("1")

    log: list[dict[str, Any]] = page.evaluate("window.__speech")
    off = max(i for i, e in enumerate(log) if e["type"] == "cancel")
    cuts = [e for e in log[:off] if e["type"] == "cancel" and e["cut"] is not None]
    assert cuts, "the skip came while the voice was speaking"
    assert all(c["cut_step"] == "0" and c["step"] == "1" for c in cuts), cuts
    said = [e["text"] for e in log if e["type"] == "speak"]
    # after the cut, the new step's lines in order
    at = said.index(second.voice.setup)
    assert said[at - 1].startswith("Next: ") and said[at + 1] == second.voice.cue
    assert not [e for e in log[off + 1 :] if e["type"] == "speak"], "spoke after voice off"
