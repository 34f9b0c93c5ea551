"""Pose estimation: the ``PoseEstimator`` protocol and its MediaPipe BlazePose implementation.

Only the *full* BlazePose model (``model_complexity=1``) ships inside the
pinned ``mediapipe`` wheel; the lite (0) and heavy (2) models would be
downloaded at run time, which backcoach never does, so asking for them is a
clear error. ``mediapipe`` is imported only when an estimator is built, and a
missing install says how to add the ``vision`` extra.

One body per frame: ``solutions.pose`` (like the browser's ``@mediapipe/pose``,
which sends the live coach its landmarks) tracks a single person and has no
option for more. A second person in the picture therefore shows up as the
landmarks jumping to another body; ``framing.TrackLock`` tells that apart from
movement and drops such frames ("I lost you").
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, Protocol

from backcoach.errors import MissingExtraError, UsageError
from backcoach.i18n import _
from backcoach.vision.landmarks import Landmark, LandmarkFrame
from backcoach.vision.sources import quiet_native_stderr

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

BUNDLED_COMPLEXITY = 1
WARM_UP_FRAMES = 30
QUIET_FRAMES = 5  # native start-up logs come from worker threads a little later


class PoseEstimator(Protocol):
    """Turns one RGB image into a landmark frame (landmarks None when nobody is seen)."""

    def estimate(self, image_rgb: npt.NDArray[np.uint8], t_s: float) -> LandmarkFrame: ...

    def close(self) -> None: ...


def _import_mediapipe() -> Any:
    try:
        import mediapipe
    except ImportError as exc:
        raise MissingExtraError("vision", "mediapipe") from exc
    return mediapipe


class MediaPipePose:
    """BlazePose through MediaPipe's legacy ``solutions.pose`` API, fully offline.

    Args:
        model_complexity: must be 1 (the model bundled in the wheel).
        static_image_mode: detect afresh in every image (photos) instead of tracking (video).
        min_detection_confidence: person detection threshold.
        min_tracking_confidence: below this the tracker re-detects.

    Example:
        >>> with MediaPipePose() as pose:  # doctest: +SKIP
        ...     frame = pose.estimate(rgb_image, t_s=0.0)
    """

    def __init__(
        self,
        *,
        model_complexity: int = BUNDLED_COMPLEXITY,
        static_image_mode: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        if model_complexity != BUNDLED_COMPLEXITY:
            raise UsageError(
                _(
                    "Pose model complexity {asked} is not available: only the "
                    "full model (complexity {bundled}) is bundled with mediapipe, and "
                    "backcoach never downloads models at run time."
                ).format(asked=model_complexity, bundled=BUNDLED_COMPLEXITY)
            )
        mediapipe = _import_mediapipe()
        # Native threads log while the graph starts and on the first detection; keep the
        # process's stderr quiet until then (at least QUIET_FRAMES, at most WARM_UP_FRAMES frames).
        self._quiet: ExitStack | None = ExitStack()
        self._quiet.enter_context(quiet_native_stderr())
        self._frames = 0
        try:
            self._pose = mediapipe.solutions.pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=model_complexity,
                smooth_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except BaseException:
            self._end_quiet()
            raise

    def estimate(self, image_rgb: npt.NDArray[np.uint8], t_s: float) -> LandmarkFrame:
        """Landmarks of the person in ``image_rgb`` (height x width x 3, RGB, uint8)."""
        height, width = image_rgb.shape[:2]
        result = self._pose.process(image_rgb)
        self._frames += 1
        started = self._frames >= QUIET_FRAMES and result.pose_landmarks is not None
        if self._quiet is not None and (started or self._frames >= WARM_UP_FRAMES):
            self._end_quiet()
        aspect = width / height if height else 1.0
        found = result.pose_landmarks
        if found is None:
            return LandmarkFrame(t_s=t_s, landmarks=None, aspect=aspect)
        landmarks = tuple(
            Landmark(float(p.x), float(p.y), float(p.z), float(p.visibility))
            for p in found.landmark
        )
        return LandmarkFrame(t_s=t_s, landmarks=landmarks, aspect=aspect)

    def _end_quiet(self) -> None:
        if self._quiet is not None:
            self._quiet.close()
            self._quiet = None

    def close(self) -> None:
        self._end_quiet()
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
