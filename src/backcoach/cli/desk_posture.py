"""Running the posture monitor on a video, a webcam or a landmark file, and drawing what it saw.

Frames are sampled by time at a low rate (``--fps``, 2-5; the monitor runs
all day, so it must stay light); the video/camera sources and the pose model
are the vision pipeline's (``vision/sources.py``, ``vision/pose.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backcoach.i18n import N_, _
from backcoach.vision.annotate import draw_skeleton
from backcoach.vision.landmarks import LandmarkFrame, read_jsonl
from backcoach.vision.pose import MediaPipePose, PoseEstimator
from backcoach.vision.posture import PostureMonitor, PostureReading, PostureState
from backcoach.vision.sources import (
    DEFAULT_MAX_WIDTH,
    Camera,
    VideoError,
    VideoFile,
    VideoFrame,
    import_cv2,
    prefetch,
    quiet_native_stderr,
    stride_for,
)

Sample = tuple[VideoFrame | None, LandmarkFrame]

# BGR colours for the state text
_STATE_COLOUR = {
    PostureState.UPRIGHT: (80, 220, 80),
    PostureState.SLOUCHED: (0, 165, 255),
    PostureState.FORWARD_HEAD: (60, 60, 255),
    PostureState.ABSENT: (200, 200, 200),
}
_PANEL = (40, 40, 40)
#: Each posture state in words (the terminal's; the pictures keep the English ids,
#: their font has no umlauts).
_STATE_NAMES = {
    PostureState.UPRIGHT: N_("upright"),
    PostureState.SLOUCHED: N_("slouched"),
    PostureState.FORWARD_HEAD: N_("forward-head"),
    PostureState.ABSENT: N_("absent"),
}


def state_name(state: PostureState) -> str:
    """``state`` in the CLI's language."""
    return _(_STATE_NAMES[state])


@dataclass
class PostureRun:
    """The monitor after a run, plus what the run itself saw."""

    monitor: PostureMonitor
    person_frames: int = 0
    first_t: float | None = None
    last_t: float = 0.0
    alerts: list[PostureReading] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return self.monitor.frames

    @property
    def duration_s(self) -> float:
        return 0.0 if self.first_t is None else self.last_t - self.first_t

    def seconds(self) -> dict[str, float]:
        return {str(s): round(float(self.monitor.seconds_in(s)), 3) for s in PostureState}

    def to_json(self, fps: float) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "fps": fps,
            "duration_s": round(self.duration_s, 3),
            "person_frames": self.person_frames,
            "calibrated": self.monitor.baseline is not None,
            "states": [span.to_json() for span in self.monitor.spans],
            "seconds": self.seconds(),
            "alerts": [
                {"t_s": round(a.t_s, 3), "state": str(a.state), "suggestion": a.suggestion}
                for a in self.alerts
            ],
        }


def sample_by_time(samples: Iterable[Sample], fps: float) -> Iterator[Sample]:
    """Keep about ``fps`` samples per second of their own time stamps."""
    period = 1.0 / fps
    next_t: float | None = None
    for sample in samples:
        t = sample[1].t_s
        if next_t is None or t >= next_t - 1e-6:
            yield sample
            # keep the rhythm; after a gap in the recording, start it again
            next_t = t + period if next_t is None or t - next_t >= period else next_t + period


def landmark_file_samples(path: Path) -> Iterator[Sample]:
    for frame in read_jsonl(path):
        yield None, frame


def video_samples(
    video: VideoFile,
    fps: float,
    *,
    max_width: int | None = DEFAULT_MAX_WIDTH,
    estimator: PoseEstimator | None = None,
) -> Iterator[Sample]:
    """Decoded frames (every n-th, for about ``fps`` a second) with their landmarks."""
    stride = stride_for(video.info.fps, fps, None)
    pose: PoseEstimator = estimator if estimator is not None else MediaPipePose()
    try:
        with prefetch(video.frames(stride=stride, max_width=max_width), size=4) as frames:
            for frame in frames:
                yield frame, pose.estimate(frame.image, frame.t_s)
    finally:
        if estimator is None:
            pose.close()


def open_camera(index: int) -> Camera:
    """The webcam, with OpenCV's own complaints kept off the terminal.

    Raises:
        VideoError: no camera at that index, or it is busy or not allowed.
    """
    with quiet_native_stderr():
        return Camera(index)


def camera_samples(
    camera: Camera,
    fps: float,
    *,
    estimator: PoseEstimator | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Sample]:
    """Live frames at about ``fps`` a second: the camera is read continuously (so the
    picture is fresh), the pose model only runs on the sampled frames."""
    pose: PoseEstimator = estimator if estimator is not None else MediaPipePose()
    period = 1.0 / fps
    next_at = clock()
    try:
        for frame in camera.frames():
            if clock() < next_at:
                continue
            next_at += period
            yield frame, pose.estimate(frame.image, frame.t_s)
    finally:
        camera.stop()
        if estimator is None:
            pose.close()


def run_monitor(
    samples: Iterable[Sample],
    *,
    run: PostureRun | None = None,
    on_reading: Callable[[VideoFrame | None, LandmarkFrame, PostureReading], None] | None = None,
) -> PostureRun:
    """Feed every sample to the monitor; ``on_reading`` sees each frame and its reading.

    Pass your own ``run`` to keep what was seen when the samples end in an error
    (a camera unplugged, Ctrl-C).
    """
    run = run if run is not None else PostureRun(PostureMonitor())
    for image, frame in samples:
        reading = run.monitor.update(frame)
        if run.first_t is None:
            run.first_t = frame.t_s
        run.last_t = frame.t_s
        run.person_frames += frame.landmarks is not None
        if reading.alert:
            run.alerts.append(reading)
        if on_reading is not None:
            on_reading(image, frame, reading)
    return run


def draw_posture(cv2: Any, image_rgb: Any, frame: LandmarkFrame, reading: PostureReading) -> Any:
    """A BGR copy of the frame with the skeleton, the state and the frame's own reading."""
    image = cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR)
    draw_skeleton(cv2, image, frame)
    height, width = image.shape[:2]
    scale = max(0.45, width / 1100)
    line_h = round(30 * scale) + 4
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.rectangle(image, (0, 0), (width, 2 * line_h + 10), _PANEL, -1)
    status = "calibrating: sit upright" if reading.calibrating else f"posture: {reading.state}"
    colour = _STATE_COLOUR[reading.state]
    cv2.putText(image, status, (8, line_h), font, scale, colour, 2, cv2.LINE_AA)
    cues = f" ({', '.join(sorted(reading.cues))})" if reading.cues else ""
    detail = f"t {reading.t_s:5.1f} s   this frame: {reading.raw}{cues}"
    cv2.putText(image, detail, (8, 2 * line_h), font, scale * 0.8, (255, 255, 255), 1, cv2.LINE_AA)
    if reading.alert:
        text = f"ALERT: try {reading.suggestion}"
        cv2.rectangle(image, (0, height - line_h - 12), (width, height), _PANEL, -1)
        cv2.putText(image, text, (8, height - 10), font, scale, (60, 60, 255), 2, cv2.LINE_AA)
    return image


class PostureAnnotator:
    """Writes annotated frames: an ``.mp4`` file, or one PNG per frame into a folder.

    Raises:
        VideoError: the output cannot be written.
    """

    def __init__(self, path: Path, *, fps: float) -> None:
        self.path = path
        self.fps = fps
        self.frames = 0
        self._cv2 = import_cv2()
        self._writer: Any = None
        self._folder = path.suffix.lower() != ".mp4"
        parent = path if self._folder else path.parent
        if self._folder:
            path.mkdir(parents=True, exist_ok=True)
        elif not parent.is_dir():
            raise VideoError(f"Cannot write {path}: the folder {parent} does not exist.")

    def write(self, image_rgb: Any, frame: LandmarkFrame, reading: PostureReading) -> None:
        cv2 = self._cv2
        image = draw_posture(cv2, image_rgb, frame, reading)
        if self._folder:
            name = self.path / f"frame_{self.frames:05d}_{reading.t_s:07.2f}s.png"
            if not cv2.imwrite(str(name), image):
                raise VideoError(f"Cannot write {name}.")
        else:
            if self._writer is None:
                height, width = image.shape[:2]
                fourcc = cv2.VideoWriter_fourcc(*"mp4v")
                self._writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, (width, height))
                if not self._writer.isOpened():
                    raise VideoError(f"Cannot write the annotated video {self.path}.")
            self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()


class PresenceWatcher:
    """The posture monitor on a live source, in a background thread, for ``backcoach breaks``:
    is anyone at the desk, and how are they sitting?

    Until the camera says otherwise the user counts as present; if the camera fails,
    they count as present again (the break timer falls back to the keys).
    """

    def __init__(self, samples: Iterable[Sample], *, stop: Callable[[], None]) -> None:
        self.run = PostureRun(PostureMonitor())
        self.error: BaseException | None = None
        self.last: PostureReading | None = None
        self.alert: PostureReading | None = None  # the latest alert, until shown
        self._stop_source = stop
        self._thread = threading.Thread(
            target=self._work, args=(samples,), name="posture", daemon=True
        )

    def start(self) -> PresenceWatcher:
        self._thread.start()
        return self

    def _work(self, samples: Iterable[Sample]) -> None:
        def seen(_image: VideoFrame | None, _frame: LandmarkFrame, reading: PostureReading) -> None:
            self.last = reading
            if reading.alert:
                self.alert = reading

        try:
            run_monitor(samples, run=self.run, on_reading=seen)
        except Exception as exc:  # handed to the breaks screen as a message
            self.error = exc

    def present(self) -> bool:
        last = self.last
        return self.error is not None or last is None or last.state is not PostureState.ABSENT

    def status(self) -> str:
        if self.error is not None:
            return _(
                "Camera: {problem} Breaks keep working; press a/b when you leave/return."
            ).format(problem=self.error)
        last = self.last
        if last is None:
            return _("Camera: starting...")
        if last.calibrating:
            return _("Camera: calibrating, sit upright for a few seconds")
        return _("Posture: {state}").format(state=state_name(last.state))

    def stop(self) -> None:
        self._stop_source()
        self._thread.join(timeout=5)
