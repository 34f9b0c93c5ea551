// The hands-free voice: a queue of spoken cues on window.speechSynthesis.
//
// Cues wait their turn instead of cutting each other: one utterance is handed to the
// browser at a time, the next when it ends. A step start or the end of the session clears
// what is still waiting (and stops what is being said) before its own lines. Cues tied to
// a moment (counts, "Hold", breaths) that are stale when their turn comes, say a "3" queued
// behind a long set-up line, are dropped rather than said late. The text is always shown
// by the page; this only speaks.
//
//   const voice = window.BackcoachVoice.create({ enabled: () => voiceOn, staleMs: () => 1500 });
//   voice.say([{ kind: "step_started", text: "Next: Bird-dog." }, { kind: "setup", text: "..." }]);
"use strict";

window.BackcoachVoice = (function () {
  // Notice kinds that begin something new: what is still waiting is dropped first.
  const CLEARS = new Set(["step_started", "step_reopened", "session_finished"]);
  // Notice kinds tied to their moment: not worth saying once that moment has passed.
  const TIMELY = new Set(["countdown", "rep_done", "breath", "hold_started", "hold_done", "work_started"]);
  const STALE_MS = 1500;
  // If the browser never reports the end of an utterance, move on after about this long.
  const WATCHDOG_BASE_MS = 2000;
  const WATCHDOG_PER_CHAR_MS = 120;

  function create(options) {
    const opts = options || {};
    const synth = () => opts.synth || ("speechSynthesis" in window ? window.speechSynthesis : null);
    const enabled = opts.enabled || (() => true);
    const staleMs = opts.staleMs || (() => STALE_MS);
    const now = () => performance.now();
    const waiting = [];
    let current = null; // { utterance, watchdog }

    function clear() {
      waiting.length = 0;
      const speaking = current;
      current = null;
      if (speaking) {
        clearTimeout(speaking.watchdog);
        const s = synth();
        if (s) s.cancel();
      }
    }

    function finished(utterance) {
      if (!current || current.utterance !== utterance) return; // cancelled earlier: not ours now
      clearTimeout(current.watchdog);
      current = null;
      next();
    }

    function next() {
      if (current) return;
      const s = synth();
      if (!s || !enabled()) {
        waiting.length = 0;
        return;
      }
      while (waiting.length) {
        const cue = waiting.shift();
        if (TIMELY.has(cue.kind) && now() - cue.queuedAt > staleMs()) continue; // too late now
        const utterance = new SpeechSynthesisUtterance(cue.text);
        utterance.lang = window.BackcoachText.lang; // the cues are in the page's language
        utterance.rate = 1.0;
        utterance.onend = () => finished(utterance);
        utterance.onerror = () => finished(utterance);
        const watchdog = setTimeout(
          () => finished(utterance), WATCHDOG_BASE_MS + WATCHDOG_PER_CHAR_MS * cue.text.length);
        current = { utterance, watchdog };
        s.speak(utterance);
        return;
      }
    }

    // Queue these cues ({kind, text}) in order; `clear: true` (or a step start or the end
    // among them) first drops what is waiting and stops what is being said.
    function say(cues, sayOptions) {
      const list = (cues || []).filter((c) => c && c.text);
      if (!list.length || !enabled() || !synth()) return;
      if ((sayOptions && sayOptions.clear) || list.some((c) => CLEARS.has(c.kind))) clear();
      const queuedAt = now();
      for (const c of list) waiting.push({ kind: c.kind || "", text: c.text, queuedAt });
      next();
    }

    return {
      say,
      clear,
      // true while something is being said or waits its turn
      busy: () => current !== null || waiting.length > 0,
    };
  }

  return { create, CLEARS, TIMELY };
})();
