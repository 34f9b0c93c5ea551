// The session player. The engine runs on the server: we send events, draw the state we get
// back, count down locally between ticks, speak cues, and keep the screen awake.
"use strict";

(function () {
  const root = document.getElementById("player");
  if (!root) return;
  const sessionId = root.dataset.sessionId;
  const api = `/api/v1/sessions/${sessionId}`;
  const $ = (id) => document.getElementById(id);

  let state = JSON.parse($("player-state").textContent);
  let receivedAt = performance.now();
  let voiceOn = root.dataset.voice === "on";
  let inFlight = false;
  let chain = Promise.resolve();
  let tickTimer = null;
  let wakeLock = null;
  let animator = null;
  let shownStep = state.step_index; // the step whose panel is drawn (or on its way)

  const LABELS = {
    "get-ready": "Get into position",
    "count-reps": "Your pace: tap for each rep",
    "move": "Move into position",
    "hold": "Hold",
    "keep-moving": "Keep moving",
    "breathe-in": "Breathe in",
    "breathe-hold": "Hold the breath",
    "breathe-out": "Breathe out",
    "rest": "Rest",
  };
  const PRIMARY = {
    "get-ready": ["I'm ready", "rep_done"],
    "count-reps": ["Rep done", "rep_done"],
    "move": ["I'm in position", "rep_done"],
    "hold": ["Release now", "hold_done"],
    "keep-moving": ["Done", "hold_done"],
    "breathe-in": ["Breath done", "rep_done"],
    "breathe-hold": ["Breath done", "rep_done"],
    "breathe-out": ["Breath done", "rep_done"],
    "rest": ["I'm ready, skip the rest", "rep_done"],
  };
  const SPOKEN = new Set([
    "step_started", "side_started", "hold_started", "hold_done", "breath", "countdown",
    "rest_started", "set_done", "paused", "resumed", "session_finished", "rep_done",
  ]);

  // --- speech ---------------------------------------------------------------
  function speak(text, interrupt) {
    if (!voiceOn || !text || !("speechSynthesis" in window)) return;
    if (interrupt) window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.rate = 1.0;
    window.speechSynthesis.speak(utterance);
  }

  function announce(notices) {
    const said = notices.filter((n) => n.say).map((n) => n.say);
    if (said.length) {
      $("announcer").textContent = said.join(". ");
      $("cue").textContent = said[said.length - 1];
    }
    for (const n of notices) {
      if (SPOKEN.has(n.kind)) speak(n.say, n.kind === "step_started" || n.kind === "session_finished");
    }
  }

  // --- wake lock --------------------------------------------------------------
  async function keepAwake(on) {
    if (!("wakeLock" in navigator)) return;
    try {
      if (on && !wakeLock && document.visibilityState === "visible") {
        wakeLock = await navigator.wakeLock.request("screen");
        wakeLock.addEventListener("release", () => { wakeLock = null; });
      } else if (!on && wakeLock) {
        await wakeLock.release();
        wakeLock = null;
      }
    } catch {
      wakeLock = null; // not allowed (battery saver, no user gesture): the session still works
    }
  }
  document.addEventListener("visibilitychange", () => keepAwake(state.status === "running"));
  // The camera coach (camera.js) counted a rep or finished a step on the server: redraw now.
  document.addEventListener("backcoach:camera-update", () => { if (!inFlight) send("tick"); });

  // --- talking to the server ----------------------------------------------------
  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  }

  function send(type, extra) {
    chain = chain.then(async () => {
      inFlight = true;
      try {
        const out = await post(`${api}/events`, { type, ...(extra || {}) });
        $("connection").hidden = true;
        update(out.state);
        announce(out.notices);
      } catch {
        $("connection").hidden = false;
      } finally {
        inFlight = false;
        schedule();
      }
    });
    return chain;
  }

  // --- drawing ------------------------------------------------------------------
  function remainingNow() {
    if (state.remaining_s == null) return null;
    if (state.status !== "running") return state.remaining_s;
    const elapsed = ((performance.now() - receivedAt) / 1000) * state.time_scale;
    return Math.max(0, state.remaining_s - elapsed);
  }

  function drawCountdown() {
    const left = remainingNow();
    const box = $("countdown");
    if (left == null || state.status === "finished" || state.status === "not-started") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.textContent = String(Math.ceil(left - 1e-6));
  }

  function frameLoop() {
    drawCountdown();
    requestAnimationFrame(frameLoop);
  }

  // Step panels can come back out of order (skip, skip: the first answer may be the slower
  // one): only the answer to the latest request is drawn, an older one never covers it.
  let stepRequest = 0;
  async function loadStep(index) {
    const request = ++stepRequest;
    const latest = () => request === stepRequest;
    try {
      const response = await fetch(`/session/${sessionId}/step/${index}`, { headers: { "HX-Request": "true" } });
      if (!latest()) return;
      if (!response.ok) throw new Error(`${response.status}`);
      const html = await response.text();
      if (!latest()) return;
      $("step-panel").innerHTML = html;
      setupFigure();
    } catch {
      if (latest()) shownStep = null; // the next state from the server loads the panel again
    }
  }

  let shownPose = null; // the pose drawn last, as a key
  function setupFigure() {
    if (animator) animator.stop();
    animator = null;
    shownPose = null;
    const svg = document.querySelector("#step-panel svg.bc-figure");
    if (svg && window.BackcoachFigure) animator = new window.BackcoachFigure(svg);
    poseFigure();
  }

  // The server names the keyframe the figure shows (state.pose); we only draw it. The same pose
  // again (a heartbeat tick) leaves a move or a cycle running instead of restarting it.
  function poseFigure() {
    if (!animator || !animator.frames.length || !state.pose) return;
    const key = JSON.stringify([state.step_index, state.set_number, state.side, state.pose]);
    if (key === shownPose) return;
    shownPose = key;
    const left = state.remaining_s == null ? 1 : state.remaining_s;
    animator.show(state.pose, (left / state.time_scale) * 1000);
  }

  function update(next) {
    const stepChanged = next.step_index !== shownStep;
    state = next;
    receivedAt = performance.now();
    if (stepChanged && state.step) {
      shownStep = state.step_index;
      loadStep(state.step_index);
    } else {
      poseFigure();
    }
    render();
  }

  function render() {
    const s = state;
    root.dataset.status = s.status;
    root.dataset.activity = s.activity || "";
    root.dataset.stepIndex = String(s.step_index);
    const finished = s.status === "finished";
    $("player-main").hidden = finished;
    $("finished").hidden = !finished;
    const bar = $("progress-bar");
    bar.style.width = `${s.steps_total ? (100 * s.steps_done) / s.steps_total : 0}%`;
    bar.parentElement.setAttribute("aria-valuenow", String(s.steps_done));
    if (finished) {
      keepAwake(false);
      // The server words the ending (complete, ended early, stop and rest) and what was done.
      $("finished-title").textContent = s.end_title || "";
      $("finished-text").textContent = s.end_text || "";
      $("hurt-message").hidden = s.ended_by !== "hurt";
      return;
    }
    if (s.step) $("step-number").textContent = String(s.step_index + 1);

    const activity = s.activity;
    let label = LABELS[activity] || "Ready when you are";
    if (s.status === "paused") label = "Paused";
    if (s.status === "not-started") label = s.step ? `First: ${s.step.name}` : "Ready when you are";
    $("activity-label").textContent = label;

    let setText = "";
    if (s.step && s.status !== "not-started") {
      setText = `Set ${s.set_number} of ${s.step.sets}`;
      if (s.side) setText += ` · ${s.side} side`;
    }
    $("set-label").textContent = setText || "\u00a0";

    const counting = s.reps_target != null && s.status !== "not-started";
    $("rep-counter").hidden = !counting;
    if (counting) {
      $("rep-count").textContent = String(s.reps_done);
      $("rep-target").textContent = `of ${s.reps_target} ${s.step && s.step.kind === "breathing" ? "breaths" : "reps"}`;
    }

    const breathing = activity && activity.startsWith("breathe") && s.status === "running";
    $("pacer").hidden = !breathing;
    const circle = $("pacer-circle");
    circle.className = "pacer-circle" + (breathing ? ` ${activity.replace("breathe-", "")}` : "");
    circle.textContent = breathing ? LABELS[activity] : "Breathe";
    if (breathing && s.activity_total_s) {
      circle.style.transitionDuration = `${s.activity_total_s / s.time_scale}s`;
    }

    const primary = $("primary");
    if (s.status === "not-started") {
      primary.textContent = "Start session";
      primary.dataset.event = "start";
    } else if (s.status === "paused") {
      primary.textContent = "Resume";
      primary.dataset.event = "resume";
    } else {
      const [text, event] = PRIMARY[activity] || ["Next", "rep_done"];
      primary.textContent = text;
      primary.dataset.event = event;
    }
    const pause = $("pause");
    pause.textContent = s.status === "paused" ? "Resume" : "Pause";
    pause.disabled = s.status === "not-started";
    $("skip").disabled = s.status === "not-started";
    $("back").disabled = s.status === "not-started";
    keepAwake(s.status === "running");
    drawCountdown();
  }

  // --- ticking ------------------------------------------------------------------
  function schedule() {
    clearTimeout(tickTimer);
    if (state.status !== "running") return;
    let wait = 1000; // a heartbeat every second keeps cues ("3, 2, 1") on time
    const left = remainingNow();
    if (left != null) wait = Math.min(wait, (left / state.time_scale) * 1000 + 40);
    tickTimer = setTimeout(() => {
      if (!inFlight) send("tick");
      else schedule();
    }, Math.max(40, wait));
  }

  // --- controls -----------------------------------------------------------------
  // One main-button event at a time: a double tap must not act on the next activity
  // (ending a hold or a whole step) before the person has even seen it.
  let primaryBusy = false;
  function primaryAction() {
    if (primaryBusy) return;
    primaryBusy = true;
    const event = $("primary").dataset.event || "start";
    send(event).finally(() => { primaryBusy = false; });
  }
  function togglePause() {
    if (state.status === "running") send("pause");
    else if (state.status === "paused") send("resume");
  }
  function setVoice(on) {
    voiceOn = on;
    if (!on && "speechSynthesis" in window) window.speechSynthesis.cancel();
    $("voice").setAttribute("aria-pressed", on ? "true" : "false");
    $("voice-state").textContent = on ? "on" : "off";
    fetch("/api/v1/preferences", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ voice: on }),
    }).catch(() => {});
  }

  const dialog = $("hurt-dialog");
  function openHurt() {
    if (state.status === "finished") return;
    if (state.status === "running") send("pause");
    $("hurt-ask").hidden = false;
    $("hurt-advice").hidden = true;
    $("hurt-error").hidden = true;
    $("hurt-cancel").hidden = false;
    $("hurt-cancel").textContent = "Back to the exercise";
    dialog.showModal();
  }
  async function tellHurt(event) {
    event.preventDefault();
    const checked = dialog.querySelector("input[name='hurt_pain']:checked");
    if (!checked) {
      $("hurt-error").hidden = false;
      return;
    }
    try {
      const out = await post(`${api}/hurt`, { pain: Number(checked.value) });
      const advice = $("hurt-advice");
      advice.textContent = out.message;
      advice.className = out.stop ? "card stop" : "card warning";
      advice.hidden = false;
      $("hurt-ask").hidden = true;
      // at the pain limit the advice is to stop this exercise: no "carry on" button then
      $("hurt-cancel").hidden = out.stop;
      $("hurt-cancel").textContent = "Carry on gently";
      speak(out.message, true);
    } catch {
      $("hurt-error").textContent = "Could not save that. You can still skip or end the session.";
      $("hurt-error").hidden = false;
    }
  }
  function closeHurt() {
    dialog.close();
    dialog.querySelectorAll("input[name='hurt_pain']").forEach((input) => { input.checked = false; });
  }

  $("primary").addEventListener("click", primaryAction);
  $("pause").addEventListener("click", togglePause);
  $("skip").addEventListener("click", () => send("skip"));
  $("back").addEventListener("click", () => send("back"));
  $("voice").addEventListener("click", () => setVoice(!voiceOn));
  $("hurt").addEventListener("click", openHurt);
  $("quit").addEventListener("click", () => {
    if (window.confirm("End this session now? What you have done so far is saved.")) send("quit");
  });
  $("hurt-form").addEventListener("submit", tellHurt);
  $("hurt-skip").addEventListener("click", () => {
    closeHurt();
    if (state.status === "paused") send("resume");
    send("skip");
  });
  $("hurt-stop").addEventListener("click", () => {
    closeHurt();
    send("hurt");
  });
  $("hurt-cancel").addEventListener("click", closeHurt);

  $("after-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const painAfter = form.get("pain_after");
    const effort = form.get("effort");
    const location = form.get("location") || "low-back";
    if (painAfter === null || effort === null) {
      $("after-error").textContent = "Please choose a number for both questions.";
      $("after-error").hidden = false;
      return;
    }
    try {
      await post(`${api}/finish`, { pain_after: Number(painAfter), effort: Number(effort), location });
      window.location.reload();
    } catch {
      $("after-error").textContent = "Could not save the check-in. Please try again.";
      $("after-error").hidden = false;
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || dialog.open) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("input, textarea, select, button, a, summary")) {
      if (event.key === " " || event.key === "Enter") return; // let the focused control act
    }
    const key = event.key.toLowerCase();
    if (state.status === "finished") return;
    if (key === " ") { event.preventDefault(); primaryAction(); }
    else if (key === "p") togglePause();
    else if (key === "s") send("skip");
    else if (key === "b") send("back");
    else if (key === "m") setVoice(!voiceOn);
    else if (key === "h") openHurt();
  });

  root.dataset.ready = "true";
  setupFigure();
  render();
  schedule();
  requestAnimationFrame(frameLoop);
})();
