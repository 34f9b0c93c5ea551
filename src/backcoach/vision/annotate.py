"""Draw what the analyzer saw onto the video: skeleton, rep count, hold timer, current cue.

The output is an MP4 (``mp4v``) at the analysed frame rate, in the analysed
(downscaled) size. Joints below the visibility threshold are not drawn, so the
picture shows exactly what the analyzer could use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from backcoach.i18n import _
from backcoach.vision.analyzers.base import Feedback
from backcoach.vision.geometry import MIN_VISIBILITY
from backcoach.vision.landmarks import POSE_CONNECTIONS, LandmarkFrame
from backcoach.vision.sources import VideoError, import_cv2

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# Colours are BGR (OpenCV's order; frames are converted before drawing).
_BONE = (255, 200, 0)
_JOINT = (255, 255, 255)
_TEXT = (255, 255, 255)
_PANEL = (40, 40, 40)
_CUE = (60, 60, 255)
_HINT = (0, 215, 255)
_REP = (80, 220, 80)


def draw_skeleton(cv2: Any, image: Any, frame: LandmarkFrame) -> None:
    """Draw bones and joints of the visible landmarks onto a BGR image (in place)."""
    if frame.landmarks is None:
        return
    height, width = image.shape[:2]
    thickness = max(2, width // 320)

    def pixel(index: int) -> tuple[int, int] | None:
        mark = frame.landmarks[index]  # type: ignore[index]
        if mark.visibility < MIN_VISIBILITY:
            return None
        return round(mark.x * width), round(mark.y * height)

    for a, b in POSE_CONNECTIONS:
        pa, pb = pixel(a), pixel(b)
        if pa is not None and pb is not None:
            cv2.line(image, pa, pb, _BONE, thickness, cv2.LINE_AA)
    for index in range(len(frame.landmarks)):
        p = pixel(index)
        if p is not None:
            cv2.circle(image, p, thickness + 1, _JOINT, -1, cv2.LINE_AA)


def _wrap(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def draw_feedback(cv2: Any, image: Any, feedback: Feedback) -> None:
    """Draw the rep count, hold timer, phase and the current cue or hint (in place)."""
    height, width = image.shape[:2]
    scale = max(0.45, width / 1000)
    line_h = round(30 * scale) + 4
    font = cv2.FONT_HERSHEY_SIMPLEX
    status = f"{feedback.exercise}  reps {feedback.reps}"
    if feedback.hold_s > 0:
        status += f"  hold {feedback.hold_s:4.1f} s"
    status += f"  [{feedback.phase}]"
    cv2.rectangle(image, (0, 0), (width, line_h + 8), _PANEL, -1)
    colour = _REP if feedback.rep_done else _TEXT
    cv2.putText(image, status, (8, line_h), font, scale, colour, 2, cv2.LINE_AA)

    message, colour = (feedback.cue, _CUE) if feedback.cue else (feedback.hint, _HINT)
    if not message:
        return
    limit = max(20, int(width / (16 * scale)))
    lines = _wrap(message, limit)
    top = height - line_h * len(lines) - 10
    cv2.rectangle(image, (0, top - 6), (width, height), _PANEL, -1)
    for number, text in enumerate(lines):
        y = top + line_h * (number + 1) - 8
        cv2.putText(image, text, (8, y), font, scale, colour, 2, cv2.LINE_AA)


class AnnotatedVideo:
    """Writes annotated frames to an MP4 file.

    Raises:
        VideoError: when the output file cannot be written.
    """

    def __init__(self, path: Path, *, fps: float, width: int, height: int) -> None:
        cv2 = import_cv2()
        self._cv2 = cv2
        self.path = path
        if not path.parent.is_dir():
            raise VideoError(
                _("Cannot write {path}: the folder {folder} does not exist.").format(
                    path=path, folder=path.parent
                )
            )
        fourcc = cv2.VideoWriter_fourcc(*"mp4v")
        self._writer = cv2.VideoWriter(str(path), fourcc, fps, (width, height))
        if not self._writer.isOpened():
            raise VideoError(_("Cannot write the annotated video {path}.").format(path=path))
        self.frames = 0

    def write(
        self, image_rgb: npt.NDArray[np.uint8], frame: LandmarkFrame, feedback: Feedback
    ) -> None:
        cv2 = self._cv2
        image = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR)
        draw_skeleton(cv2, image, frame)
        draw_feedback(cv2, image, feedback)
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        self._writer.release()

    def __enter__(self) -> AnnotatedVideo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
