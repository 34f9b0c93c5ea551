"""Video -> landmarks -> analyzer, with optional annotated output.

Decoding runs in a reader thread (``sources.Prefetch``) while the pose model
works on the previous frame. ``stride`` analyses every n-th frame (the
analyzers use the frames' own times, so counts and hold times stay right).

Every analyzer runs inside ``Guided`` (``analyzers.base``), the rules the live
coach applies too: one person, counting only once they are ready, the dose.

Example:
    >>> result = analyze_video(Path("squats.mp4"), "squat")  # doctest: +SKIP
    >>> result.reps  # doctest: +SKIP
    3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from backcoach.errors import BackcoachError
from backcoach.i18n import _
from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.analyzers.base import AnalysisResult, Analyzer, Guided
from backcoach.vision.annotate import AnnotatedVideo
from backcoach.vision.counting import Dose
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pose import MediaPipePose, PoseEstimator
from backcoach.vision.sources import DEFAULT_MAX_WIDTH, VideoFile, VideoFrame, prefetch

Progress = Callable[[int], None]


class NoPersonError(BackcoachError):
    """Nobody was seen in any frame."""


def pose_frames(
    video: VideoFile,
    *,
    stride: int = 1,
    max_width: int | None = DEFAULT_MAX_WIDTH,
    estimator: PoseEstimator | None = None,
) -> Iterator[tuple[VideoFrame, LandmarkFrame]]:
    """Decoded frames with their landmarks, decoding overlapped with inference."""
    own = estimator is None
    pose: PoseEstimator = MediaPipePose() if estimator is None else estimator
    try:
        with prefetch(video.frames(stride=stride, max_width=max_width), size=8) as frames:
            for frame in frames:
                yield frame, pose.estimate(frame.image, frame.t_s)
    finally:
        if own:
            pose.close()


def video_landmarks(
    path: Path,
    *,
    stride: int = 1,
    max_width: int | None = DEFAULT_MAX_WIDTH,
    progress: Progress | None = None,
) -> Iterator[LandmarkFrame]:
    """The landmark frames of a video (for ``backcoach landmarks``)."""
    for _frame, landmarks in pose_frames(VideoFile(path), stride=stride, max_width=max_width):
        if progress is not None:
            progress(1)
        yield landmarks


def guided(analyzer: Analyzer, dose: Dose | None = None) -> Guided:
    """``analyzer`` under the shared coaching rules (itself when it already is)."""
    if isinstance(analyzer, Guided) and dose is None:
        return analyzer
    return Guided(analyzer, dose=dose)


def run_analyzer(
    frames: Iterable[LandmarkFrame],
    analyzer: Analyzer,
    progress: Progress | None = None,
    *,
    dose: Dose | None = None,
) -> AnalysisResult:
    """Feed frames to an analyzer (under the shared rules, ``guided``) and return its result."""
    analyzer = guided(analyzer, dose)
    for frame in frames:
        analyzer.update(frame)
        if progress is not None:
            progress(1)
    return analyzer.result()


def analyze_video(
    path: Path,
    exercise_id: str,
    *,
    stride: int = 1,
    max_width: int | None = DEFAULT_MAX_WIDTH,
    annotate: Path | None = None,
    progress: Progress | None = None,
    video: VideoFile | None = None,
    dose: Dose | None = None,
) -> AnalysisResult:
    """Analyse one exercise in a video file, optionally writing an annotated copy.

    Args:
        dose: the hold time each rep (or the hold) must reach to count; None counts
            every finished rep, whatever its hold.

    Raises:
        VideoError: for an unreadable video; UsageError for an unknown exercise.
    """
    analyzer = guided(get_analyzer(exercise_id), dose)
    video = video if video is not None else VideoFile(path)
    writer: AnnotatedVideo | None = None
    try:
        for frame, landmarks in pose_frames(video, stride=stride, max_width=max_width):
            feedback = analyzer.update(landmarks)
            if annotate is not None:
                if writer is None:
                    height, width = frame.image.shape[:2]
                    fps = video.info.fps / stride
                    writer = AnnotatedVideo(annotate, fps=fps, width=width, height=height)
                writer.write(frame.image, landmarks, feedback)
            if progress is not None:
                progress(1)
    finally:
        if writer is not None:
            writer.close()
    return analyzer.result()


def require_person(result: AnalysisResult, source: str) -> None:
    """Raise a plain error when no frame showed a person."""
    if result.frames and result.pose_detected_ratio == 0.0:
        raise NoPersonError(
            _(
                "No person was seen in {source} ({frames} frames). Make sure the whole "
                "body is in the picture, well lit, and that the video shows the exercise."
            ).format(source=source, frames=result.frames)
        )
