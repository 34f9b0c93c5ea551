"""A whole session, played in Chromium at the tests' time scale: at every step the figure
shows the keyframe the server names, and the figure, its caption and the side text agree."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

from backcoach.coach.pose import keyframe_side, mirrored_name
from backcoach.content import default_catalog
from tests.e2e.live_server import LiveServer
from tests.e2e.test_web_session import run_to_the_end, start_session

pytestmark = pytest.mark.browser


#: Records what the figure shows each time the server's pose changes it, with the step, the
#: activity and the side text at that moment (a MutationObserver: nothing slips by unseen).
POSE_TRACE = """
document.addEventListener("DOMContentLoaded", () => {
  const player = document.getElementById("player");
  const stage = document.getElementById("stage-figure");
  if (!player || !stage) return;
  const seen = [];
  window.__posesShown = seen;
  const note = () => {
    const svg = stage.querySelector("svg.bc-figure");
    if (!svg || svg.dataset.poseName === undefined || player.dataset.status !== "running") return;
    if (svg.dataset.stale === "true") return; // the last step's figure, faded, while this one loads
    const label = stage.querySelector(".figure-caption");
    const row = {
      step: Number(player.dataset.stepIndex),
      activity: player.dataset.activity,
      exercise: svg.dataset.exercise,
      stepExercise: player.dataset.exercise,
      keyframe: Number(svg.dataset.poseKeyframe),
      name: svg.dataset.poseName,
      mirrored: svg.dataset.mirrored === "true",
      caption: label ? label.textContent : "",
      side: document.getElementById("set-label").textContent,
    };
    const last = seen[seen.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(row)) seen.push(row);
  };
  new MutationObserver(note).observe(player, {
    attributes: true, subtree: true,
    attributeFilter: ["data-pose-name", "data-pose-keyframe", "data-mirrored", "data-activity"],
  });
});
"""


def test_a_whole_session_shows_the_pose_the_server_names_at_every_step(
    page: Page, live_server: LiveServer
) -> None:
    page.add_init_script(POSE_TRACE)
    planned = start_session(page, live_server)
    seen_steps = run_to_the_end(page)
    assert seen_steps == list(range(len(planned)))
    rows: list[dict[str, Any]] = page.evaluate("window.__posesShown")

    catalog = default_catalog()
    steps_with_a_pose = {row["step"] for row in rows}
    assert steps_with_a_pose == set(range(len(planned))), "a step never showed its pose"
    for row in rows:
        # the figure drawn is the current step's exercise
        assert row["exercise"] == row["stepExercise"], row
        exercise = catalog.exercise(row["exercise"])
        assert planned[row["step"]].startswith(exercise.name), (planned, row)
        keyframe = exercise.keyframes[row["keyframe"]]
        # the figure's name is the keyframe's, its sides swapped when drawn mirrored
        expected = mirrored_name(keyframe.name) if row["mirrored"] else keyframe.name
        assert row["name"] == expected, row
        # the caption under the figure says the same
        assert row["caption"].endswith(row["name"]), row
        # the side the text names is the side of the limbs the figure and caption name
        side_words = re.findall(r"\b(Left|Right) side\b", row["side"])
        named = keyframe_side(row["name"])
        if side_words and named is not None:
            assert named.value == side_words[0].lower(), row
        # a hold shows a held keyframe, still: never the start position of a lift
        if row["activity"] == "hold" and exercise.kind.value == "reps":
            assert row["keyframe"] != 0, row
