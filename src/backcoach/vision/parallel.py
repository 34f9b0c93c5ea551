"""Pose landmarks of one video from several processes at once.

The pose model is the bottleneck and uses about one core, so a long video is
cut into consecutive parts, each decoded and run through a pose model of its
own in a separate process. Tracking restarts in every part, so each part after
the first starts ``warm-up`` frames early: by its first kept frame the
tracker and MediaPipe's landmark smoothing have settled on the person, and the
warm-up frames are dropped. The parts are joined in frame order into one
stream, and the (pure) analyzer runs once over it, so a rep that spans a seam
is counted like any other.

Seeking is checked, not trusted: every worker fingerprints the first frame it
decodes, and the worker before it fingerprints the same frame index; when they
differ (a container whose seeking is not frame-exact) that part is decoded
again from the start of the file.

Example:
    >>> pose = ChunkedPose(VideoFile(Path("set.mp4")), jobs=2)  # doctest: +SKIP
    >>> frames = pose.landmarks()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import pickle
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backcoach.errors import BackcoachError
from backcoach.i18n import DEFAULT_LANGUAGE, _, current_language, set_language
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pose import MediaPipePose
from backcoach.vision.sources import DEFAULT_MAX_WIDTH, VideoError, VideoFile, prefetch

#: Seconds of video each later part runs through the pose model before its kept frames.
WARM_UP_S = 2.0
#: Progress is reported every this many frames (fewer messages between processes).
PROGRESS_EVERY = 10

Progress = Callable[[int], None]


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Chunk:
    """One part of a video: pose tracking starts at ``warm_from``; ``start``..``stop`` are kept.

    ``stop`` is None for the last part (read to the end of the file).
    """

    index: int
    warm_from: int
    start: int
    stop: int | None


def plan_chunks(frame_count: int, *, parts: int, stride: int, warm_up: int) -> tuple[Chunk, ...]:
    """Split ``frame_count`` frames into at most ``parts`` parts of about equal work.

    Boundaries fall on multiples of ``stride`` (the analysed frames stay those of a
    sequential run). The first part needs no warm-up, so it keeps ``warm_up`` more
    frames than the others. A video too short for every part to keep at least
    ``warm_up`` analysed frames gets fewer parts (one part: the sequential run).

    Example:
        >>> plan = plan_chunks(300, parts=2, stride=1, warm_up=60)
        >>> [(c.warm_from, c.start, c.stop) for c in plan]
        [(0, 0, 180), (120, 180, None)]
    """
    analysed = math.ceil(frame_count / stride) if frame_count > 0 else 0
    warm = math.ceil(warm_up / stride)
    count = max(1, parts)
    while count > 1 and (analysed - warm) / count < warm:
        count -= 1
    if count == 1:
        return (Chunk(0, 0, 0, None),)
    kept = (analysed - warm) / count
    starts = [0] + [round(warm + kept * i) * stride for i in range(1, count)]
    stops: list[int | None] = [*starts[1:], None]
    return tuple(
        Chunk(i, max(0, start - warm * stride) if i else 0, start, stops[i])
        for i, start in enumerate(starts)
    )


def analysed_frames(chunk: Chunk, frame_count: int, stride: int) -> int:
    """How many frames the pose model sees for ``chunk``, warm-up included."""
    stop = frame_count if chunk.stop is None else chunk.stop
    return max(0, math.ceil(stop / stride) - math.ceil(chunk.warm_from / stride))


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a worker sends back: the kept frames and two frame fingerprints."""

    frames: tuple[LandmarkFrame, ...]
    first_digest: str | None  # of the first frame decoded (at ``warm_from``)
    next_digest: str | None  # of the frame where the next part's decoding starts


def _digest(image: Any) -> str:
    return hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest()


def pose_chunk(
    path: Path,
    chunk: Chunk,
    *,
    next_warm_from: int | None,
    stride: int,
    max_width: int | None,
    seek: bool = True,
    progress: Progress | None = None,
) -> ChunkResult:
    """Run one part through a fresh pose model (in whichever process calls it)."""
    video = VideoFile(path)
    kept: list[LandmarkFrame] = []
    first: str | None = None
    following: str | None = None
    pending = 0
    frames = video.frames(
        stride=stride, max_width=max_width, start=chunk.warm_from, stop=chunk.stop, seek=seek
    )
    with MediaPipePose() as pose, prefetch(frames, size=8) as decoded:
        for frame in decoded:
            if first is None:
                first = _digest(frame.image)
            if frame.index == next_warm_from:
                following = _digest(frame.image)
            landmarks = pose.estimate(frame.image, frame.t_s)
            if frame.index >= chunk.start:
                kept.append(landmarks)
            pending += 1
            if progress is not None and pending >= PROGRESS_EVERY:
                progress(pending)
                pending = 0
    if progress is not None and pending:
        progress(pending)
    return ChunkResult(tuple(kept), first, following)


def _sendable(error: BaseException) -> BaseException:
    """The error itself when it survives pickling, else a plain error with its message."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return (
            BackcoachError(str(error))
            if isinstance(error, BackcoachError)
            else RuntimeError(f"{type(error).__name__}: {error}")
        )
    return error


def _worker(
    messages: Any,
    path: Path,
    chunk: Chunk,
    next_warm_from: int | None,
    stride: int,
    max_width: int | None,
    seek: bool,
    language: str = DEFAULT_LANGUAGE,
) -> None:
    """Process entry point: report progress, then the result or the error.

    ``language`` is the parent's: a spawned process starts in the default one, and
    its errors (a truncated video) are read by the person who started the parent.
    """
    set_language(language)
    try:
        result = pose_chunk(
            path,
            chunk,
            next_warm_from=next_warm_from,
            stride=stride,
            max_width=max_width,
            seek=seek,
            progress=lambda n: messages.put(("progress", chunk.index, n)),
        )
    except BaseException as exc:  # handed to the parent, which raises it
        messages.put(("error", chunk.index, _sendable(exc)))
        return
    messages.put(("done", chunk.index, result))


class WorkerError(BackcoachError):
    """A pose worker process stopped without an answer."""


def _run_workers(
    path: Path,
    jobs: Sequence[tuple[Chunk, int | None, bool]],
    *,
    stride: int,
    max_width: int | None,
    progress: Progress | None,
) -> dict[int, ChunkResult]:
    """Run each (chunk, next part's first frame, seek) in a process of its own."""
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    messages = context.Queue()
    workers = {
        chunk.index: context.Process(
            target=_worker,
            args=(messages, path, chunk, following, stride, max_width, seek, current_language()),
            daemon=True,
        )
        for chunk, following, seek in jobs
    }
    results: dict[int, ChunkResult] = {}
    try:
        for worker in workers.values():
            worker.start()
        while len(results) < len(workers):
            try:
                kind, index, payload = messages.get(timeout=1.0)
            except queue.Empty:
                dead = [i for i, w in workers.items() if i not in results and not w.is_alive()]
                if dead and messages.empty():
                    raise WorkerError(
                        _(
                            "The pose worker for part {part} of {name} stopped "
                            "unexpectedly (exit code {code})."
                        ).format(part=dead[0] + 1, name=path.name, code=workers[dead[0]].exitcode)
                    ) from None
                continue
            if kind == "progress" and progress is not None:
                progress(payload)
            elif kind == "error":
                raise payload
            elif kind == "done":
                results[index] = payload
    finally:
        for worker in workers.values():
            if worker.is_alive():
                worker.terminate()
            if worker.pid is not None:  # started
                worker.join()
        messages.close()
    return results


class ChunkedPose:
    """The landmarks of a video computed by up to ``jobs`` processes, joined in frame order.

    Args:
        video: the opened (checked) video.
        jobs: processes to use; 1, or a video too short to split, runs in this process.
        stride: analyse every n-th frame.
        max_width: downscale wider frames to this width for the model.
        warm_up_s: seconds each later part runs before its kept frames.
    """

    def __init__(
        self,
        video: VideoFile,
        *,
        jobs: int,
        stride: int = 1,
        max_width: int | None = DEFAULT_MAX_WIDTH,
        warm_up_s: float = WARM_UP_S,
    ) -> None:
        self.video = video
        self.stride = stride
        self.max_width = max_width
        warm_up = math.ceil(warm_up_s * video.info.fps)
        self.chunks = plan_chunks(
            video.info.frame_count, parts=jobs, stride=stride, warm_up=warm_up
        )

    @property
    def total_frames(self) -> int | None:
        """Frames the pose model will see (warm-up included), None when the count is unknown."""
        count = self.video.info.frame_count
        if not count:
            return None
        return sum(analysed_frames(chunk, count, self.stride) for chunk in self.chunks)

    def landmarks(self, progress: Progress | None = None) -> list[LandmarkFrame]:
        """Every analysed frame's landmarks, in frame order.

        Raises:
            VideoError: for a video that stops early; WorkerError when a process dies.
        """
        path = self.video.path
        if len(self.chunks) == 1:
            only = pose_chunk(
                path,
                self.chunks[0],
                next_warm_from=None,
                stride=self.stride,
                max_width=self.max_width,
                progress=progress,
            )
            return list(only.frames)
        plan = [(chunk, self._next_warm_from(chunk), True) for chunk in self.chunks]
        results = _run_workers(
            path, plan, stride=self.stride, max_width=self.max_width, progress=progress
        )
        misplaced = [
            chunk
            for chunk in self.chunks[1:]
            if results[chunk.index].first_digest != results[chunk.index - 1].next_digest
        ]
        if misplaced:  # seeking was not frame-exact: decode those parts from the start
            again = [(chunk, self._next_warm_from(chunk), False) for chunk in misplaced]
            results.update(
                _run_workers(
                    path, again, stride=self.stride, max_width=self.max_width, progress=None
                )
            )
        return self._joined(results)

    def _next_warm_from(self, chunk: Chunk) -> int | None:
        following = chunk.index + 1
        return self.chunks[following].warm_from if following < len(self.chunks) else None

    def _joined(self, results: dict[int, ChunkResult]) -> list[LandmarkFrame]:
        """The parts' frames in order, refusing a gap (a video that stops early)."""
        frames: list[LandmarkFrame] = []
        for chunk in self.chunks:
            part = results[chunk.index].frames
            if chunk.stop is not None:
                expected = math.ceil(chunk.stop / self.stride) - math.ceil(
                    chunk.start / self.stride
                )
                if len(part) < expected:
                    decoded = chunk.start + len(part) * self.stride
                    raise VideoError(
                        _(
                            "{path} stops after about {done} of {expected} frames: the file "
                            "looks truncated or corrupt."
                        ).format(
                            path=self.video.path,
                            done=decoded,
                            expected=self.video.info.frame_count,
                        )
                    )
            frames.extend(part)
        return frames
