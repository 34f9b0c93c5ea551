"""``backcoach landmarks`` and ``backcoach analyze``: pose analysis of a video or landmark file.

Progress goes to stderr, so ``--json`` output on stdout stays clean for scripts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from backcoach.cli.app import app, console, err_console
from backcoach.content import Kind, default_catalog
from backcoach.errors import MissingExtraError, UsageError
from backcoach.i18n import N_, _, current_language, format_number
from backcoach.vision.analyzers import available, get_analyzer
from backcoach.vision.analyzers.base import AnalysisResult
from backcoach.vision.counting import Dose
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

if TYPE_CHECKING:
    from backcoach.vision.reference import ReferenceResult

#: A repetition's side in the analysis table.
SIDE_NAMES = {"left": N_("left"), "right": N_("right")}

FpsOption = Annotated[
    float | None,
    typer.Option("--fps", help=_("Analyse at about this many frames per second (skips frames).")),
]
StrideOption = Annotated[
    int | None, typer.Option("--stride", help=_("Analyse every n-th frame (instead of --fps)."))
]
WidthOption = Annotated[
    int,
    typer.Option(
        "--max-width", min=64, help=_("Downscale wider frames to this width for the model.")
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help=_(
            "Processes running the pose model on parts of the video (default: one per core "
            "for videos of 40 s or more, else one process)."
        ),
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
    if parts > 1:
        return _("Pose of {name} ({parts} parts in parallel)").format(name=video.name, parts=parts)
    return _("Pose of {name}").format(name=video.name)


def _check_output(path: Path) -> None:
    if not path.parent.is_dir():
        raise UsageError(
            _("Cannot write {path}: the folder {folder} does not exist.").format(
                path=path, folder=path.parent
            )
        )


@app.command(
    "landmarks",
    help=_("Write the pose landmarks of every frame of VIDEO as JSON Lines (one frame per line)."),
)
def landmarks_command(
    video: Annotated[Path, typer.Argument(help=_("Video file to run the pose model on."))],
    output: Annotated[
        Path, typer.Option("--output", "-o", help=_("Where to write the landmarks (.jsonl)."))
    ],
    fps: FpsOption = None,
    stride: StrideOption = None,
    max_width: WidthOption = DEFAULT_MAX_WIDTH,
    jobs: JobsOption = None,
) -> None:
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

    workers = _workers(clip, jobs)
    if workers > 1:
        chunked = ChunkedPose(clip, jobs=workers, stride=step, max_width=max_width)
        with _progress(_pose_title(video, chunked), chunked.total_frames) as advance:
            joined = chunked.landmarks(progress=advance)
        written = write_jsonl(output, counted(iter(joined)))
    else:
        with _progress(_("Pose of {name}").format(name=video.name), total) as advance:
            frames = video_landmarks(video, stride=step, max_width=max_width, progress=advance)
            written = write_jsonl(output, counted(frames))
    err_console.print(
        _("Wrote {written} frames to {path} ({seen} with a person).").format(
            written=written, path=output, seen=seen[0]
        )
    )
    if written and not seen[0]:
        raise NoPersonError(
            _("No person was seen in {video}; {path} has only empty frames.").format(
                video=video, path=output
            )
        )


#: Without ``--jobs``, shorter videos are posed in one process: every part restarts pose
#: tracking, and on a short clip a restarted tracker can settle on other landmarks than the
#: sequential run (seen on a 6.6 s squat clip, whose generic count then changed), for
#: little time saved.
AUTO_PARALLEL_MIN_S = 40.0


def _workers(clip: VideoFile, jobs: int | None) -> int:
    """Processes for posing ``clip``: ``--jobs``, else one per core for a long video."""
    if jobs is not None:
        return jobs
    return default_jobs() if clip.info.duration_s >= AUTO_PARALLEL_MIN_S else 1


def _file_frames(path: Path, stride: int | None, fps: float | None) -> list[LandmarkFrame]:
    """The frames of a landmark file, every ``stride``-th (or about ``fps`` per second)."""
    frames = list(read_jsonl(path))
    if not frames:
        raise UsageError(_("{path} has no frames.").format(path=path))
    span = frames[-1].t_s - frames[0].t_s
    file_fps = (len(frames) - 1) / span if span > 0 else 0.0
    return frames[:: stride_for(file_fps, fps, stride)]


def _video_frames(
    video: Path, fps: float | None, stride: int | None, max_width: int, jobs: int | None
) -> list[LandmarkFrame]:
    """The landmarks of a video, from one process per core (or ``jobs``)."""
    clip = VideoFile(video)
    step = stride_for(clip.info.fps, fps, stride)
    chunked = ChunkedPose(clip, jobs=_workers(clip, jobs), stride=step, max_width=max_width)
    with _progress(_pose_title(video, chunked), chunked.total_frames) as advance:
        return chunked.landmarks(progress=advance)


def _video_result(
    video: Path,
    exercise: str,
    fps: float | None,
    stride: int | None,
    max_width: int,
    annotate: Path | None,
    jobs: int | None,
    dose: Dose | None,
) -> AnalysisResult:
    if annotate is None and _workers(VideoFile(video), jobs) > 1:
        frames = _video_frames(video, fps, stride, max_width, jobs)
        return run_analyzer(frames, get_analyzer(exercise), dose=dose)
    clip = VideoFile(video)
    step = stride_for(clip.info.fps, fps, stride)
    total = math.ceil(clip.info.frame_count / step) if clip.info.frame_count else None
    with _progress(_("Analysing {name}").format(name=video.name), total) as advance:
        return analyze_video(
            video,
            exercise,
            stride=step,
            max_width=max_width,
            annotate=annotate,
            progress=advance,
            video=clip,
            dose=dose,
        )


def _dose(exercise: str, hold_s: float | None) -> Dose | None:
    """``--hold``: each rep's hold, or the one hold of a hold exercise (a plank)."""
    if hold_s is None:
        return None
    known = default_catalog(current_language()).exercises.get(exercise)
    return Dose(hold_s=hold_s, each_rep=known is None or known.kind is not Kind.HOLD)


def _reference_result(
    demo: Path,
    video: Path | None,
    landmarks: Path | None,
    fps: float | None,
    stride: int | None,
    max_width: int,
    jobs: int | None,
) -> ReferenceResult:
    try:  # numpy comes with the vision extra
        from backcoach.vision.reference import count, learn
    except ImportError as exc:
        raise MissingExtraError("vision", "numpy") from exc

    def frames_of(path: Path, is_file: bool) -> list[LandmarkFrame]:
        if is_file:
            return _file_frames(path, stride, fps)
        return _video_frames(path, fps, stride, max_width, jobs)

    template = learn(frames_of(demo, demo.suffix.lower() == ".jsonl"))
    if landmarks is not None:
        return count(template, frames_of(landmarks, True))
    assert video is not None
    return count(template, frames_of(video, False))


@app.command(
    "analyze",
    help=_(
        "Count reps, time holds and spot form faults in a video (or a landmark file)."
        "\n\n--reference DEMO counts reps like the 1-3 reps shown in DEMO, each with a "
        "similarity (0..1)."
        "\n\nVideos are cut into parts posed in parallel (--jobs); --annotate runs in one process."
    ),
)
def analyze_command(
    exercise: Annotated[
        str | None,
        typer.Option("--exercise", "-e", help=_("Exercise id, e.g. squat or glute-bridge.")),
    ] = None,
    video: Annotated[Path | None, typer.Argument(help=_("Video file to analyse."))] = None,
    landmarks: Annotated[
        Path | None,
        typer.Option("--landmarks", help=_("Analyse a landmark file (.jsonl) instead of a video.")),
    ] = None,
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference",
            help=_(
                "Instead of --exercise: learn the movement from a demonstration of one to three "
                "reps (video, or .jsonl landmarks) and count and score reps like it."
            ),
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the result as JSON."))] = False,
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", help=_("Also write the video with skeleton and counts (.mp4).")),
    ] = None,
    fps: FpsOption = None,
    stride: StrideOption = None,
    max_width: WidthOption = DEFAULT_MAX_WIDTH,
    jobs: JobsOption = None,
    hold: Annotated[
        float | None,
        typer.Option(
            "--hold",
            min=0.5,
            max=600,
            help=_(
                "Count a rep (or the hold) only when held this many seconds, as a session's "
                "dose does (e.g. 4 for a 4-second bridge)."
            ),
        ),
    ] = None,
) -> None:
    if (video is None) == (landmarks is None):
        raise UsageError(_("Give either a VIDEO file or --landmarks FILE (exactly one)."))
    if (exercise is None) == (reference is None):
        raise UsageError(_("Give either --exercise ID or --reference DEMO (exactly one)."))
    source = str(video if video is not None else landmarks)
    if reference is not None:
        if annotate is not None:
            raise UsageError(_("--annotate draws an exercise's analysis: use it with --exercise."))
        outcome = _reference_result(reference, video, landmarks, fps, stride, max_width, jobs)
        require_person(outcome.analysis, source)
        if as_json:
            typer.echo(json.dumps(outcome.to_json(), indent=2))
        else:
            _print_result(outcome.analysis, quality=_("similarity"))
        return
    assert exercise is not None
    if exercise not in available():
        get_analyzer(exercise)  # raises the plain "no analyzer" message
    if landmarks is not None:
        if annotate is not None:
            raise UsageError(_("--annotate needs a video (a landmark file has no pictures)."))
        frames = _file_frames(landmarks, stride, fps)
        result = run_analyzer(frames, get_analyzer(exercise), dose=_dose(exercise, hold))
    else:
        assert video is not None
        if annotate is not None:
            _check_output(annotate)
        result = _video_result(
            video, exercise, fps, stride, max_width, annotate, jobs, _dose(exercise, hold)
        )
    require_person(result, source)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print_result(result)
    if annotate is not None:
        err_console.print(_("Annotated video written to {path}").format(path=annotate))


def _print_result(result: AnalysisResult, quality: str | None = None) -> None:
    summary = Table(title=f"{result.exercise}", show_header=False, title_justify="left")
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row(_("Reps"), str(result.reps))
    summary.add_row(
        _("Holds"),
        ", ".join(f"{format_number(h.duration_s, digits=1)} s" for h in result.holds) or _("none"),
    )
    summary.add_row(
        _("Frames"),
        _("{frames} at {fps} fps ({seconds} s)").format(
            frames=result.frames,
            fps=format_number(result.fps, digits=1),
            seconds=format_number(result.duration_s, digits=1),
        ),
    )
    summary.add_row(
        _("Person seen"),
        _("{percent} of frames").format(
            percent=format_number(100 * result.pose_detected_ratio) + "%"
        ),
    )
    console.print(summary)
    if result.rep_events:
        reps = Table(
            "#",
            _("from"),
            _("to"),
            _("side"),
            quality or _("quality"),
            _("faults"),
            title=_("Repetitions"),
        )
        for event in result.rep_events:
            reps.add_row(
                str(event.index),
                f"{format_number(event.start_s, digits=2)} s",
                f"{format_number(event.end_s, digits=2)} s",
                _(SIDE_NAMES.get(event.side, event.side)) if event.side else "",
                format_number(event.quality, digits=2),
                ", ".join(event.faults),
            )
        console.print(reps)
    if result.faults:
        faults = Table(_("time"), _("fault"), _("what to do"), title=_("Form notes"))
        for fault in result.faults:
            faults.add_row(f"{format_number(fault.t_s, digits=1)} s", fault.code, _(fault.message))
        console.print(faults)
