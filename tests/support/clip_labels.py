"""Labels of the shared real clips, loaded from ``clip_labels.toml`` beside this file.

One place for the labelled count, hold time, camera view and form label of every
shared clip, read by tests and benchmarks alike::

    from tests.support.clip_labels import clips, data_dir

    for clip in clips(exercise="squat"):
        video = clip.file(data_dir())
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

LABELS_FILE = Path(__file__).with_name("clip_labels.toml")
REPO_ROOT = Path(__file__).resolve().parents[2]

View = Literal["side", "front", "diagonal"]
Form = Literal["correct", "incorrect"]

_VIEWS: frozenset[str] = frozenset({"side", "front", "diagonal"})
_FORMS: frozenset[str] = frozenset({"correct", "incorrect"})


@dataclass(frozen=True)
class ClipLabel:
    """What the source (or the manifest) says one shared clip shows."""

    name: str
    path: str  # relative to the shared data dir
    exercise: str  # canonical exercise id, or "generic" when none fits
    source: str
    licence: str
    label_source: str
    reps: int | None = None  # labelled full reps; None: no count labelled
    alternating: bool = False
    hold_s: float | None = None
    hold_min_s: float | None = None
    view: View | None = None
    form: Form | None = None
    frames: int | None = None
    fps: float | None = None
    notes: str = ""

    @property
    def is_video(self) -> bool:
        """A video file (else a landmark file, such as Keraal's JSON)."""
        return self.path.endswith(".mp4")

    def file(self, data: Path) -> Path:
        """The clip's file inside the shared data dir ``data``."""
        return data / self.path


def data_dir() -> Path:
    """The shared data dir: ``BACKCOACH_TEST_DATA``, else ``../shared/data`` beside the repo."""
    return Path(os.environ.get("BACKCOACH_TEST_DATA", REPO_ROOT.parent / "shared" / "data"))


def _clip(entry: dict[str, Any]) -> ClipLabel:
    clip = ClipLabel(**entry)
    if clip.view is not None and clip.view not in _VIEWS:
        raise ValueError(f"{clip.name}: view {clip.view!r} is not one of {sorted(_VIEWS)}")
    if clip.form is not None and clip.form not in _FORMS:
        raise ValueError(f"{clip.name}: form {clip.form!r} is not one of {sorted(_FORMS)}")
    return clip


@cache
def all_clips() -> tuple[ClipLabel, ...]:
    """Every labelled clip, in file order."""
    with LABELS_FILE.open("rb") as handle:
        entries = cast(list[dict[str, Any]], tomllib.load(handle)["clip"])
    return tuple(_clip(entry) for entry in entries)


def clips(*, exercise: str | None = None, counted: bool = False) -> tuple[ClipLabel, ...]:
    """The clips of one exercise (all when ``exercise`` is None); ``counted``: with a rep count."""
    return tuple(
        clip
        for clip in all_clips()
        if (exercise is None or clip.exercise == exercise)
        and (not counted or clip.reps is not None)
    )


def clip(name: str) -> ClipLabel:
    """The clip called ``name`` (its ``name`` in the TOML file)."""
    for candidate in all_clips():
        if candidate.name == name:
            return candidate
    raise KeyError(f"no clip {name!r} in {LABELS_FILE.name}")
