"""Frame sources: video files, webcams, and recorded landmark files.

Video is decoded with OpenCV (imported lazily) in a reader thread that
feeds a small bounded queue, so decoding, downscaling and colour conversion
overlap with pose inference (both release the GIL). Every way a video can be
bad (missing, empty, not a video, no frames, cut short) becomes a
``VideoError`` with a plain message.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from backcoach.errors import BackcoachError, MissingExtraError, UsageError
from backcoach.i18n import _

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

T = TypeVar("T")

#: Frames are downscaled to at most this width before pose estimation
#: (BlazePose works on 256 px crops; larger frames only cost decoding time).
DEFAULT_MAX_WIDTH = 640


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence native libraries' log lines (FFmpeg, MediaPipe), which bypass Python's stderr."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real file descriptor (e.g. under a test runner)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class VideoError(BackcoachError):
    """A video file or camera cannot be read; the message says why in plain words."""


def import_cv2() -> Any:
    """OpenCV, or a clear message that the vision extra is missing."""
    try:
        import cv2
    except ImportError as exc:
        raise MissingExtraError("vision", "opencv (cv2)") from exc
    return cv2


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the container says about a video (``frame_count`` may be 0 when unknown)."""

    path: str
    fps: float
    frame_count: int
    width: int
    height: int

    @property
    def duration_s(self) -> float:
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One decoded frame: its index in the video, its time, and the RGB image (maybe downscaled)."""

    index: int
    t_s: float
    image: npt.NDArray[np.uint8]


def stride_for(fps: float, target_fps: float | None, stride: int | None) -> int:
    """The frame stride from an explicit ``stride`` or a target frame rate.

    Example:
        >>> stride_for(30.0, 15.0, None)
        2
    """
    if stride is not None and target_fps is not None:
        raise UsageError(_("Give either a frame stride or a target frame rate, not both."))
    if stride is not None:
        if stride < 1:
            raise UsageError(
                _("The frame stride must be 1 or more, got {stride}.").format(stride=stride)
            )
        return stride
    if target_fps is not None:
        if target_fps <= 0:
            raise UsageError(
                _("The target frame rate must be positive, got {fps}.").format(fps=target_fps)
            )
        return max(1, round(fps / target_fps)) if fps > 0 else 1
    return 1


class VideoFile:
    """A video file opened for reading, with its container info checked.

    Raises:
        VideoError: when the file is missing, empty, not a video, or has no frames.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise VideoError(_("Video not found: {path}").format(path=path))
        if not path.is_file():
            raise VideoError(_("{path} is not a file.").format(path=path))
        if path.stat().st_size == 0:
            raise VideoError(_("{path} is empty (0 bytes): not a video.").format(path=path))
        cv2 = import_cv2()
        with quiet_native_stderr():  # FFmpeg explains failures in its own words on stderr
            capture = cv2.VideoCapture(str(path))
        try:
            if not capture.isOpened():
                raise VideoError(
                    _(
                        "{path} could not be opened as a video: it is not a video file, or it is "
                        "corrupt or truncated."
                    ).format(path=path)
                )
            fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
            height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
            ok = capture.read()[0]
            if not ok:
                raise VideoError(
                    _("{path} has no readable frames: it is empty, corrupt or truncated.").format(
                        path=path
                    )
                )
        finally:
            capture.release()
        if not 0 < fps < 1000:
            fps = 30.0  # some containers do not say; 30 is the common rate
        self.info = VideoInfo(str(path), fps, max(count, 0), width, height)

    def frames(
        self,
        *,
        stride: int = 1,
        max_width: int | None = DEFAULT_MAX_WIDTH,
        start: int = 0,
        stop: int | None = None,
        seek: bool = True,
    ) -> Iterator[VideoFrame]:
        """Decode every ``stride``-th frame as RGB, downscaled to ``max_width``.

        ``start`` and ``stop`` (frame indices, ``stop`` excluded) read a part of the
        video; frame indices and times stay those of the whole video. The reader seeks
        to ``start`` when ``seek`` is true, else decodes (without converting) up to it.

        Raises:
            VideoError: when decoding stops well before the frame count the file announces
                (checked when reading to the end).
        """
        cv2 = import_cv2()
        capture = cv2.VideoCapture(str(self.path))
        fps = self.info.fps
        index = 0
        if start > 0 and seek:
            capture.set(cv2.CAP_PROP_POS_FRAMES, start)
            index = start
        try:
            while stop is None or index < stop:
                if index < start or index % stride:
                    if not capture.grab():  # skip without converting the image
                        break
                    index += 1
                    continue
                ok, image = capture.read()
                if not ok:
                    break
                yield VideoFrame(index, index / fps, _to_rgb(cv2, image, max_width))
                index += 1
        finally:
            capture.release()
        expected = self.info.frame_count
        if stop is None and expected and index < 0.9 * expected - 1:
            raise VideoError(
                _(
                    "{path} stops after {done} of {expected} frames: "
                    "the file looks truncated or corrupt."
                ).format(path=self.path, done=index, expected=expected)
            )


def _to_rgb(cv2: Any, image: Any, max_width: int | None) -> Any:
    height, width = image.shape[:2]
    if max_width is not None and width > max_width:
        size = (max_width, max(1, round(height * max_width / width)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class Camera:
    """A webcam by index; ``frames()`` runs until ``stop()`` or the camera fails.

    Raises:
        VideoError: when the camera cannot be opened or gives no picture.
    """

    def __init__(self, index: int = 0, *, max_width: int | None = DEFAULT_MAX_WIDTH) -> None:
        cv2 = import_cv2()
        self.index = index
        self.max_width = max_width
        self._capture = cv2.VideoCapture(index)
        self._stopped = threading.Event()
        if not self._capture.isOpened() or not self._capture.read()[0]:
            self._capture.release()
            raise VideoError(
                _(
                    "Camera {index} is not available: check that it is connected and not in use "
                    "by another program, and that backcoach may use it."
                ).format(index=index)
            )

    def frames(self) -> Iterator[VideoFrame]:
        cv2 = import_cv2()
        start = time.monotonic()
        index = 0
        try:
            while not self._stopped.is_set():
                ok, image = self._capture.read()
                if not ok:
                    raise VideoError(
                        _("Camera {index} stopped giving pictures.").format(index=self.index)
                    )
                yield VideoFrame(
                    index, time.monotonic() - start, _to_rgb(cv2, image, self.max_width)
                )
                index += 1
        finally:
            self._capture.release()

    def stop(self) -> None:
        self._stopped.set()


class _End:
    pass


@dataclass(slots=True)
class _Failure:
    error: BaseException


class Prefetch(Generic[T]):
    """Runs an iterator in a reader thread, ``size`` items ahead of the consumer.

    Errors raised by the iterator are raised again in the consumer, in order.
    Closing (or leaving a ``with`` block) stops the reader early.

    Example:
        >>> with Prefetch(iter(range(3)), size=2) as items:
        ...     list(items)
        [0, 1, 2]
    """

    def __init__(self, items: Iterable[T], *, size: int = 8) -> None:
        self._queue: queue.Queue[T | _End | _Failure] = queue.Queue(maxsize=size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(iter(items),), daemon=True)
        self._thread.start()

    def _put(self, item: T | _End | _Failure) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(_Failure(exc))
            return
        self._put(_End())

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prefetch(items: Iterable[T], *, size: int = 8) -> Prefetch[T]:
    """Shorthand for ``Prefetch(items, size=size)``."""
    return Prefetch(items, size=size)
