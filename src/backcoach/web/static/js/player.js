// The session player. The engine runs on the server: we send events, draw the state we get
// back, count down locally between ticks, speak cues, and keep the screen awake.
"use strict";

(function () {
  const root = document.getElementById("player");
  if (!root) return;
  const { _, format } = window.BackcoachText;
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
    "get-ready": _("Get into position"),
    "count-reps": _("Your pace: tap for each rep"),
    "move": _("Move into position"),
    "hold": _("Hold"),
    "keep-moving": _("Keep moving"),
    "breathe-in": _("Breathe in"),
    "breathe-hold": _("Hold the breath"),
    "breathe-out": _("Breathe out"),
    "rest": _("Rest"),
  };
  // What the big number of seconds counts down to: [after 1, after any other number].
  const TIMER_LEFT = [_("second left"), _("seconds left")];
  const TO_GET_READY = [_("second to get into position"), _("seconds to get into position")];
  const TIMER_LABELS = {
    "get-ready": TO_GET_READY,
    "move": TO_GET_READY,
    "hold": [_("second left in the hold"), _("seconds left in the hold")],
    "keep-moving": TIMER_LEFT,
    "breathe-in": [_("second to breathe in"), _("seconds to breathe in")],
    "breathe-hold": [_("second to hold the breath"), _("seconds to hold the breath")],
    "breathe-out": [_("second to breathe out"), _("seconds to breathe out")],
    "rest": [_("second of rest left"), _("seconds of rest left")],
  };
  const BREATH_DONE = _("Breath done");
  const PRIMARY = {
    "get-ready": [_("I'm ready"), "rep_done"],
    "count-reps": [_("Rep done"), "rep_done"],
    "move": [_("I'm in position"), "rep_done"],
    "hold": [_("Release now"), "hold_done"],
    "keep-moving": [_("Done"), "hold_done"],
    "breathe-in": [BREATH_DONE, "rep_done"],
    "breathe-hold": [BREATH_DONE, "rep_done"],
    "breathe-out": [BREATH_DONE, "rep_done"],
    "rest": [_("I'm ready, skip the rest"), "rep_done"],
  };
  const SIDES = { left: _("Left side"), right: _("Right side") };
  // --- speech ---------------------------------------------------------------
  // Every notice with words is shown and spoken (the server writes the script: coach/cues.py).
  // Speech goes through one queue (voice.js), so cues wait their turn instead of cutting each
  // other; counts that would come late are dropped (late in real time: the session's time
  // scale shortens it).
  const voice = window.BackcoachVoice
    ? window.BackcoachVoice.create({
      enabled: () => voiceOn,
      staleMs: () => 1500 / (state.time_scale || 1),
    })
    : null;

  function speak(text, interrupt) {
    if (!voiceOn || !text || !voice) return;
    voice.say([{ kind: "message", text }], { clear: interrupt });
  }

  const sentence = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);

  function announce(notices) {
    const said = notices.filter((n) => n.say);
    if (!said.length) return;
    $("announcer").textContent = said.map((n) => sentence(n.say)).join(" ");
    // At a step start the set-up line and the key cue stay in view together; else the latest.
    const setup = said.findIndex((n) => n.kind === "setup");
    $("cue").textContent = (setup >= 0 ? said.slice(setup) : said.slice(-1)).map((n) => n.say).join(" ");
    if (voiceOn && voice) voice.say(said.map((n) => ({ kind: n.kind, text: n.say })));
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
  // The camera coach (camera.js) counted a rep, paused or resumed a hold, or finished a step on
  // the server: redraw now, or right after the request on its way (a paused player sends no
  // heartbeat, so a dropped redraw would leave "Paused" up after the camera resumed).
  let redrawAfter = false;
  let cameraReason = null; // why the camera paused the session, shown under "Paused"
  document.addEventListener("backcoach:camera-update", (event) => {
    const detail = event.detail || {};
    cameraReason = detail.pausedByCamera ? detail.reason : null;
    if (inFlight) redrawAfter = true;
    else send("tick");
  });

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
        if (redrawAfter) {
          redrawAfter = false;
          send("tick");
        }
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
    const box = $("timer");
    if (left == null || state.status === "finished" || state.status === "not-started") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const seconds = Math.ceil(left - 1e-6);
    $("countdown").textContent = String(seconds);
    const label = (TIMER_LABELS[state.activity] || TIMER_LEFT)[seconds === 1 ? 0 : 1];
    if ($("timer-label").textContent !== label) $("timer-label").textContent = label;
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
      // One answer, two places: the figure goes to the coach card, the text to the step panel.
      const parsed = document.createElement("template");
      parsed.innerHTML = html;
      for (const slot of parsed.content.querySelectorAll("template[data-slot]")) {
        $(slot.dataset.slot).replaceChildren(slot.content.cloneNode(true));
      }
      setupFigure();
    } catch {
      if (latest()) shownStep = null; // the next state from the server loads the panel again
    }
  }

  let shownPose = null; // the pose drawn last, as a key
  function dropAnimator() {
    if (animator) animator.stop();
    animator = null;
  }
  function setupFigure() {
    dropAnimator();
    shownPose = null;
    const svg = document.querySelector("#stage-figure svg.bc-figure");
    if (svg && window.BackcoachFigure) animator = new window.BackcoachFigure(svg);
    poseFigure();
  }

  // The server names the keyframe the figure shows (state.pose); we only draw it. The same pose
  // again (a heartbeat tick) leaves a move or a cycle running instead of restarting it.
  function poseFigure() {
    if (!animator || !animator.frames.length || !state.pose) return;
    if (!state.step || animator.svg.dataset.exercise !== state.step.exercise_id) return;
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
      // The last step's figure stays, faded and still, until this step's arrives.
      dropAnimator();
      const old = document.querySelector("#stage-figure svg.bc-figure");
      if (old) old.dataset.stale = "true";
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
    root.dataset.exercise = s.step ? s.step.exercise_id : "";
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
    let label = LABELS[activity] || _("Ready when you are");
    if (s.status === "paused") label = _("Paused");
    if (s.status === "paused" && cameraReason) $("cue").textContent = cameraReason;
    if (s.status === "not-started") {
      label = s.step ? format(_("First: {name}"), { name: s.step.name }) : _("Ready when you are");
    }
    $("activity-label").textContent = label;

    let setText = "";
    if (s.step && s.status !== "not-started") {
      setText = s.step.sets > 1
        ? format(_("Set {number} of {sets}"), { number: s.set_number, sets: s.step.sets })
        : _("One set");
      if (s.side) setText += ` · ${SIDES[s.side] || s.side}`;
    }
    $("set-label").textContent = setText || "\u00a0";

    const counting = s.reps_target != null && s.status !== "not-started";
    $("rep-counter").hidden = !counting;
    if (counting) {
      const done = s.step && s.step.kind === "breathing" ? _("of {target} breaths done") : _("of {target} reps done");
      $("rep-count").textContent = String(s.reps_done);
      $("rep-target").textContent = format(done, { target: s.reps_target });
    }

    const breathing = activity && activity.startsWith("breathe") && s.status === "running";
    $("pacer").hidden = !breathing;
    $("stage").classList.toggle("breathing", Boolean(breathing));
    const circle = $("pacer-circle");
    circle.className = "pacer-circle" + (breathing ? ` ${activity.replace("breathe-", "")}` : "");
    circle.textContent = breathing ? LABELS[activity] : _("Breathe");
    if (breathing && s.activity_total_s) {
      circle.style.transitionDuration = `${s.activity_total_s / s.time_scale}s`;
    }

    const primary = $("primary");
    if (s.status === "not-started") {
      primary.textContent = _("Start session");
      primary.dataset.event = "start";
    } else if (s.status === "paused") {
      primary.textContent = _("Resume");
      primary.dataset.event = "resume";
    } else {
      const [text, event] = PRIMARY[activity] || [_("Next"), "rep_done"];
      primary.textContent = text;
      primary.dataset.event = event;
    }
    // Paused, the main button resumes: the pause button steps aside instead of saying it too.
    $("pause").hidden = s.status === "paused";
    $("pause").disabled = s.status === "not-started";
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
    $("voice-state").textContent = on ? _("on") : _("off");
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
    $("hurt-cancel").textContent = _("Back to the exercise");
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
      $("hurt-cancel").textContent = _("Carry on gently");
      speak(out.message, true);
    } catch {
      $("hurt-error").textContent = _("Could not save that. You can still skip or end the session.");
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
    if (window.confirm(_("End this session now? What you have done so far is saved."))) send("quit");
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
      $("after-error").textContent = _("Please choose a number for both questions.");
      $("after-error").hidden = false;
      return;
    }
    try {
      await post(`${api}/finish`, { pain_after: Number(painAfter), effort: Number(effort), location });
      window.location.reload();
    } catch {
      $("after-error").textContent = _("Could not save the check-in. Please try again.");
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
  // Today's "Start session" brought us here: the session begins now, with no second press.
  if (state.status === "not-started") send("start");
  requestAnimationFrame(frameLoop);
})();
