"""``backcoach landmarks`` and ``backcoach analyze``: pose analysis of a video or landmark file.

Progress goes to stderr, so ``--json`` output on stdout stays clean for scripts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from backcoach.cli.app import app, console, err_console
from backcoach.errors import UsageError
from backcoach.vision.analyzers import available, get_analyzer
from backcoach.vision.analyzers.base import AnalysisResult
from backcoach.vision.landmarks import LandmarkFrame, read_jsonl, write_jsonl
from backcoach.vision.parallel import ChunkedPose, default_jobs
from backcoach.vision.pipeline import (
    NoPersonError,
    analyze_video,
    require_person,
    run_analyzer,
    video_landmarks,
)
from backcoach.vision.pipeline import (
    Progress as ProgressCallback,
)
from backcoach.vision.sources import DEFAULT_MAX_WIDTH, VideoFile, stride_for

FpsOption = Annotated[
    float | None,
    typer.Option("--fps", help="Analyse at about this many frames per second (skips frames)."),
]
StrideOption = Annotated[
    int | None, typer.Option("--stride", help="Analyse every n-th frame (instead of --fps).")
]
WidthOption = Annotated[
    int,
    typer.Option("--max-width", min=64, help="Downscale wider frames to this width for the model."),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Processes running the pose model on parts of the video (default: the number of "
        "cores; 1 = one process).",
    ),
]


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[ProgressCallback]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def _pose_title(video: Path, chunked: ChunkedPose) -> str:
    parts = len(chunked.chunks)
    return f"Pose of {video.name}" + (f" ({parts} parts in parallel)" if parts > 1 else "")


def _check_output(path: Path) -> None:
    if not path.parent.is_dir():
        raise UsageError(f"Cannot write {path}: the folder {path.parent} does not exist.")


@app.command("landmarks")
def landmarks_command(
    video: Annotated[Path, typer.Argument(help="Video file to run the pose model on.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the landmarks (.jsonl).")
    ],
    fps: FpsOption = None,
    stride: StrideOption = None,
    max_width: WidthOption = DEFAULT_MAX_WIDTH,
    jobs: JobsOption = None,
) -> None:
    """Write the pose landmarks of every frame of VIDEO as JSON Lines (one frame per line)."""
    _check_output(output)
    clip = VideoFile(video)
    info = clip.info
    step = stride_for(info.fps, fps, stride)
    total = math.ceil(info.frame_count / step) if info.frame_count else None
    seen = [0]

    def counted(frames: Iterator[LandmarkFrame]) -> Iterator[LandmarkFrame]:
        for frame in frames:
            seen[0] += frame.landmarks is not None
            yield frame

    workers = jobs or default_jobs()
    if workers > 1:
        chunked = ChunkedPose(clip, jobs=workers, stride=step, max_width=max_width)
        with _progress(_pose_title(video, chunked), chunked.total_frames) as advance:
            joined = chunked.landmarks(progress=advance)
        written = write_jsonl(output, counted(iter(joined)))
    else:
        with _progress(f"Pose of {video.name}", total) as advance:
            frames = video_landmarks(video, stride=step, max_width=max_width, progress=advance)
            written = write_jsonl(output, counted(frames))
    err_console.print(f"Wrote {written} frames to {output} ({seen[0]} with a person).")
    if written and not seen[0]:
        raise NoPersonError(f"No person was seen in {video}; {output} has only empty frames.")


def _landmark_result(
    path: Path, exercise: str, stride: int | None, fps: float | None
) -> AnalysisResult:
    frames = list(read_jsonl(path))
    if not frames:
        raise UsageError(f"{path} has no frames.")
    span = frames[-1].t_s - frames[0].t_s
    file_fps = (len(frames) - 1) / span if span > 0 else 0.0
    step = stride_for(file_fps, fps, stride)
    analyzer = get_analyzer(exercise)
    return run_analyzer(frames[::step], analyzer)


def _video_result(
    video: Path,
    exercise: str,
    fps: float | None,
    stride: int | None,
    max_width: int,
    annotate: Path | None,
    jobs: int | None,
) -> AnalysisResult:
    clip = VideoFile(video)
    step = stride_for(clip.info.fps, fps, stride)
    workers = jobs or default_jobs()
    if workers > 1 and annotate is None:
        chunked = ChunkedPose(clip, jobs=workers, stride=step, max_width=max_width)
        with _progress(_pose_title(video, chunked), chunked.total_frames) as advance:
            frames = chunked.landmarks(progress=advance)
        return run_analyzer(frames, get_analyzer(exercise))
    total = math.ceil(clip.info.frame_count / step) if clip.info.frame_count else None
    with _progress(f"Analysing {video.name}", total) as advance:
        return analyze_video(
            video,
            exercise,
            stride=step,
            max_width=max_width,
            annotate=annotate,
            progress=advance,
            video=clip,
        )


@app.command("analyze")
def analyze_command(
    exercise: Annotated[
        str, typer.Option("--exercise", "-e", help="Exercise id, e.g. squat or glute-bridge.")
    ],
    video: Annotated[Path | None, typer.Argument(help="Video file to analyse.")] = None,
    landmarks: Annotated[
        Path | None,
        typer.Option("--landmarks", help="Analyse a landmark file (.jsonl) instead of a video."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", help="Also write the video with skeleton and counts (.mp4)."),
    ] = None,
    fps: FpsOption = None,
    stride: StrideOption = None,
    max_width: WidthOption = DEFAULT_MAX_WIDTH,
    jobs: JobsOption = None,
) -> None:
    """Count reps, time holds and spot form faults in a video (or a landmark file).

    With several cores the video is cut into overlapping parts whose poses are found in
    parallel processes; the exercise is then analysed once over the joined frames.
    --annotate runs in one process.
    """
    if (video is None) == (landmarks is None):
        raise UsageError("Give either a VIDEO file or --landmarks FILE (exactly one).")
    if exercise not in available():
        get_analyzer(exercise)  # raises the plain "no analyzer" message
    if landmarks is not None:
        if annotate is not None:
            raise UsageError("--annotate needs a video (a landmark file has no pictures).")
        result = _landmark_result(landmarks, exercise, stride, fps)
        source = str(landmarks)
    else:
        assert video is not None
        if annotate is not None:
            _check_output(annotate)
        result = _video_result(video, exercise, fps, stride, max_width, annotate, jobs)
        source = str(video)
    require_person(result, source)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print_result(result)
    if annotate is not None:
        err_console.print(f"Annotated video written to {annotate}")


def _print_result(result: AnalysisResult) -> None:
    summary = Table(title=f"{result.exercise}", show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("Reps", str(result.reps))
    summary.add_row("Holds", ", ".join(f"{h.duration_s:.1f} s" for h in result.holds) or "none")
    summary.add_row(
        "Frames", f"{result.frames} at {result.fps:.1f} fps ({result.duration_s:.1f} s)"
    )
    summary.add_row("Person seen", f"{100 * result.pose_detected_ratio:.0f}% of frames")
    console.print(summary)
    if result.rep_events:
        reps = Table("#", "from", "to", "side", "quality", "faults", title="Repetitions")
        for event in result.rep_events:
            reps.add_row(
                str(event.index),
                f"{event.start_s:.2f} s",
                f"{event.end_s:.2f} s",
                event.side or "",
                f"{event.quality:.2f}",
                ", ".join(event.faults),
            )
        console.print(reps)
    if result.faults:
        faults = Table("time", "fault", "what to do", title="Form notes")
        for fault in result.faults:
            faults.add_row(f"{fault.t_s:.1f} s", fault.code, fault.message)
        console.print(faults)
