// Animate a backcoach stick figure between its keyframes.
// The SVG (content/illustration.py) carries, in <script class="bc-keyframes">, the panel-local
// point of every joint for every keyframe; elements name their joints in data-from/data-to
// (lines), data-points (polygon) and data-at (circles). We interpolate joint positions.
"use strict";

(function () {
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const MOVE_MS = 1400;

  function readData(svg) {
    const node = svg.querySelector("script.bc-keyframes");
    return node ? JSON.parse(node.textContent) : null;
  }

  function lerpJoints(a, b, t) {
    const out = {};
    for (const name of Object.keys(a)) {
      const p = a[name];
      const q = b[name] || p;
      out[name] = [p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t];
    }
    return out;
  }

  const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2);

  class FigureAnimator {
    constructor(svg) {
      this.svg = svg;
      this.data = readData(svg);
      this.panel = svg.querySelector(".bc-keyframe");
      this.label = this.panel ? this.panel.querySelector("text.label") : null;
      this.lines = this.panel ? [...this.panel.querySelectorAll("line[data-from]")] : [];
      this.polys = this.panel ? [...this.panel.querySelectorAll("[data-points]")] : [];
      this.dots = this.panel ? [...this.panel.querySelectorAll("circle[data-at]")] : [];
      this.body = this.panel ? this.panel.querySelector("g.body") : null;
      this.width = this.data ? this.data.panel.width : 0;
      this.caption = null; // the server's name for the pose, kept while cycling
      // The caption a person reads: an HTML line under the drawing when the page has one (it
      // keeps the page's text size however small the drawing is scaled), else the SVG label.
      const holder = svg.closest("[data-animate]");
      this.htmlCaption = holder ? holder.querySelector(".figure-caption") : null;
      this.timer = null;
      this.frame = null;
      this.index = 0;
    }

    get frames() {
      return this.data ? this.data.keyframes : [];
    }

    pose(joints) {
      this.current = joints; // where the figure is drawn now, mid-move included
      for (const el of this.lines) {
        const a = joints[el.dataset.from];
        const b = joints[el.dataset.to];
        if (!a || !b) continue;
        el.setAttribute("x1", a[0].toFixed(2));
        el.setAttribute("y1", a[1].toFixed(2));
        el.setAttribute("x2", b[0].toFixed(2));
        el.setAttribute("y2", b[1].toFixed(2));
      }
      for (const el of this.polys) {
        const pts = el.dataset.points.split(" ").map((n) => joints[n]).filter(Boolean);
        el.setAttribute("points", pts.map((p) => `${p[0].toFixed(2)},${p[1].toFixed(2)}`).join(" "));
      }
      for (const el of this.dots) {
        const p = joints[el.dataset.at];
        if (!p) continue;
        el.setAttribute("cx", p[0].toFixed(2));
        el.setAttribute("cy", p[1].toFixed(2));
      }
    }

    showLabel(i, name) {
      const text = `${i + 1} · ${name || this.frames[i].name}`;
      if (this.label) this.label.textContent = text;
      if (this.htmlCaption) this.htmlCaption.textContent = text;
    }

    // Draw the figure left-right mirrored (the other side of a one-sided drawing). An SVG
    // transform attribute, not a style: the page's CSP allows no inline styles in markup.
    mirror(on) {
      if (this.body) {
        if (on) this.body.setAttribute("transform", `translate(${this.width} 0) scale(-1 1)`);
        else this.body.removeAttribute("transform");
      }
      this.svg.dataset.mirrored = on ? "true" : "false";
    }

    // Show the pose the server chose ({keyframe, name, mirrored, moving, cycle}): move to its
    // keyframe over ms milliseconds, or, while moving with a cycle, round those keyframes.
    show(pose, ms) {
      if (!pose || !this.frames[pose.keyframe]) return;
      this.stop();
      this.mirror(pose.mirrored);
      this.svg.dataset.poseKeyframe = String(pose.keyframe);
      this.svg.dataset.poseName = pose.name;
      this.caption = pose.name;
      this.showLabel(pose.keyframe, pose.name);
      const cycle = (pose.cycle || []).filter((i) => this.frames[i]);
      if (pose.moving && cycle.length > 1) {
        this.loop(cycle); // reduced motion: loop() draws nothing new, the last pose stays
        if (reduceMotion.matches) this.moveTo(pose.keyframe, 0);
        return;
      }
      if (pose.moving && this.index === pose.keyframe && pose.keyframe !== 0) {
        // the next rep: down to the start position and up again in the time given
        this.moveTo(0, ms / 2, () => this.moveTo(pose.keyframe, ms / 2));
        return;
      }
      this.moveTo(pose.keyframe, pose.moving ? ms : Math.min(ms, 300));
    }

    // Move from the current keyframe to keyframe i over ms milliseconds.
    moveTo(i, ms, done) {
      cancelAnimationFrame(this.frame);
      // from where the figure is now: a new pose mid-move carries on without a jump
      const from = this.current || this.frames[this.index].joints;
      const to = this.frames[i].joints;
      if (!this.caption) this.showLabel(i);
      if (reduceMotion.matches || ms <= 0) {
        this.pose(to);
        this.index = i;
        if (done) done();
        return;
      }
      const start = performance.now();
      const stepFn = (now) => {
        const t = Math.min(1, (now - start) / ms);
        this.pose(lerpJoints(from, to, ease(t)));
        if (t < 1) {
          this.frame = requestAnimationFrame(stepFn);
        } else {
          this.index = i;
          if (done) done();
        }
      };
      this.frame = requestAnimationFrame(stepFn);
    }

    // Loop through the keyframes (all, or the indexes given), holding each for its hold time
    // (at least a moment).
    loop(order) {
      this.stop();
      const frames = order || this.frames.map((_, i) => i);
      if (frames.length < 2 || reduceMotion.matches) return;
      const next = () => {
        const at = frames.indexOf(this.index);
        const i = frames[(at + 1) % frames.length];
        this.moveTo(i, MOVE_MS, () => {
          const holdMs = Math.max(600, (this.frames[i].hold_s || 0) * 1000);
          this.timer = setTimeout(next, holdMs);
        });
      };
      this.timer = setTimeout(next, 600);
    }

    stop() {
      clearTimeout(this.timer);
      cancelAnimationFrame(this.frame);
    }
  }

  window.BackcoachFigure = FigureAnimator;

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-animate='loop'] svg.bc-figure").forEach((svg) => {
      const animator = new FigureAnimator(svg);
      svg.backcoachAnimator = animator;
      animator.loop();
    });
  });
})();
