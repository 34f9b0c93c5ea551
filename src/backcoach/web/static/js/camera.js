// Live camera coaching in the browser. The video never leaves this page: BlazePose
// (@mediapipe/pose, served from our own /static/vendor) finds the 33 landmarks here, and only
// those numbers go to the local server over a WebSocket. The server answers with the count,
// the hold time and form cues, which we show big and speak (rate-limited, muted with Voice).
"use strict";

(function () {
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
  const PANEL_OTHERWISE = "Carry on with the buttons.";

  // What went wrong, in words, followed by what the page still offers without the camera
  // (`otherwise`: the session's buttons, the desk's break clock, ...), which the page passes in.
  function cameraProblem(err, otherwise) {
    const name = err && err.name;
    const code = err && err.message;
    let problem = "The camera could not start.";
    if (name === "NotAllowedError" || name === "SecurityError") {
      problem = "Camera permission was denied: you can allow it in the browser's site settings.";
    } else if (name === "NotFoundError" || name === "OverconstrainedError") {
      problem = "No camera was found: plug one in and try again.";
    } else if (name === "NotReadableError" || name === "AbortError") {
      problem = "The camera is busy in another app: close it there and try again.";
    } else if (code === "no-media") {
      problem = "This browser cannot use a camera here.";
    } else if (code === "pose-failed") {
      problem = "The pose model could not start in this browser.";
    } else if (code === "camera-ended") {
      problem = "The camera stopped: turn it on again when it is back.";
    } else if (code === "pose-stopped") {
      problem = "The pose model stopped working.";
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

  // The coaching panel: camera, socket to /ws/coach/{id} or /ws/practice/{id}, big count,
  // hold timer, cues. The manual buttons of the page keep working whatever happens here.
  class CoachPanel {
    // otherwise: what the page offers without the camera, said after every camera problem.
    constructor(panel, { otherwise = PANEL_OTHERWISE } = {}) {
      this.panel = panel;
      this.otherwise = otherwise;
      this.wsPath = panel.dataset.ws;
      this.kind = panel.dataset.kind || "reps";
      this.voiceOn = panel.dataset.voice !== "off";
      this.$ = (sel) => panel.querySelector(sel);
      this.ws = null;
      this.wantSocket = false;
      this.retry = 0;
      this.retryTimer = null;
      this.sent = 0;
      this.lastReps = 0;
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
          if (panel.dataset.cameraState === "starting") this.message("Starting the camera…");
        },
      });
      this.setState("off");
    }

    setState(state) {
      this.panel.dataset.cameraState = state;
      this.$(".camera-stage").hidden = state === "off" || state === "error";
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
      this.message(this.camera.modelReady ? "Starting the camera…" : "Loading the pose model…");
      let started;
      try {
        started = await this.camera.start();
      } catch (err) {
        this.fail(cameraProblem(err, this.otherwise));
        return "failed";
      }
      if (!started) return "cancelled";
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
    }

    connect() {
      if (!this.wantSocket || this.ws) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}${this.wsPath}`);
      this.ws = ws;
      ws.addEventListener("open", () => { this.retry = 0; this.message(""); });
      ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
      ws.addEventListener("close", (event) => {
        if (this.ws !== ws) return;
        this.ws = null;
        if (!this.wantSocket) return;
        if (event.code === 1008) {
          this.message(`The coach refused this connection. ${this.otherwise}`, true);
          return;
        }
        this.message("Lost the connection to the coach. Retrying…", true);
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
        this.lastReps = msg.reps || 0;
        this.showExercise(msg);
        return;
      }
      if (msg.type !== "feedback") return;
      this.panel.dataset.feedbacks = String(Number(this.panel.dataset.feedbacks || "0") + 1);
      if (msg.exercise !== this.panel.dataset.exercise) {
        this.lastReps = 0;
        this.showExercise(msg);
      }
      this.panel.dataset.reps = String(msg.reps);
      this.$(".camera-count").textContent = String(msg.reps);
      const counted = msg.reps > this.lastReps;
      if (counted) this.say(String(msg.reps), true);
      this.lastReps = msg.reps;
      // The session player redraws from the server at once when the camera moved it on.
      if (counted || msg.step_done) document.dispatchEvent(new CustomEvent("backcoach:camera-update"));
      const hold = this.kind === "hold" ? msg.hold_total_s : msg.hold_s;
      const timer = this.$(".camera-hold");
      timer.hidden = !(hold > 0 || msg.hold_paused);
      timer.textContent = `${Math.floor(hold || 0)} s`;
      timer.classList.toggle("paused", !!msg.hold_paused);
      this.panel.dataset.holdPaused = msg.hold_paused ? "yes" : "no";
      const cue = msg.hold_paused ? `Hold paused: ${msg.pause_reason || "get back into position"}` : msg.cue;
      const hint = msg.hint;
      this.$(".camera-cue").textContent = cue || hint || "";
      if (cue) this.say(cue);
      else if (hint) this.say(hint);
      if (msg.session_finished) {
        this.stop();
        this.message("The session is over: the camera is off.");
        this.panel.dispatchEvent(new CustomEvent("camera-stopped"));
      }
    }

    showExercise(msg) {
      this.panel.dataset.exercise = msg.exercise;
      if (msg.kind) {
        this.kind = msg.kind;
        this.panel.dataset.kind = msg.kind;
      }
      this.$(".camera-count").textContent = String(msg.reps || 0);
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

  async function wire(panel) {
    const coach = new CoachPanel(panel, { otherwise: panel.dataset.cameraOtherwise || PANEL_OTHERWISE });
    const toggle = panel.querySelector(".camera-toggle");
    const label = panel.querySelector(".camera-toggle-label");
    const offLabel = label.textContent;
    const remember = panel.dataset.remember === "on";
    const setPressed = (on) => {
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      label.textContent = on ? "Turn the camera off" : offLabel;
    };
    // Resolves as coach.start() does, or "checking" when the camera check comes first.
    async function turnOn() {
      if (localStorage.getItem(CHECKED_KEY) !== "yes") {
        // First time: the camera check explains where to put the laptop.
        location.href = `/camera-check?next=${encodeURIComponent(location.pathname)}`;
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
    if (remember && prefs.camera === true && untouched && localStorage.getItem(CHECKED_KEY) === "yes") {
      await turnOn();
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
          item.querySelector(".joint-state").textContent = seen ? "in view" : "not seen";
        }
      },
      onStop: (reason) => fail(cameraProblem(reason, otherwise)),
      onModelReady: () => { root.dataset.poseModel = "ready"; },
    });
    function fail(message) {
      root.dataset.cameraState = "error";
      $("check-stage").hidden = true;
      $("check-message").textContent = message;
      $("check-message").hidden = false;
    }
    $("check-start").addEventListener("click", async () => {
      root.dataset.cameraState = "starting";
      $("check-message").textContent = "Starting the camera…";
      $("check-message").hidden = false;
      let started;
      try {
        started = await camera.start();
      } catch (err) {
        fail(cameraProblem(err, otherwise));
        return;
      }
      if (!started) return; // pressed again meanwhile: the newer start owns the screen
      root.dataset.cameraState = "running";
      $("check-message").hidden = true;
      $("check-stage").hidden = false;
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
