"""`backcoach posture` and `backcoach breaks` through the CLI, with real files and a real SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.desk import watch_live
from backcoach.cli.desk_breaks import BreaksScreen, desktop_notifier, format_clock, run_breaks
from backcoach.cli.desk_posture import PresenceWatcher, Sample, sample_by_time
from backcoach.coach import breaks
from backcoach.coach.breaks import BreakConfig
from backcoach.config import Settings
from backcoach.content import View, default_catalog
from backcoach.services.desk import DeskTimer, desk_day
from backcoach.services.desk_runtime import DeskRuntime
from backcoach.store import local_user, open_database
from backcoach.vision.landmarks import LandmarkFrame, write_jsonl
from backcoach.vision.sources import VideoError
from tests.unit.test_posture import SLUMPED_BACK, UPRIGHT, desk_render, film

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def slouch_file(tmp_path: Path) -> Path:
    """10 s upright, 70 s slouched, 15 s upright, seen from the side at 5 fps, with noise."""
    render = desk_render(View.SIDE, noise=0.002, seed=7)
    frames = film([(UPRIGHT, 10, render), (SLUMPED_BACK, 70, render), (UPRIGHT, 15, render)])
    path = tmp_path / "sitting.jsonl"
    write_jsonl(path, frames)
    return path


def test_posture_json_on_a_landmark_file(slouch_file: Path) -> None:
    result = runner.invoke(app, ["posture", str(slouch_file), "--json", "--fps", "5"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [s["state"] for s in out["states"]] == ["upright", "slouched", "upright"]
    assert out["states"][0]["start_s"] == 0
    assert out["states"][1]["start_s"] == pytest.approx(10, abs=0.5)
    assert out["states"][1]["end_s"] == pytest.approx(80, abs=0.5)
    assert out["states"][-1]["end_s"] == pytest.approx(95, abs=0.3)
    assert out["frames"] == pytest.approx(95 * 5, abs=2)
    assert [a["suggestion"] for a in out["alerts"]] == ["overhead-side-bend"]
    assert out["seconds"]["slouched"] == pytest.approx(70, abs=0.5)


def test_posture_at_a_lower_rate_sees_the_same_timeline(slouch_file: Path) -> None:
    result = runner.invoke(app, ["posture", str(slouch_file), "--json", "--fps", "2"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [s["state"] for s in out["states"]] == ["upright", "slouched", "upright"]
    assert out["frames"] == pytest.approx(95 * 2, abs=2)


def test_posture_summary_for_people(slouch_file: Path) -> None:
    result = runner.invoke(app, ["posture", str(slouch_file)])
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "slouched" in out and "Alert at" in out and "overhead-side-bend" in out


def test_sampling_keeps_the_rhythm_across_gaps() -> None:
    frames = [LandmarkFrame(t_s=i / 30, landmarks=None) for i in range(90)]
    frames += [LandmarkFrame(t_s=10 + i / 30, landmarks=None) for i in range(30)]
    kept = [f.t_s for _, f in sample_by_time(((None, f) for f in frames), 3)]
    assert len(kept) == 9 + 3
    assert kept[9] == 10


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.mp4", None, "Video not found"),
        ("notes.mp4", b"this is not a video", "could not be opened as a video"),
        ("empty.mp4", b"", "empty"),
        ("bad.jsonl", b'{"t_s": 0, "landmarks": null}\n{"t_s": oops}\n', "line 2"),
        ("missing.jsonl", None, "not found"),
    ],
)
def test_posture_bad_input_is_a_plain_message(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["posture", str(path), "--json"])
    assert result.exit_code != 0
    assert message in flat(result.stderr)
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_posture_without_a_camera_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["posture", "--camera", "9"])
    assert result.exit_code == 1
    assert "Camera 9 is not available" in flat(result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [["--fps", "10"], ["--fps", "1"], ["--camera", "0", "x.mp4"], ["x.jsonl", "--annotate", "o"]],
)
def test_posture_usage_errors(args: list[str], slouch_file: Path) -> None:
    args = [str(slouch_file) if a == "x.jsonl" else a for a in args]
    result = runner.invoke(app, ["posture", *args])
    assert result.exit_code == 2, result.output


def test_breaks_needs_a_terminal() -> None:
    result = runner.invoke(app, ["breaks"], input="q")
    assert result.exit_code == 2
    assert "interactive terminal" in flat(result.stderr)


class ScriptedKeys:
    """Keys typed at given (virtual) times; each read also moves the fake clock on."""

    def __init__(self, clock: FakeClock, script: list[tuple[float, str]]) -> None:
        self.clock = clock
        self.script = sorted(script)

    def read(self, timeout: float) -> str:
        self.clock.advance(timeout)
        pressed = ""
        while self.script and self.script[0][0] <= self.clock.elapsed_s:
            pressed += self.script.pop(0)[1]
        return pressed


class FakeClock:
    def __init__(self, start: datetime, scale: float) -> None:
        self.start, self.scale, self.elapsed_s = start, scale, 0.0

    def advance(self, real_s: float) -> None:
        self.elapsed_s += real_s * self.scale

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed_s)

    def real(self) -> float:
        return self.elapsed_s / self.scale


def test_breaks_loop_takes_snoozes_and_stores(settings: Settings) -> None:
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    clock = FakeClock(start, scale=60)  # one real tick of 0.2 s = 12 s at the desk
    minute = 60.0
    script = [
        (20 * minute + 30, "t"),  # the first micro-break (due at 20 min), taken
        (41 * minute, "z"),  # the second (due at 40:30), snoozed for 5 minutes
        (46 * minute + 30, "s"),  # due again after the snooze: skipped
        (50 * minute, "a"),  # away for 10 minutes: not sitting
        (60 * minute, "b"),
        (61 * minute, "q"),
    ]
    notes: list[str] = []
    out = Console(record=True, width=100, force_terminal=False)
    with open_database(settings) as db:
        user = local_user(db)
        timer = DeskTimer.begin(
            config=BreakConfig(moves=("neck-turns", "shoulder-circles")),
            now=start, user_id=user.id, source="terminal", tz=UTC,
        )  # fmt: skip
        runtime = DeskRuntime(clock, source="terminal", timer=timer)
        run_breaks(
            db, runtime, default_catalog(), user_id=user.id, out=out,
            keys=ScriptedKeys(clock, script), notify=lambda title, body: notes.append(body),
            screen=False,
        )  # fmt: skip
        day = desk_day(db, user_id=user.id, day=start.date())
    assert (day.breaks_taken, day.breaks_snoozed, day.breaks_skipped) == (1, 1, 1)
    assert day.sitting_min == pytest.approx(51, abs=0.5)
    assert len(notes) == 3 and "Neck turns" in notes[0]


def test_breaks_screen_shows_the_move_to_do() -> None:
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    catalog = default_catalog()
    timer = DeskTimer.begin(config=BreakConfig(), now=start, user_id=1, source="t", tz=UTC)
    out = Console(record=True, width=100)
    out.print(BreaksScreen(timer, catalog).render())
    assert "Micro-break in 20:00" in out.export_text()
    timer.state = breaks.tick(
        timer.state, start + timedelta(minutes=20), active=True, config=timer.config
    )
    out = Console(record=True, width=100)
    out.print(BreaksScreen(timer, catalog).render())
    text = flat(out.export_text())
    assert "Time for a break" in text and "Neck turns" in text
    assert catalog.exercise("neck-turns").steps[0][:30] in text
    assert format_clock(3725) == "1:02:05"


def test_without_a_desktop_bus_the_reminder_is_a_bell() -> None:
    rings: list[bool] = []
    console = Console(record=True)
    console.bell = lambda: rings.append(True)  # type: ignore[method-assign]
    desktop_notifier(console, environ={})("Time for a break", "Neck turns")
    assert rings == [True]


def _live_source(frames: list[LandmarkFrame], end: BaseException) -> Iterator[Sample]:
    for frame in frames:
        yield None, frame
    raise end


@pytest.mark.parametrize(
    ("end", "lost"),
    [(VideoError("Camera 0 stopped giving pictures."), True), (KeyboardInterrupt(), False)],
)
def test_a_live_run_stores_the_posture_seen_even_when_the_camera_is_lost(
    settings: Settings, end: BaseException, lost: bool
) -> None:
    render = desk_render(View.SIDE, noise=0.002, seed=11)
    frames = film([(UPRIGHT, 10, render), (SLUMPED_BACK, 70, render)])
    source = _live_source(frames, end)
    if lost:
        with pytest.raises(VideoError, match=r"stopped giving pictures.*so far was saved"):
            watch_live(source, fps=5)
    else:
        run = watch_live(source, fps=5)
        assert [str(s.state) for s in run.monitor.spans] == ["upright", "slouched"]
    with open_database(settings) as db:
        day = desk_day(db, user_id=local_user(db).id, day=datetime.now().astimezone().date())
    assert day.posture_alerts == 1
    assert day.posture_min["slouched"] == pytest.approx(70 / 60, abs=0.02)
    assert day.posture_min["upright"] == pytest.approx(10 / 60, abs=0.02)


def test_the_camera_watcher_tells_presence_and_posture() -> None:
    render = desk_render(View.SIDE, noise=0.002, seed=2)
    frames = film([(UPRIGHT, 8, render)])
    frames += [LandmarkFrame(t_s=8 + i / 5, landmarks=None) for i in range(50)]
    watcher = PresenceWatcher(((None, f) for f in frames), stop=lambda: None).start()
    watcher.stop()  # joins: the source has ended
    assert not watcher.present()
    assert watcher.status() == "Posture: absent"

    broken = PresenceWatcher(_live_source(frames[:3], VideoError("Camera 0 lost.")), stop=list)
    broken.start().stop()
    assert broken.present()  # a dead camera never stops the breaks
    assert "Camera 0 lost. Breaks keep working" in broken.status()


class NobodyThere(PresenceWatcher):
    def present(self) -> bool:
        return False


def test_breaks_with_nobody_in_view_count_no_sitting(settings: Settings) -> None:
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    clock = FakeClock(start, scale=60)
    watcher = NobodyThere(iter([]), stop=list)
    with open_database(settings) as db:
        user = local_user(db)
        timer = DeskTimer.begin(
            config=BreakConfig(), now=start, user_id=user.id, source="terminal", tz=UTC
        )
        runtime = DeskRuntime(clock, source="terminal", timer=timer)
        run_breaks(
            db, runtime, default_catalog(), user_id=user.id, out=Console(record=True),
            keys=ScriptedKeys(clock, [(30 * 60, "q")]), notify=lambda *_: None, screen=False,
            watcher=watcher,
        )  # fmt: skip
        assert timer.due is None
        assert desk_day(db, user_id=user.id, day=start.date()).sitting_min == 0
