// Live camera coaching in the browser. The video never leaves this page: BlazePose
// (@mediapipe/pose, served from our own /static/vendor) finds the 33 landmarks here, and only
// those numbers go to the local server over a WebSocket. The server answers with the count,
// the hold time and form cues, which we show big and speak (rate-limited, muted with Voice).
"use strict";

(function () {
  const { _, format } = window.BackcoachText;
  const VENDOR = "/static/vendor/mediapipe-pose";
  const CUE_GAP_MS = 4000; // at most one spoken cue every 4 s ...
  const SAME_CUE_GAP_MS = 12000; // ... and the same cue again only after 12 s
  const MAX_BUFFERED = 64 * 1024; // skip frames while the socket is backed up
  const EDGES = [
    [11, 12], [11, 13], [13, 15], [12, 14], [14, 16], [11, 23], [12, 24], [23, 24],
    [23, 25], [25, 27], [27, 29], [29, 31], [27, 31], [24, 26], [26, 28], [28, 30], [30, 32], [28, 32],
    [0, 2], [0, 5], [2, 7], [5, 8],
  ];
  const JOINTS = {
    head: [0], shoulders: [11, 12], elbows: [13, 14], wrists: [15, 16],
    hips: [23, 24], knees: [25, 26], ankles: [27, 28],
  };
  const VISIBLE = 0.5;
  // What a session offers without the camera (pages pass their own words in data-camera-otherwise).
  const PANEL_OTHERWISE = _("Carry on with the buttons.");
  const STARTING = _("Starting the camera…");
  const LOADING = _("Loading the pose model…");
  const TURN_OFF = _("Turn the camera off");

  // What went wrong, in words, followed by what the page still offers without the camera
  // (`otherwise`: the session's buttons, the desk's break clock, ...), which the page passes in.
  function cameraProblem(err, otherwise) {
    const name = err && err.name;
    const code = err && err.message;
    let problem = _("The camera could not start.");
    if (name === "NotAllowedError" || name === "SecurityError") {
      problem = _("Camera permission was denied: you can allow it in the browser's site settings.");
    } else if (name === "NotFoundError" || name === "OverconstrainedError") {
      problem = _("No camera was found: plug one in and try again.");
    } else if (name === "NotReadableError" || name === "AbortError") {
      problem = _("The camera is busy in another app: close it there and try again.");
    } else if (code === "no-media") {
      problem = _("This browser cannot use a camera here.");
    } else if (code === "pose-failed") {
      problem = _("The pose model could not start in this browser.");
    } else if (code === "camera-ended") {
      problem = _("The camera stopped: turn it on again when it is back.");
    } else if (code === "pose-stopped") {
      problem = _("The pose model stopped working.");
    }
    return otherwise ? `${problem} ${otherwise}` : problem;
  }

  // Which joint groups the camera sees well (for the camera check and hints).
  function visibleJoints(landmarks) {
    const out = {};
    for (const [name, ids] of Object.entries(JOINTS)) {
      out[name] = !!landmarks && ids.some((i) => (landmarks[i].visibility || 0) >= VISIBLE);
    }
    return out;
  }

  function drawSkeleton(canvas, video, landmarks) {
    const ctx = canvas.getContext("2d");
    if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
    }
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!landmarks) return;
    const w = canvas.width;
    const h = canvas.height;
    const scale = Math.max(2, Math.round(w / 200));
    ctx.lineWidth = scale;
    ctx.strokeStyle = "#3ee0b0";
    for (const [a, b] of EDGES) {
      const p = landmarks[a];
      const q = landmarks[b];
      if ((p.visibility || 0) < VISIBLE || (q.visibility || 0) < VISIBLE) continue;
      ctx.beginPath();
      ctx.moveTo(p.x * w, p.y * h);
      ctx.lineTo(q.x * w, q.y * h);
      ctx.stroke();
    }
    for (let i = 11; i < 33; i += 1) {
      const p = landmarks[i];
      if ((p.visibility || 0) < VISIBLE) continue;
      ctx.fillStyle = "#ffffff";
      ctx.beginPath();
      ctx.arc(p.x * w, p.y * h, scale * 1.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  // The camera + in-browser pose loop. Calls onPose(landmarks | null, t_s) for each frame it
  // analyses, onStop(reason) when the camera ends or the model fails while running (word the
  // reason with cameraProblem), and onModelReady() once the pose model has loaded.
  //
  // start() can be cancelled: every start() and stop() begins a new generation, and a start()
  // that finds itself overtaken (after loading the model, opening the camera or playing it)
  // releases what it opened and resolves false, so turning the camera off while the model
  // loads leaves nothing running.
  class PoseCamera {
    constructor({ video, canvas, modelComplexity, cpuInference, onPose, onStop, onModelReady }) {
      this.video = video;
      this.canvas = canvas;
      this.modelComplexity = modelComplexity;
      this.cpuInference = cpuInference !== false;
      this.onPose = onPose;
      this.onStop = onStop;
      this.onModelReady = onModelReady || (() => {});
      this.pose = null;
      this.loading = null; // the model loads once, for every start()
      this.warming = false;
      this.stream = null;
      this.running = false;
      this.generation = 0;
      this.busy = false;
      this.t0 = null;
      this.frameT = 0;
      this.analysed = 0;
    }

    get modelReady() {
      return this.pose !== null;
    }

    // Resolves true once the camera runs, false when stop() (or another start()) came first;
    // rejects when the camera or the model cannot start.
    async start() {
      this.stop();
      const generation = this.generation;
      try {
        return await this.open(generation);
      } catch (err) {
        if (generation !== this.generation) return false; // turned off meanwhile: nothing to say
        this.release();
        throw err;
      }
    }

    async open(generation) {
      const current = () => generation === this.generation;
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no-media");
      if (typeof window.Pose !== "function") throw new Error("pose-failed");
      await this.loadModel();
      if (!current()) return false;
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
        audio: false,
      });
      if (!current()) {
        stream.getTracks().forEach((track) => track.stop());
        return false;
      }
      this.stream = stream;
      for (const track of stream.getVideoTracks()) {
        track.addEventListener("ended", () => {
          if (this.stream === stream) this.stopped(new Error("camera-ended"));
        });
      }
      this.video.srcObject = stream;
      await this.video.play();
      if (!current()) return false; // stop() has released the stream
      this.running = true;
      this.t0 = null;
      this.schedule(generation);
      return true;
    }

    loadModel() {
      if (!this.loading) {
        this.loading = this.createModel().catch((err) => {
          this.loading = null; // the next start() tries again
          throw err;
        });
      }
      return this.loading;
    }

    async createModel() {
      const pose = new window.Pose({ locateFile: (file) => `${VENDOR}/${file}` });
      pose.setOptions({
        modelComplexity: this.modelComplexity,
        smoothLandmarks: true,
        enableSegmentation: false,
        minDetectionConfidence: 0.5,
        minTrackingConfidence: 0.5,
        // CPU (XNNPACK in WebAssembly) inference: works the same without a GPU, where
        // WebGL inference on a software renderer is many times slower.
        useCpuInference: this.cpuInference,
      });
      pose.onResults((results) => this.results(results));
      try {
        await pose.initialize();
        // Warm the model up on a blank picture, so the first camera frames are not lost.
        const blank = document.createElement("canvas");
        blank.width = 64;
        blank.height = 64;
        this.warming = true;
        await pose.send({ image: blank });
      } catch (err) {
        throw new Error("pose-failed", { cause: err });
      } finally {
        this.warming = false;
      }
      this.pose = pose;
      this.onModelReady();
    }

    schedule(generation) {
      if (!this.running || generation !== this.generation) return;
      const next = (now) => this.frame(now, generation);
      if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
        this.video.requestVideoFrameCallback(next);
      } else {
        requestAnimationFrame(next);
      }
    }

    async frame(now, generation) {
      if (!this.running || generation !== this.generation) return;
      if (!this.busy && this.video.readyState >= 2) {
        if (this.t0 === null) this.t0 = now;
        this.frameT = (now - this.t0) / 1000;
        this.busy = true;
        try {
          await this.pose.send({ image: this.video });
        } catch (err) {
          this.busy = false;
          if (generation === this.generation) this.stopped(new Error("pose-stopped", { cause: err }));
          return;
        }
        this.busy = false;
      }
      this.schedule(generation);
    }

    results(results) {
      if (this.warming || !this.running) return;
      const landmarks = results.poseLandmarks || null;
      this.analysed += 1;
      drawSkeleton(this.canvas, this.video, landmarks);
      this.onPose(landmarks, this.frameT);
    }

    stopped(reason) {
      if (!this.running) return;
      this.stop();
      this.onStop(reason);
    }

    // Turn the camera off, also while start() is still on its way.
    stop() {
      this.generation += 1;
      this.release();
    }

    release() {
      this.running = false;
      if (this.stream) this.stream.getTracks().forEach((track) => track.stop());
      this.stream = null;
      this.video.srcObject = null;
      const ctx = this.canvas.getContext("2d");
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    }
  }

  // The coaching panel: camera, socket to /ws/coach/{id} or /ws/practice/{id}, cues.
  //
  // In a guided session (data-in-session="yes") the player owns the one rep count and the one
  // hold timer: the camera only drives the session's engine on the server, and this panel shows
  // the camera, the skeleton and the form cues; when the camera changed the session, the player
  // is told to redraw from the server. Practising alone, the panel keeps its own count: what
  // earlier connections counted (turning the camera off and on, a dropped connection) plus this
  // connection's count, corrected with +1 and -1 and set back to zero with Reset.
  class CoachPanel {
    // otherwise: what the page offers without the camera, said after every camera problem.
    constructor(panel, { otherwise = PANEL_OTHERWISE } = {}) {
      this.panel = panel;
      this.otherwise = otherwise;
      this.wsPath = panel.dataset.ws;
      this.kind = panel.dataset.kind || "reps";
      this.inSession = panel.dataset.inSession === "yes";
      this.voiceOn = panel.dataset.voice !== "off";
      this.$ = (sel) => panel.querySelector(sel);
      this.ws = null;
      this.wantSocket = false;
      this.retry = 0;
      this.retryTimer = null;
      this.sent = 0;
      this.started = false; // the camera has run on this page
      // Practice: this connection's count and held time, and what is carried over.
      this.lastReps = 0;
      this.lastHold = 0;
      this.baseReps = 0;
      this.baseHold = 0;
      this.sessionReps = null; // session: the engine's count as the camera last heard it
      this.lastCueAt = -Infinity;
      this.cueTimes = new Map();
      this.camera = new PoseCamera({
        video: this.$(".camera-video"),
        canvas: this.$(".camera-overlay"),
        modelComplexity: Number(panel.dataset.model || "1"),
        onPose: (landmarks, t) => this.send(landmarks, t),
        onStop: (reason) => this.fail(cameraProblem(reason, this.otherwise)),
        onModelReady: () => {
          panel.dataset.poseModel = "ready";
          if (panel.dataset.cameraState === "starting") this.message(STARTING);
        },
      });
      const on = (sel, fn) => { const button = this.$(sel); if (button) button.addEventListener("click", fn); };
      on(".camera-plus", () => this.adjust(1));
      on(".camera-minus", () => this.adjust(-1));
      on(".camera-reset", () => this.resetCount());
      this.setState("off");
    }

    setState(state) {
      this.panel.dataset.cameraState = state;
      const idle = state === "off" || state === "error";
      // Practising, the count stays in view once the camera has run, to carry on or correct.
      this.$(".camera-stage").hidden = idle && (this.inSession || !this.started);
      this.$(".camera-view").hidden = idle;
    }

    message(text, isError) {
      const box = this.$(".camera-message");
      box.textContent = text || "";
      box.hidden = !text;
      box.classList.toggle("field-error", !!isError);
    }

    // Resolves "running", "failed" (the message says why) or "cancelled" (stop() came first
    // and has already set the panel to off).
    async start() {
      this.setState("starting");
      this.message(this.camera.modelReady ? STARTING : LOADING);
      let started;
      try {
        started = await this.camera.start();
      } catch (err) {
        this.fail(cameraProblem(err, this.otherwise));
        return "failed";
      }
      if (!started) return "cancelled";
      this.started = true;
      this.wantSocket = true;
      this.connect();
      this.setState("running");
      this.message("");
      return "running";
    }

    stop() {
      this.closeSocket();
      this.camera.stop();
      this.setState("off");
      this.message("");
    }

    fail(text) {
      this.closeSocket();
      this.camera.stop();
      this.setState("error");
      this.message(text, true);
      this.panel.dispatchEvent(new CustomEvent("camera-failed", { detail: text }));
    }

    closeSocket() {
      this.wantSocket = false;
      clearTimeout(this.retryTimer);
      if (this.ws) this.ws.close(1000);
      this.ws = null;
      this.carryOver();
    }

    // A connection ended: what it counted stays in the practice count (the next one starts at 0).
    carryOver() {
      this.baseReps += this.lastReps;
      this.baseHold += this.lastHold;
      this.lastReps = 0;
      this.lastHold = 0;
    }

    get count() {
      return Math.max(0, this.baseReps + this.lastReps);
    }

    get heldTime() {
      return Math.max(0, this.baseHold + this.lastHold);
    }

    adjust(step) {
      if (step < 0 && this.count === 0) return;
      this.baseReps += step;
      this.showCount();
    }

    resetCount() {
      this.baseReps = -this.lastReps;
      this.baseHold = -this.lastHold;
      this.showCount();
      if (this.kind === "hold") this.showHold(0, false);
    }

    showCount() {
      const box = this.$(".camera-count");
      if (!box) return;
      box.textContent = String(this.count);
      this.panel.dataset.reps = String(this.count);
    }

    showHold(seconds, paused) {
      const timer = this.$(".camera-hold");
      if (!timer) return;
      timer.hidden = !(seconds > 0 || paused);
      timer.textContent = format(_("{seconds} s"), { seconds: Math.floor(seconds || 0) });
      timer.classList.toggle("paused", !!paused);
    }

    connect() {
      if (!this.wantSocket || this.ws) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}${this.wsPath}`);
      this.ws = ws;
      this.panel.dataset.feedbacks = "0"; // answers on this connection
      ws.addEventListener("open", () => { this.retry = 0; this.message(""); });
      ws.addEventListener("message", (event) => { if (this.ws === ws) this.receive(JSON.parse(event.data)); });
      ws.addEventListener("close", (event) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.carryOver();
        if (!this.wantSocket) return;
        if (event.code === 1008) {
          this.message(format(_("The coach refused this connection. {otherwise}"), { otherwise: this.otherwise }), true);
          return;
        }
        this.message(_("Lost the connection to the coach. Retrying…"), true);
        this.retry = Math.min(this.retry + 1, 5);
        this.retryTimer = setTimeout(() => this.connect(), 500 * this.retry);
      });
    }

    send(landmarks, t) {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED) return;
      const frame = { type: "frame", ...window.BackcoachFrames.encodeFrame(landmarks, t, this.camera.video) };
      ws.send(JSON.stringify(frame));
      this.sent += 1;
      this.panel.dataset.framesSent = String(this.sent);
      this.panel.dataset.cameraT = String(frame.t_s);
      const seen = visibleJoints(landmarks);
      this.panel.dataset.person = landmarks ? "yes" : "no";
      const missing = Object.entries(seen).filter(([, ok]) => !ok).map(([name]) => name);
      this.panel.dataset.missing = missing.join(" ");
    }

    receive(msg) {
      if (msg.type === "error") {
        this.panel.dataset.lastError = msg.code;
        return;
      }
      if (msg.type === "hello") {
        this.showExercise(msg);
        return;
      }
      if (msg.type !== "feedback") return;
      this.panel.dataset.feedbacks = String(Number(this.panel.dataset.feedbacks || "0") + 1);
      if (msg.exercise !== this.panel.dataset.exercise) this.showExercise(msg);
      if (this.inSession) this.followSession(msg);
      else this.countPractice(msg);
      const cue = this.inSession || !msg.hold_paused
        ? msg.cue
        : format(_("Hold paused: {reason}"), { reason: msg.pause_reason || _("get back into position") });
      const hint = msg.hint;
      this.$(".camera-cue").textContent = cue || hint || "";
      if (cue) this.say(cue);
      else if (hint) this.say(hint);
      if (msg.session_finished) {
        this.stop();
        this.message(_("The session is over: the camera is off."));
        this.panel.dispatchEvent(new CustomEvent("camera-stopped"));
      }
    }

    // Session: no count here. Say the session's count when the camera counted, and have the
    // player redraw from the server whenever the camera changed the session.
    followSession(msg) {
      this.panel.dataset.pausedByCamera = msg.paused_by_camera ? "yes" : "no";
      const reps = msg.session_reps;
      if (msg.session_changed && this.sessionReps !== null && reps > this.sessionReps) this.say(String(reps), true);
      this.sessionReps = reps;
      if (msg.session_changed || msg.step_done) {
        // detail: whether the camera paused the session, and why (with the seconds left).
        const detail = { pausedByCamera: !!msg.paused_by_camera, reason: msg.paused_by_camera ? msg.cue : null };
        document.dispatchEvent(new CustomEvent("backcoach:camera-update", { detail }));
      }
    }

    countPractice(msg) {
      const before = this.count;
      this.lastReps = msg.reps;
      this.showCount();
      if (this.count > before) this.say(String(this.count), true);
      if (this.kind === "hold") {
        this.lastHold = msg.hold_total_s || 0;
        this.showHold(this.heldTime, msg.hold_paused);
      } else {
        this.showHold(msg.hold_s, msg.hold_paused);
      }
      this.panel.dataset.holdPaused = msg.hold_paused ? "yes" : "no";
    }

    showExercise(msg) {
      this.panel.dataset.exercise = msg.exercise;
      if (msg.kind) {
        this.kind = msg.kind;
        this.panel.dataset.kind = msg.kind;
      }
      if (!this.inSession) this.showCount();
      const checks = msg.camera_checks !== false;
      this.$(".camera-not-checked").hidden = checks;
    }

    say(text, urgent) {
      if (!this.voiceOn || !text || !("speechSynthesis" in window)) return;
      const now = performance.now();
      if (!urgent) {
        if (now - this.lastCueAt < CUE_GAP_MS) return;
        if (now - (this.cueTimes.get(text) || -Infinity) < SAME_CUE_GAP_MS) return;
        this.lastCueAt = now;
        this.cueTimes.set(text, now);
      }
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = window.BackcoachText.lang;
      window.speechSynthesis.speak(utterance);
    }
  }

  // --- wiring the panels on a page --------------------------------------------------
  const CHECKED_KEY = "backcoach-camera-checked";

  // Saves go out one after the other, so a quick on-then-off is stored as off.
  let saving = Promise.resolve();
  function savePreference(on) {
    saving = saving.then(() => fetch("/api/v1/preferences", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ camera: on }),
    })).catch(() => { /* the toggle still works for this visit */ });
    return saving;
  }

  async function loadPreferences() {
    try {
      const response = await fetch("/api/v1/preferences", { headers: { Accept: "application/json" } });
      return response.ok ? await response.json() : {};
    } catch {
      return {};
    }
  }

  // ?camera=on asks a page to start its camera by itself (the camera check's "Looks good,
  // continue" comes back with it). Read once and taken out of the address, so a reload or a
  // bookmark does not ask again.
  const START_FLAG = "camera";
  function takeStartFlag() {
    const url = new URL(location.href);
    if (url.searchParams.get(START_FLAG) !== "on") return false;
    url.searchParams.delete(START_FLAG);
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    return true;
  }

  // This page again, asking for its camera: where the camera check continues to.
  function backWithCamera() {
    const url = new URL(location.href);
    url.searchParams.set(START_FLAG, "on");
    return `/camera-check?next=${encodeURIComponent(url.pathname + url.search)}`;
  }

  async function wire(panel) {
    const asked = takeStartFlag();
    const coach = new CoachPanel(panel, { otherwise: panel.dataset.cameraOtherwise || PANEL_OTHERWISE });
    const checkLink = panel.querySelector(".camera-check-link");
    if (checkLink) checkLink.href = backWithCamera();
    const toggle = panel.querySelector(".camera-toggle");
    const label = panel.querySelector(".camera-toggle-label");
    const offLabel = label.textContent;
    const remember = panel.dataset.remember === "on";
    const setPressed = (on) => {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      label.textContent = on ? TURN_OFF : offLabel;
    };
    // Resolves as coach.start() does, or "checking" when the camera check comes first.
    async function turnOn() {
      if (localStorage.getItem(CHECKED_KEY) !== "yes") {
        // First time: the camera check explains where to put the laptop.
        location.href = backWithCamera();
        return "checking";
      }
      setPressed(true);
      return coach.start(); // a failure unpresses the toggle through "camera-failed"
    }
    toggle.addEventListener("click", async () => {
      if (toggle.getAttribute("aria-pressed") !== "true") {
        // Remember "on" only once the camera really runs: a camera that failed (or was
        // turned off again while it started) must not be switched on by every later page.
        if ((await turnOn()) === "running" && remember) savePreference(true);
      } else {
        coach.stop();
        setPressed(false);
        if (remember) savePreference(false);
      }
    });
    panel.addEventListener("camera-failed", () => setPressed(false));
    panel.addEventListener("camera-stopped", () => setPressed(false));
    // Voice: follow the page's Voice button if it has one, else the stored preference.
    const voiceButton = document.getElementById("voice");
    if (voiceButton) {
      const follow = () => { coach.voiceOn = voiceButton.getAttribute("aria-pressed") === "true"; };
      follow();
      new MutationObserver(follow).observe(voiceButton, { attributes: true, attributeFilter: ["aria-pressed"] });
    }
    const prefs = await loadPreferences();
    if (!voiceButton && typeof prefs.voice === "boolean") coach.voiceOn = prefs.voice;
    const untouched = panel.dataset.cameraState === "off" && toggle.getAttribute("aria-pressed") !== "true";
    const wanted = asked || (remember && prefs.camera === true);
    if (wanted && untouched && localStorage.getItem(CHECKED_KEY) === "yes") {
      if ((await turnOn()) === "running" && remember && asked) savePreference(true);
    }
    panel.dataset.ready = "true";
  }

  // --- the camera check screen ------------------------------------------------------
  function wireCheck(root) {
    const $ = (id) => document.getElementById(id);
    const otherwise = root.dataset.cameraOtherwise || "";
    const camera = new PoseCamera({
      video: $("check-video"),
      canvas: $("check-canvas"),
      modelComplexity: 1,
      onPose: (landmarks) => {
        root.dataset.person = landmarks ? "yes" : "no";
        for (const [name, seen] of Object.entries(visibleJoints(landmarks))) {
          const item = root.querySelector(`[data-joint="${name}"]`);
          if (!item) continue;
          item.dataset.visible = seen ? "yes" : "no";
          item.querySelector(".joint-state").textContent = seen ? _("in view") : _("not seen");
        }
      },
      onStop: (reason) => fail(cameraProblem(reason, otherwise)),
      onModelReady: () => { root.dataset.poseModel = "ready"; },
    });
    // One button starts and stops the camera; its words say what pressing it does now.
    const toggle = $("check-start");
    const setPressed = (on) => {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? _("Stop the camera") : _("Start the camera");
    };
    function fail(message) {
      root.dataset.cameraState = "error";
      setPressed(false);
      $("check-stage").hidden = true;
      $("check-message").textContent = message;
      $("check-message").hidden = false;
    }
    function stop() {
      camera.stop();
      root.dataset.cameraState = "off";
      setPressed(false);
      $("check-stage").hidden = true;
      $("check-message").hidden = true;
    }
    async function start() {
      root.dataset.cameraState = "starting";
      setPressed(true); // pressing again while it starts turns it off
      $("check-message").textContent = STARTING;
      $("check-message").hidden = false;
      let started;
      try {
        started = await camera.start();
      } catch (err) {
        fail(cameraProblem(err, otherwise));
        return;
      }
      if (!started) return; // stopped (or started again) meanwhile: that owns the screen
      root.dataset.cameraState = "running";
      $("check-message").hidden = true;
      $("check-stage").hidden = false;
    }
    toggle.addEventListener("click", () => {
      if (toggle.getAttribute("aria-pressed") === "true") stop();
      else start();
    });
    $("check-done").addEventListener("click", () => {
      localStorage.setItem(CHECKED_KEY, "yes");
      camera.stop();
    });
    root.dataset.ready = "true";
  }

  function wireAll() {
    document.querySelectorAll(".camera-panel").forEach((panel) => wire(panel));
    const check = document.getElementById("camera-check");
    if (check) wireCheck(check);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireAll);
  else wireAll();

  window.BackcoachCamera = { PoseCamera, CoachPanel, visibleJoints, cameraProblem, drawSkeleton, CHECKED_KEY };
})();
