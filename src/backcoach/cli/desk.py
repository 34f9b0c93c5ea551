"""``backcoach breaks`` (break reminders in the terminal) and ``backcoach posture``
(the webcam posture monitor, or a video / landmark file analysed the same way).

``posture --json`` prints ``{frames, states: [{start_s, end_s, state}], ...}``
on stdout (more keys: fps, duration_s, person_frames, calibrated, seconds per
state, alerts); messages go to stderr so scripts can read stdout as it is.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.table import Table
from sqlalchemy.orm import Session

from backcoach.cli.app import app, console, err_console
from backcoach.cli.desk_breaks import CameraOption, desktop_notifier, run_breaks
from backcoach.cli.desk_posture import (
    PostureAnnotator,
    PostureRun,
    PresenceWatcher,
    Sample,
    camera_samples,
    landmark_file_samples,
    open_camera,
    run_monitor,
    sample_by_time,
    state_name,
    video_samples,
)
from backcoach.cli.workout_keys import terminal_keys
from backcoach.config import get_settings
from backcoach.content import default_catalog
from backcoach.errors import UsageError
from backcoach.i18n import _, current_language, format_number
from backcoach.services.clock import ScaledClock
from backcoach.services.desk import desk_day, local_day, record_posture
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.services.posture_profiles import check_name, load_profile, save_profile
from backcoach.services.preferences import load_preferences
from backcoach.store import local_user, open_database
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.posture import (
    Baseline,
    PostureConfig,
    PostureMonitor,
    PostureReading,
    PostureState,
    Sensitivity,
)
from backcoach.vision.sources import VideoError, VideoFile, VideoFrame


@app.command(
    help=_(
        "Break reminders in the terminal: a live countdown to the next break, with a move to do."
        "\n\nKeys: t done, z snooze, s skip (a due break); a away, b back; q quit."
    )
)
def breaks(
    camera: CameraOption = None,
) -> None:
    if not sys.stdin.isatty():
        raise UsageError(
            _("`backcoach breaks` needs an interactive terminal: it reads keys as you press them.")
        )
    settings = get_settings()
    catalog = default_catalog(current_language())
    runtime = DeskRuntime(ScaledClock(settings.time_scale), source="terminal")
    with open_database(settings) as db:
        user = local_user(db)
        db.commit()
        watcher = _presence(camera, fps=2.0) if camera is not None else None
        try:
            with terminal_keys() as keys:
                run_breaks(
                    db,
                    runtime,
                    catalog,
                    user_id=user.id,
                    out=console,
                    keys=keys,
                    notify=desktop_notifier(console),
                    watcher=watcher,
                )
        finally:
            if watcher is not None:
                watcher.stop()
                _store_posture(watcher.run)
        today = desk_day(db, user_id=user.id, day=local_day(runtime.clock.now()))
    console.print(
        _(
            "Today: {taken} breaks taken, {snoozed} snoozed, {skipped} skipped; "
            "{sitting} min sitting, {walking} min walking."
        ).format(
            taken=today.breaks_taken,
            snoozed=today.breaks_snoozed,
            skipped=today.breaks_skipped,
            sitting=format_number(today.sitting_min),
            walking=format_number(today.walking_min),
        ),
        highlight=False,
    )


def _presence(index: int, *, fps: float) -> PresenceWatcher | None:
    """The posture monitor on a webcam in the background; None (with a message) without one."""
    try:
        camera = open_camera(index)
    except VideoError as exc:
        err_console.print(f"[yellow]{exc}[/] " + _("Breaks work without the camera."))
        return None
    return PresenceWatcher(camera_samples(camera, fps), stop=camera.stop).start()


@app.command(
    help=_(
        "Watch your sitting posture: upright, slouched, forward-head or absent."
        "\n\nSit upright for the first 5 seconds (calibration), or use a desk profile saved "
        "with --calibrate --profile NAME. With no VIDEO it uses the webcam until you press "
        "Ctrl-C, and stores today's posture minutes and alerts."
    )
)
def posture(
    video: Annotated[
        Path | None,
        typer.Argument(help=_("A video file (or a .jsonl landmark file) instead of the camera.")),
    ] = None,
    camera: Annotated[
        int | None, typer.Option("--camera", min=0, help=_("Webcam number (default 0)."))
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print the timeline as JSON."))] = False,
    fps: Annotated[
        float,
        typer.Option("--fps", min=2, max=5, help=_("Frames analysed per second (2-5).")),
    ] = 3.0,
    annotate: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help=_("Also write what the monitor saw: an .mp4 file, or a folder for PNG frames."),
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help=_(
                "Desk profile (e.g. laptop or monitor): its saved upright posture replaces "
                "the first seconds of calibration."
            ),
        ),
    ] = None,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate",
            help=_(
                "Learn your upright posture (sit as you want to sit for 5 seconds) and save "
                "it as the --profile."
            ),
        ),
    ] = False,
    sensitivity: Annotated[
        Sensitivity | None,
        typer.Option(
            "--sensitivity",
            help=_(
                "How soon a change counts as bad posture: low, normal or high "
                "(default: your preference, normal unless you changed it)."
            ),
        ),
    ] = None,
) -> None:
    if video is not None and camera is not None:
        raise UsageError(_("Give either a VIDEO file or --camera N, not both."))
    if video is not None and video.suffix.lower() == ".jsonl" and annotate is not None:
        raise UsageError(_("--annotate needs a video (a landmark file has no pictures)."))
    if calibrate and profile is None:
        raise UsageError(_("--calibrate needs --profile NAME (e.g. laptop or monitor)."))
    with open_database(get_settings()) as db:
        user_id = local_user(db).id
        preferred = load_preferences(db, user_id=user_id).posture_sensitivity
        baseline = None if calibrate else _saved_baseline(db, user_id, profile)
        db.commit()
    config = PostureConfig(sensitivity=sensitivity or preferred)
    if calibrate:
        assert profile is not None
        _calibrate_profile(_samples_of(video, camera, fps), profile, config, as_json=as_json)
        return
    monitor = PostureMonitor(config, baseline=baseline)
    if video is not None and video.suffix.lower() == ".jsonl":
        run = run_monitor(
            sample_by_time(landmark_file_samples(video), fps), run=PostureRun(monitor)
        )
        if run.frames == 0:
            raise UsageError(_("{path} has no frames.").format(path=video))
    elif video is not None:
        run = _watch(_samples_of(video, None, fps), annotate, fps, monitor)
    else:
        source = _samples_of(None, camera, fps)
        run = watch_live(source, fps=fps, annotate=annotate, as_json=as_json, monitor=monitor)
    if as_json:
        typer.echo(json.dumps(run.to_json(fps), indent=2))
    else:
        _print_run(run)


def _samples_of(video: Path | None, camera: int | None, fps: float) -> Iterable[Sample]:
    """The frames of a landmark file, a video or the webcam, about ``fps`` a second."""
    if video is not None and video.suffix.lower() == ".jsonl":
        return sample_by_time(landmark_file_samples(video), fps)
    if video is not None:
        return video_samples(VideoFile(video), fps)
    return camera_samples(open_camera(camera or 0), fps)


def _saved_baseline(db: Session, user_id: int, profile: str | None) -> Baseline | None:
    """The upright posture saved as ``profile``; None (with a note) when none is saved."""
    if profile is None:
        return None
    baseline = load_profile(db, user_id=user_id, name=profile)
    if baseline is None:
        err_console.print(
            _(
                "No desk profile {name} saved yet: calibrating on the first seconds "
                "(save one with --calibrate --profile {name})."
            ).format(name=profile)
        )
    return baseline


def _calibrate_profile(
    samples: Iterable[Sample], profile: str, config: PostureConfig, *, as_json: bool
) -> None:
    """Learn the upright baseline from the first seconds of ``samples`` and save it."""
    name = check_name(profile)
    err_console.print(
        _(
            "This will be your upright posture: sit as you want to sit and look at your "
            "screen for {seconds} seconds."
        ).format(seconds=format_number(config.calibration_s))
    )
    monitor = PostureMonitor(config)
    for _image, frame in samples:
        monitor.update(frame)
        if monitor.baseline is not None:
            break
    baseline = monitor.baseline
    if baseline is None:
        raise UsageError(
            _("Nobody sat in view long enough to learn your upright posture; nothing was saved.")
        )
    with open_database(get_settings()) as db:
        save_profile(
            db,
            user_id=local_user(db).id,
            name=name,
            baseline=baseline,
            now=datetime.now().astimezone(),
        )
        db.commit()
    if as_json:
        typer.echo(json.dumps({"profile": name, "baseline": asdict(baseline)}, indent=2))
    else:
        console.print(_("Desk profile {name} saved: this is your upright.").format(name=name))


def _watch(
    samples: Iterable[Sample], annotate: Path | None, fps: float, monitor: PostureMonitor
) -> PostureRun:
    writer = PostureAnnotator(annotate, fps=fps) if annotate is not None else None

    def draw(image: VideoFrame | None, frame: LandmarkFrame, reading: PostureReading) -> None:
        if writer is not None and image is not None:
            writer.write(image.image, frame, reading)

    try:
        return run_monitor(samples, run=PostureRun(monitor), on_reading=draw)
    finally:
        if writer is not None:
            writer.close()
            err_console.print(_("Annotated frames written to {path}").format(path=annotate))


def watch_live(
    samples: Iterable[Sample],
    *,
    fps: float,
    annotate: Path | None = None,
    as_json: bool = False,
    monitor: PostureMonitor | None = None,
) -> PostureRun:
    """Monitor a live source until Ctrl-C or until it fails, then store the day's posture.

    Raises:
        VideoError: the camera stopped; what was seen until then is stored first.
    """
    writer = PostureAnnotator(annotate, fps=fps) if annotate is not None else None
    monitor = monitor if monitor is not None else PostureMonitor()
    if monitor.baseline is None:
        err_console.print(
            _("Sit upright and look at your screen for 5 seconds to calibrate. Ctrl-C to stop.")
        )
    else:
        err_console.print(_("Using your saved upright posture. Ctrl-C to stop."))
    lost: VideoError | None = None
    with Live(console=err_console, auto_refresh=False, transient=True) as live:

        def show(image: VideoFrame | None, frame: LandmarkFrame, reading: PostureReading) -> None:
            if writer is not None and image is not None:
                writer.write(image.image, frame, reading)
            status = _("calibrating") if reading.calibrating else state_name(reading.state)
            alert = (
                "  [bold red]" + _("Time to move: {move}").format(move=reading.suggestion) + "[/]"
                if reading.alert
                else ""
            )
            at = _("at {seconds} s").format(seconds=f"{reading.t_s:6.0f}")
            live.update(f"[bold]{status}[/] {at}{alert}", refresh=True)

        run = PostureRun(monitor)
        try:
            run_monitor(samples, run=run, on_reading=show)
        except KeyboardInterrupt:
            pass
        except VideoError as exc:
            lost = exc
        finally:
            if writer is not None:
                writer.close()
    _store_posture(run)
    if lost is not None:
        if not as_json:
            _print_run(run)
        raise VideoError(f"{lost} " + _("Posture so far was saved; break reminders keep working."))
    return run


def _store_posture(run: PostureRun) -> None:
    if run.frames == 0:
        return
    minutes = {str(s): run.monitor.seconds_in(s) / 60 for s in PostureState}
    with open_database(get_settings()) as db:
        user = local_user(db)
        record_posture(
            db,
            user_id=user.id,
            now=datetime.now().astimezone(),
            alerts=run.monitor.alerts,
            minutes_by_state=minutes,
            source="camera",
        )
        db.commit()


def _print_run(run: PostureRun) -> None:
    table = Table(title=_("Posture"), show_header=True, title_justify="left")
    table.add_column(_("from"), justify="right")
    table.add_column(_("to"), justify="right")
    table.add_column(_("state"))
    unsure = False
    for span in run.monitor.spans:
        low = span.confidence == "low"
        unsure |= low
        table.add_row(
            f"{format_number(span.start_s, digits=1)} s",
            f"{format_number(span.end_s, digits=1)} s",
            state_name(span.state) + (" *" if low else ""),
        )
    console.print(table)
    if unsure:
        console.print("* " + _("Shoulders out of view: read from the face alone, so less certain."))
    seconds = run.seconds()
    console.print(
        _("{frames} frames over {seconds} s, a person in {person}.").format(
            frames=run.frames,
            seconds=format_number(run.duration_s, digits=1),
            person=run.person_frames,
        )
        + " "
        + ", ".join(
            f"{state_name(PostureState(state))} {format_number(s)} s"
            for state, s in seconds.items()
            if s > 0
        )
    )
    if run.monitor.baseline is None:
        console.print(
            "[yellow]"
            + _(
                "Not calibrated: nobody sat in view long enough (5 s) to learn "
                "your upright posture."
            )
            + "[/]"
        )
    for alert in run.alerts:
        console.print(
            _("Alert at {seconds} s ({state}): try {move}.").format(
                seconds=format_number(alert.t_s),
                state=state_name(alert.state),
                move=alert.suggestion,
            )
        )
