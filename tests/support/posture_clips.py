"""The labelled seconds of the shared sitting-posture clips, and agreement with them.

Labels are those of ``../shared/data/MANIFEST.md`` ("Sitting posture with a
slouch"). A labelled second counts when it lies wholly inside one labelled
stretch; the monitor's state is read at its middle::

    from tests.support.posture_clips import POSTURE_CLIPS, agreement

    for clip in POSTURE_CLIPS:
        per_state = agreement(clip, timeline)  # {"upright": (agreeing, labelled), ...}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FOLDER = "posture-clips"


@dataclass(frozen=True)
class Stretch:
    start_s: float
    end_s: float
    state: str


@dataclass(frozen=True)
class PostureClip:
    name: str
    file_name: str
    stretches: tuple[Stretch, ...]
    notes: str = ""

    def file(self, data: Path) -> Path:
        return data / FOLDER / self.file_name

    def labelled_seconds(self) -> list[tuple[float, str]]:
        """(middle of the second, label) for each whole second inside one stretch."""
        out: list[tuple[float, str]] = []
        for stretch in self.stretches:
            first = math.ceil(stretch.start_s - 1e-9)
            last = math.floor(stretch.end_s + 1e-9)
            out.extend((second + 0.5, stretch.state) for second in range(first, last))
        return out


POSTURE_CLIPS: tuple[PostureClip, ...] = (
    PostureClip(
        "slouchingornot",
        "slouchingornot_M_upright_then_slouch_2fps.mp4",
        (Stretch(0.0, 8.5, "upright"), Stretch(8.5, 18.0, "slouched")),
        "front laptop webcam, 2 fps; a mild slouch (sunk lower, some tilt)",
    ),
    PostureClip(
        "slouchless",
        "slouchless_demo_side.gif",
        (
            Stretch(0.0, 1.2, "slouched"),
            Stretch(3.4, 6.0, "upright"),
            Stretch(6.4, 11.6, "absent"),
        ),
        "rear three-quarter view with a banner over the head; starts slouched, so the "
        "calibration of its first seconds learns a slouch",
    ),
)


def state_at(timeline: Sequence[Mapping[str, object]], t_s: float) -> str | None:
    """The state of ``posture --json``'s ``states`` at ``t_s`` (the last span holds its end)."""
    for span in timeline:
        start, end = float(str(span["start_s"])), float(str(span["end_s"]))
        if start <= t_s < end:
            return str(span["state"])
    if timeline and t_s >= float(str(timeline[-1]["end_s"])):
        return str(timeline[-1]["state"])
    return None


def agreement(
    clip: PostureClip, timeline: Sequence[Mapping[str, object]]
) -> dict[str, tuple[int, int]]:
    """Per labelled state: (seconds where the timeline agrees, labelled seconds)."""
    out: dict[str, tuple[int, int]] = {}
    for t_s, label in clip.labelled_seconds():
        agree, total = out.get(label, (0, 0))
        out[label] = (agree + (state_at(timeline, t_s) == label), total + 1)
    return out
