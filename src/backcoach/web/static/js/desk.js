// The desk page. The break scheduler runs on the server: we tick it about once a second,
// count down locally in between (time-scaled like the server), show the break overlay with the
// suggested move, and send take / snooze / skip. Browser notifications when allowed, optional sound.
"use strict";

(function () {
  const root = document.getElementById("desk");
  if (!root) return;
  const { _, format } = window.BackcoachText;
  const api = "/api/v1/desk";
  const $ = (id) => document.getElementById(id);
  const TICK_MS = 1000;

  let state = JSON.parse($("desk-state").textContent);
  let receivedAt = performance.now();
  let shownDue = null; // the move of the break the overlay shows
  let busy = false;

  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
  }

  function minutes(value) {
    const m = Math.round(value);
    return m < 1 ? _("under 1 min") : format(_("{minutes} min"), { minutes: m });
  }

  function drawCountdown() {
    if (state.due || state.away) {
      $("countdown").textContent = state.due ? _("now") : _("paused");
      return;
    }
    const elapsed = ((performance.now() - receivedAt) / 1000) * state.time_scale;
    $("countdown").textContent = clock(state.next_in_s - elapsed);
  }

  function notify(due) {
    if (!state.reminders) return;
    const body = due.kind === "rest"
      ? _("Stand up and walk for a few minutes.")
      : format(_("Try: {name}"), { name: due.name });
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        new Notification(_("Time for a break"), { body, tag: "backcoach-break", lang: window.BackcoachText.lang });
      } catch {
        // some browsers only allow notifications from a service worker: the overlay is enough
      }
    }
    if ($("sound").checked) beep();
  }

  function beep() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = 660;
    gain.gain.setValueAtTime(0.15, ctx.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.6);
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.6);
  }

  function drawOverlay() {
    const due = state.due;
    const overlay = $("break-overlay");
    if (!due) {
      overlay.hidden = true;
      shownDue = null;
      return;
    }
    const key = `${due.kind}:${due.move}`;
    if (shownDue === key) return;
    shownDue = key;
    document.querySelectorAll(".break-move").forEach((el) => {
      el.hidden = el.dataset.move !== due.move;
    });
    $("break-title").textContent = due.kind === "rest"
      ? _("Time for a rest break")
      : format(_("Time for a break: {name}"), { name: due.name });
    $("break-length").textContent = due.kind === "rest"
      ? format(_("About {minutes} minutes"), { minutes: Math.round(due.length_s / 60) })
      : format(_("About {seconds} seconds"), { seconds: Math.round(due.length_s) });
    overlay.hidden = false;
    $("take").focus();
    notify(due);
  }

  function draw() {
    const t = state.today;
    $("count-taken").textContent = t.breaks_taken;
    $("count-snoozed").textContent = t.breaks_snoozed;
    $("count-skipped").textContent = t.breaks_skipped;
    $("count-sitting").textContent = minutes(t.sitting_min);
    $("count-walking").textContent = minutes(t.walking_min);
    $("count-alerts").textContent = t.posture_alerts;
    $("next-kind").textContent = state.due
      ? _("Break due")
      : state.away
        ? _("Break clock")
        : state.next_kind === "rest" ? _("Rest break in") : _("Micro-break in");
    $("away").hidden = state.away;
    $("back").hidden = !state.away;
    $("away-note").hidden = !state.away;
    $("skip").disabled = !state.can_skip;
    $("skips-left").textContent = format(_("Skips left today: {count}"), { count: state.skips_left });
    drawOverlay();
    drawCountdown();
  }

  async function post(path, body) {
    const response = await fetch(`${api}/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || format(_("error {status}"), { status: response.status }));
    return data;
  }

  function showError(message) {
    const el = $("desk-error");
    el.textContent = message || "";
    el.hidden = !message;
  }

  async function call(path, body) {
    if (busy) return;
    busy = true;
    try {
      const data = await post(path, body);
      if (data.due !== undefined) {
        state = data;
        receivedAt = performance.now();
      } else if (data.breaks_taken !== undefined) {
        Object.assign(state.today, data);
      }
      showError(null);
      draw();
    } catch (err) {
      showError(err.message);
    } finally {
      busy = false;
    }
  }

  $("take").addEventListener("click", () => call("take"));
  $("snooze").addEventListener("click", () => call("snooze"));
  $("skip").addEventListener("click", () => call("skip"));
  $("away").addEventListener("click", () => call("away"));
  $("back").addEventListener("click", () => call("back"));
  $("walk-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number($("walk-minutes").value);
    if (value > 0) call("walk", { minutes: value }).then(() => { $("walk-minutes").value = ""; });
  });

  const sound = $("sound");
  sound.checked = localStorage.getItem("backcoach-desk-sound") === "on";
  sound.addEventListener("change", () => {
    localStorage.setItem("backcoach-desk-sound", sound.checked ? "on" : "off");
  });

  if ("Notification" in window && Notification.permission === "default") {
    const button = $("notify");
    button.hidden = false;
    button.addEventListener("click", async () => {
      await Notification.requestPermission();
      button.hidden = Notification.permission !== "default";
    });
  }

  document.addEventListener("keydown", (event) => {
    if ($("break-overlay").hidden) return;
    if (event.key === "Escape") call("snooze");
  });

  async function tick() {
    if (!busy) {
      try {
        state = await post("tick");
        receivedAt = performance.now();
        showError(null);
        draw();
      } catch {
        showError(_("Lost the connection to backcoach. Retrying…"));
      }
    }
    setTimeout(tick, TICK_MS);
  }

  // --- the optional posture camera: pose in this browser, landmarks to the server -----------
  const POSTURE_FPS = 3;
  const STATE_TEXT = {
    upright: _("upright"), slouched: _("slouched"), "forward-head": _("head forward"), absent: _("nobody in view"),
  };
  // An alert comes only for bad posture (vision/posture.py): slouched or head forward.
  const ALERT_TEXT = {
    slouched: _("You have been slouched for a while. Try: {move}."),
    "forward-head": _("You have been head forward for a while. Try: {move}."),
  };
  const toggle = $("posture-toggle");
  const card = $("posture-card");
  const otherwise = card.dataset.cameraOtherwise || "";
  let camera = null; // one PoseCamera for the page, so the model loads once
  let cameraOn = false; // the toggle: true from the click until the camera is turned off
  let pending = [];
  let upright = []; // the last UPRIGHT_S seconds of frames, for the calibration preview's Save
  const UPRIGHT_S = 5;
  let lastSampled = -Infinity;
  let restart = false;
  let sending = false;

  function postureMessage(text) {
    $("posture-message").textContent = text || "";
    $("posture-message").hidden = !text;
  }

  async function sendPosture() {
    if (sending || !pending.length) return;
    sending = true;
    const frames = pending;
    pending = [];
    try {
      const answer = await post("posture", { frames, restart });
      restart = false;
      card.dataset.postureState = answer.state;
      $("posture-state").textContent = answer.calibrating
        ? _("learning your upright posture…")
        : STATE_TEXT[answer.state] || answer.state;
      if (answer.alert && ALERT_TEXT[answer.state]) {
        const text = format(ALERT_TEXT[answer.state], { move: answer.suggestion_name || answer.suggestion });
        postureMessage(text);
        if (state.reminders && "Notification" in window && Notification.permission === "granted") {
          try {
            new Notification(_("Check your posture"), { body: text, tag: "backcoach-posture", lang: window.BackcoachText.lang });
          } catch { /* the message is enough */ }
        }
      }
    } catch (err) {
      postureMessage(format(_("Posture: {problem}"), { problem: err.message }));
    } finally {
      sending = false;
    }
  }

  function stopCamera(message) {
    const wasOn = cameraOn;
    cameraOn = false;
    if (camera) camera.stop(); // also while it is still starting
    pending = [];
    upright = [];
    $("posture-profile").hidden = true;
    toggle.setAttribute("aria-pressed", "false");
    toggle.textContent = _("Watch my posture");
    $("posture-stage").hidden = true;
    $("posture-state").textContent = _("camera off");
    card.dataset.cameraState = "off";
    postureMessage(message);
    if (wasOn) post("posture/stop").catch(() => {});
  }

  function makeCamera(tools) {
    const video = $("posture-video");
    return new tools.PoseCamera({
      video,
      canvas: $("posture-canvas"),
      modelComplexity: 1,
      onPose: (landmarks, t) => {
        if (t - lastSampled < 1 / POSTURE_FPS) return;
        lastSampled = t;
        card.dataset.cameraT = String(t);
        const frame = window.BackcoachFrames.encodeFrame(landmarks, t, video);
        pending.push(frame);
        upright.push(frame);
        upright = upright.filter((f) => f.t_s > t - UPRIGHT_S);
      },
      onStop: (reason) => stopCamera(tools.cameraProblem(reason, otherwise)),
      onModelReady: () => { card.dataset.poseModel = "ready"; },
    });
  }

  async function startCamera() {
    const tools = window.BackcoachCamera;
    if (!tools || !window.BackcoachFrames) {
      postureMessage(format(_("The camera cannot start in this browser. {otherwise}"), { otherwise }));
      return;
    }
    if (!camera) camera = makeCamera(tools);
    cameraOn = true;
    toggle.setAttribute("aria-pressed", "true");
    toggle.textContent = _("Turn the camera off");
    card.dataset.cameraState = "starting";
    postureMessage(camera.modelReady ? _("Starting the camera…") : _("Loading the pose model…"));
    restart = true;
    lastSampled = -Infinity;
    let started;
    try {
      started = await camera.start();
    } catch (err) {
      stopCamera(tools.cameraProblem(err, otherwise));
      return;
    }
    if (!started) return; // turned off meanwhile: stopCamera has set the card
    card.dataset.cameraState = "running";
    $("posture-stage").hidden = false;
    $("posture-profile").hidden = false;
    postureMessage(_("Sit upright and look at your screen for 5 seconds."));
  }

  // The calibration preview: the picture above shows what the camera sees; Save keeps the
  // last seconds as this desk's upright posture (services/posture_profiles.py).
  $("posture-profile").addEventListener("submit", async (event) => {
    event.preventDefault();
    const select = $("posture-profile-name");
    const desk = select.options[select.selectedIndex].text;
    const body = { frames: [], save_upright: { profile: select.value, frames: upright } };
    let problem = null;
    try {
      const response = await fetch(`${api}/posture`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const data = await response.json().catch(() => ({}));
        const detail = Array.isArray(data.detail) ? data.detail[0] && data.detail[0].msg : data.detail;
        problem = detail || format(_("error {status}"), { status: response.status });
      }
    } catch (err) {
      problem = err.message;
    }
    postureMessage(problem
      ? format(_("Not saved: {problem}"), { problem })
      : format(_("Saved: your upright posture at the desk “{desk}”."), { desk }));
  });

  toggle.addEventListener("click", () => {
    if (cameraOn) stopCamera(null);
    else startCamera();
  });
  setInterval(sendPosture, 1000);
  window.addEventListener("pagehide", () => { if (cameraOn) post("posture/stop").catch(() => {}); });

  draw();
  setInterval(drawCountdown, 250);
  setTimeout(tick, 200);
})();
