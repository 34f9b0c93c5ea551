// History charts (Chart.js from our own static files). Every chart also has a table.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  const { _, lang } = window.BackcoachText;
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1c2421";
  Chart.defaults.animation = reduceMotion ? false : { duration: 400 };
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.locale = lang; // tick numbers as the page's language writes them (2.5 / 2,5)
  const BRAND = "#0b5d4b";
  const WARN = "#b35c00";
  const PALETTE = [BRAND, "#1d3f7a", WARN, "#6b2c91", "#a4161a"];

  // A fixed y axis from the server's chart data ({min, max | suggested_max, step, title}),
  // so one point does not stretch the scale to fill the chart.
  function yAxis(axis) {
    return {
      min: axis.min,
      max: axis.max,
      suggestedMax: axis.suggested_max,
      ticks: axis.step ? { stepSize: axis.step } : {},
      title: { display: true, text: axis.title },
    };
  }

  const minutes = document.getElementById("minutes-chart");
  if (minutes) {
    new Chart(minutes, {
      type: "bar",
      data: {
        labels: data.weeks.labels,
        datasets: [{ label: _("Minutes"), data: data.weeks.minutes, backgroundColor: BRAND, borderRadius: 4 }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: yAxis(data.weeks.axis) } },
    });
  }

  const pain = document.getElementById("pain-chart");
  if (pain) {
    new Chart(pain, {
      type: "line",
      data: {
        labels: data.pain.labels,
        datasets: [
          { label: _("Before"), data: data.pain.before, borderColor: WARN, backgroundColor: WARN, spanGaps: true, pointStyle: "circle", pointRadius: 4 },
          { label: _("After"), data: data.pain.after, borderColor: BRAND, backgroundColor: BRAND, spanGaps: true, pointStyle: "rectRot", pointRadius: 5, borderDash: [6, 4] },
        ],
      },
      options: { scales: { y: yAxis(data.pain.axis) } },
    });
  }

  // The series of a questionnaire's chart are its score keys (presenters/history.py).
  const SERIES = {
    total: _("total"), pain: _("pain"), interference: _("interference"), psychosocial: _("psychosocial"),
  };
  document.querySelectorAll("canvas.score-chart").forEach((canvas) => {
    const q = data.questionnaires[canvas.dataset.name];
    if (!q) return;
    const datasets = Object.entries(q.series).map(([key, values], i) => ({
      label: SERIES[key] || key,
      data: values,
      borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length],
      spanGaps: true,
      pointRadius: 4,
    }));
    new Chart(canvas, { type: "line", data: { labels: q.labels, datasets }, options: { scales: { y: yAxis(q.axis) } } });
  });
});
