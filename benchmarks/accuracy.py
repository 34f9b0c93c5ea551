"""Write ``docs/accuracy.md``: counting, hold-time and form accuracy of every analyzer.

Usage: ``python -m benchmarks.accuracy [--cache DIR] [--output PATH]`` (``make accuracy``).

Every figure comes from the public command line, the way a user (or an outside
check) runs it: ``backcoach analyze --landmarks FILE --exercise ID --json``,
invoked in this process through the CLI app. So whatever the analyzers, the
generic counter or the ``analyze`` command learn, the page shows it on the next
run; an analyzer or an option that does not exist simply has no rows.

- Real clips: every clip in ``tests/support/clip_labels.toml`` (the shared data
  dir, ``BACKCOACH_TEST_DATA`` or ``../shared/data``). A video's landmarks come
  from ``backcoach landmarks VIDEO -o FILE`` (the real pose model), cached per
  clip under ``--cache`` and recomputed when the clip or the pose code changes;
  Keraal's BlazePose JSON is converted to the same JSON Lines format.
- Synthetic suites: each exercise's own keyframes (``content/``) scripted into
  reps and rendered by ``tests/support/synthetic.py`` from the side and the
  front under several filming conditions, with exactly known reps and holds;
  and, when ``tests/support/hard_synthetic.py`` is there, its hard suite (any
  camera angle, BlazePose-like noise, tempo drift, per-frame normalisation).

Each clip runs through its exercise's analyzer and through ``generic`` (and,
when ``analyze`` takes ``--reference``, against a demonstration); the page
has summaries per analyzer and camera view, form-fault precision and recall
where clips are labelled correct or incorrect, and one line per analysis with
the command that reproduces it.

- Desk posture: ``backcoach posture VIDEO --json`` on the shared sitting
  recordings with labelled seconds, at 2, 3 and 5 analysed frames per second:
  per labelled state, the seconds whose reported state is the label. With
  ``--posture-only`` only that section of an existing page is regenerated (a
  few seconds instead of the whole run).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.accuracy_page import (
    GENERIC,
    REFERENCE,
    Case,
    Outcome,
    PageInfo,
    PostureRow,
    headline_rows,
    outcome_from_json,
    posture_section,
    ratio,
    render_page,
    with_posture_section,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "accuracy.md"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "backcoach-accuracy"

#: Sources whose change changes a video's landmarks (the cache key includes them).
POSE_SOURCES = ("pose.py", "sources.py", "pipeline.py", "parallel.py", "landmarks.py")

#: Keraal's group 3 videos are 960x544; its BlazePose coordinates are normalised to them.
KERAAL_ASPECT = 960 / 544
KERAAL_FPS = 30.0

#: Filming conditions of the synthetic suites, as ``Render`` fields (a condition
#: naming a field that ``Render`` does not have is left out).
CONDITIONS: dict[str, dict[str, Any]] = {
    "clean": {"noise": 0.001, "seed": 1},
    "noisy": {"noise": 0.003, "jitter": 0.004, "seed": 7},
    "dropped frames, 15 fps": {"noise": 0.002, "drop_rate": 0.15, "fps": 15.0, "seed": 11},
    "small, far, fast": {
        "body_height_m": 1.5,
        "camera_distance_m": 6.0,
        "speed": 1.6,
        "noise": 0.002,
        "seed": 3,
    },
}
SYNTHETIC_REPS = 4
#: The synthetic demonstration for ``analyze --reference``: two reps (one per side
#: where the exercise alternates), filmed clean.
DEMO_REPS = 2
DEMO_FILMING: dict[str, Any] = {"noise": 0.001, "seed": 5}

#: The hard synthetic suite: recordings per input kind, and the seed that draws them.
HARD_RECORDINGS = 40
HARD_SEED = 16

#: What a 2-D stick figure cannot show of a keyframe, as ``synthetic.Pose`` fields.
KEYFRAME_EXTRAS: dict[str, dict[str, dict[str, float]]] = {
    "neck-turns": {
        "turned to the left": {"head_yaw_deg": 60.0},
        "turned to the right": {"head_yaw_deg": -60.0},
    },
    "neck-nods": {
        "chin toward chest": {"head_pitch_deg": -35.0},
        "looking up a little": {"head_pitch_deg": 20.0},
    },
}


# --------------------------------------------------------------------------- landmarks


def _fingerprint(video: Path) -> str:
    """Changes when the clip, the pose code, the command or the mediapipe version changes."""
    digest = hashlib.sha256()
    stat = video.stat()
    digest.update(f"{video.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(metadata.version("mediapipe").encode())
    vision = REPO_ROOT / "src" / "backcoach" / "vision"
    for name in POSE_SOURCES:
        if (vision / name).is_file():
            digest.update((vision / name).read_bytes())
    # the command: how it splits a video between processes changes the landmarks too
    digest.update((REPO_ROOT / "src" / "backcoach" / "cli" / "vision.py").read_bytes())
    return digest.hexdigest()[:12]


def video_landmarks(data: Path, relative: str, name: str, cache: Path) -> tuple[Path, str]:
    """The landmark file of the video ``data / relative`` (``backcoach landmarks`` unless cached).

    Beside ``NAME.jsonl`` lies ``NAME.key``, the fingerprint it was made with. The
    command is shown with the data dir as ``../shared/data`` (its default place).
    """
    video = data / relative
    folder = cache / "real"
    folder.mkdir(parents=True, exist_ok=True)
    out, key_file = folder / f"{name}.jsonl", folder / f"{name}.key"
    command = f"backcoach landmarks ../shared/data/{relative} -o {out}"
    key = _fingerprint(video)
    if not (out.is_file() and key_file.is_file() and key_file.read_text() == key):
        partial = folder / f"{name}.partial.jsonl"
        args = [sys.executable, "-m", "backcoach", "landmarks", str(video), "-o", str(partial)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr.strip()}")
        partial.replace(out)
        key_file.write_text(key)
    return out, command


def keraal_landmarks(source: Path, out: Path) -> Path:
    """Keraal's BlazePose JSON (``{"positions": {frame: {joint: [x, y, z]}}}``) as JSON Lines."""
    from backcoach.vision.landmarks import PoseLandmark, frame_from_points, write_jsonl

    positions: dict[str, dict[str, list[float]]] = json.loads(source.read_text())["positions"]
    frames = []
    for key in sorted(positions, key=float):
        joints = {name.upper(): xyz for name, xyz in positions[key].items()}
        points = [[*joints[landmark.name], 1.0] for landmark in PoseLandmark]
        t_s = (float(key) - 1) / KERAAL_FPS
        frames.append(frame_from_points(t_s, points, aspect=KERAAL_ASPECT))
    out.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(out, frames)
    return out


# --------------------------------------------------------------------------- cases


def real_cases(data: Path, cache: Path, analyzers: set[str]) -> Iterator[Callable[[], list[Case]]]:
    """Per clip, a step that prepares its landmarks and returns its analyses."""
    from tests.support.clip_labels import ClipLabel, all_clips

    def cases_of(label: ClipLabel) -> list[Case]:
        if label.is_video:
            landmarks, prepare = video_landmarks(data, label.path, label.name, cache)
        else:
            landmarks = keraal_landmarks(label.file(data), cache / "keraal" / f"{label.name}.jsonl")
            prepare = ""
        holds: dict[str, Any] = {"hold_s": label.hold_s, "hold_min_s": label.hold_min_s}
        holds["holds"] = int(label.hold_s is not None or label.hold_min_s is not None)
        wanted = [label.exercise] if label.exercise != GENERIC else []
        if label.reps is not None:
            wanted.append(GENERIC)
        return [
            Case(
                suite="real",
                name=label.name,
                analyzer=analyzer,
                view=label.view,
                landmarks=landmarks,
                reps=label.reps,
                **(holds if analyzer != GENERIC else {}),
                form=label.form,
                prepare=prepare,
            )
            for analyzer in wanted
            if analyzer in analyzers
        ]

    for label in all_clips():
        yield partial(cases_of, label)


def synthetic_cases(cache: Path, analyzers: set[str]) -> Iterator[Callable[[], list[Case]]]:
    """Per exercise with keyframes and an analyzer, a step writing its synthetic clips."""
    from backcoach.content.loader import default_catalog
    from backcoach.content.models import Exercise, View
    from backcoach.vision.landmarks import write_jsonl
    from tests.support.synthetic import Render, generate, keyframe_script

    render_fields = {f.name for f in fields(Render)}
    conditions = {
        name: kwargs for name, kwargs in CONDITIONS.items() if set(kwargs) <= render_fields
    }
    folder = cache / "synthetic"
    folder.mkdir(parents=True, exist_ok=True)

    def cases_of(exercise: Exercise) -> list[Case]:
        # A hold exercise (a hold and no reps in its dose) is one hold per side; its
        # count is not judged.
        holds_only = exercise.dosage.reps is None and exercise.dosage.hold_s is not None
        extras = KEYFRAME_EXTRAS.get(exercise.id)
        script = keyframe_script(exercise, 1 if holds_only else SYNTHETIC_REPS, extras=extras)
        cases = []
        demo_script = keyframe_script(
            exercise, 1 if exercise.dosage.per_side else DEMO_REPS, extras=extras
        )
        for view in (View.SIDE, View.FRONT):
            demo = folder / f"{exercise.id}-{view.value}-demo.jsonl"
            write_jsonl(demo, generate(demo_script, Render(view=view, **DEMO_FILMING)).frames)
            for condition, kwargs in conditions.items():
                clip = generate(script, Render(view=view, **kwargs))
                slug = re.sub(r"[^a-z0-9]+", "-", f"{exercise.id} {view.value} {condition}")
                path = folder / f"{slug}.jsonl"
                write_jsonl(path, clip.frames)
                hold_s = sum(h.duration_s for h in clip.holds) if clip.holds else None
                cases += [
                    Case(
                        suite="synthetic",
                        name=f"{exercise.id}, {view.value}, {condition}",
                        analyzer=analyzer,
                        view=view.value,
                        landmarks=path,
                        reps=None if holds_only else len(clip.reps),
                        hold_s=hold_s if analyzer != GENERIC else None,
                        holds=len(clip.holds),
                        recommended_view=view == exercise.camera.view,
                        demo=None if analyzer == GENERIC or holds_only else demo,
                    )
                    for analyzer in (exercise.id, GENERIC)
                    if analyzer in analyzers and not (analyzer == GENERIC and holds_only)
                ]
        return cases

    for exercise in default_catalog().exercises.values():
        if exercise.id in analyzers and len(exercise.keyframes) >= 2:
            yield partial(cases_of, exercise)


def hard_cases(cache: Path, analyzers: set[str]) -> Iterator[Callable[[], list[Case]]]:
    """The hard synthetic suite, if ``tests/support/hard_synthetic.py`` exists.

    Per-frame normalised recordings go to the generic counter; the same draw
    unnormalised goes to the exercise's own analyzer where there is one.
    """
    if importlib.util.find_spec("tests.support.hard_synthetic") is None:
        return
    from backcoach.vision.landmarks import write_jsonl
    from tests.support.hard_synthetic import suite

    folder = cache / "hard"
    folder.mkdir(parents=True, exist_ok=True)

    def cases_of(normalise: bool) -> list[Case]:
        cases = []
        view = "any angle, normalised per frame" if normalise else "any angle"
        for recording in suite(HARD_RECORDINGS, seed=HARD_SEED, normalise=normalise):
            analyzer = GENERIC if normalise else recording.exercise
            if analyzer not in analyzers:
                continue
            name = f"{recording.name}{'-normalised' if normalise else ''}"
            path = folder / f"{name}.jsonl"
            write_jsonl(path, recording.clip.frames)
            cases.append(
                Case(
                    suite="hard",
                    name=name,
                    analyzer=analyzer,
                    view=view,
                    landmarks=path,
                    reps=recording.reps,
                    movement=recording.exercise,
                )
            )
        return cases

    yield partial(cases_of, True)
    yield partial(cases_of, False)


# --------------------------------------------------------------------------- running


def analyze_options() -> tuple[frozenset[str], bool]:
    """The options ``backcoach analyze`` takes, and whether ``--exercise`` is required."""
    from typer.core import TyperGroup
    from typer.main import get_command

    from backcoach.cli import app

    root = get_command(app)
    assert isinstance(root, TyperGroup)
    params = root.commands["analyze"].params
    names = frozenset(name for param in params for name in param.opts)
    return names, any(param.name == "exercise" and param.required for param in params)


def reference_cases(cases: Sequence[Case], *, pass_exercise: bool) -> list[Case]:
    """Each counted clip against a demonstration of the same exercise.

    A case's own ``demo`` if it has one (the synthetic suites make one), else the
    first other real clip of the same exercise with at least one rep.
    """
    own = [c for c in cases if c.analyzer not in (GENERIC, REFERENCE) and c.reps is not None]
    out = []
    for case in own:
        if case.demo is not None:
            demo, demo_name = case.demo, case.demo.stem
        else:
            others = [
                d
                for d in own
                if d.suite == case.suite == "real"
                and d.analyzer == case.analyzer
                and d.name != case.name
                and d.reps
            ]
            if not others:
                continue
            demo, demo_name = others[0].landmarks, others[0].name
        out.append(
            replace(
                case,
                name=f"{case.name} (demo: {demo_name})",
                analyzer=REFERENCE,
                reference=demo,
                exercise=case.analyzer if pass_exercise else None,
                hold_s=None,
                hold_min_s=None,
                holds=0,
                form=None,
            )
        )
    return out


def analyze(case: Case) -> Outcome:
    """Run ``backcoach analyze --landmarks ... --json`` on one case, in this process."""
    from typer.testing import CliRunner

    from backcoach.cli import app

    result = CliRunner().invoke(app, list(case.args))
    if result.exit_code != 0:
        message = (result.stderr or result.stdout or str(result.exception)).strip()
        return Outcome(
            case=case, error=" ".join(message.removeprefix("Error:").split()) or "failed"
        )
    return outcome_from_json(case, json.loads(result.stdout))


def posture_rows(data: Path) -> list[PostureRow]:
    """``backcoach posture VIDEO --json`` on each labelled sitting clip, in this process."""
    from typer.testing import CliRunner

    from backcoach.cli import app
    from tests.support.posture_clips import POSTURE_CLIPS, agreement

    rows: list[PostureRow] = []
    for clip in POSTURE_CLIPS:
        path = clip.file(data)
        if not path.is_file():
            continue
        for fps in (2, 3, 5):
            args = ["posture", str(path), "--json", "--fps", str(fps)]
            command = "backcoach " + " ".join(args).replace(str(data), "$DATA")
            result = CliRunner().invoke(app, args)
            if result.exit_code != 0:
                message = (result.stderr or result.stdout or str(result.exception)).strip()
                rows.append(
                    PostureRow(clip.name, fps, {}, 0, 0, command, " ".join(message.split()))
                )
                continue
            out = json.loads(result.stdout)
            rows.append(
                PostureRow(
                    clip=clip.name,
                    fps=fps,
                    agreement=agreement(clip, out["states"]),
                    person_frames=out["person_frames"],
                    frames=out["frames"],
                    command=command,
                )
            )
    return rows


def _print_posture(rows: Sequence[PostureRow]) -> None:
    for row in rows:
        shares = ", ".join(
            f"{state} {agree}/{total}" for state, (agree, total) in row.agreement.items()
        )
        print(f"posture, {row.clip} at {row.fps} fps: {shares or row.error}")


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def _commit() -> str:
    """The code's commit, and whether the analyzers' code differs from it."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    return (
        f"{commit} + uncommitted changes in src/"
        if _git("status", "--porcelain", "src")
        else commit
    )


def main(argv: Sequence[str] | None = None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from backcoach.vision.analyzers import available
    from tests.support.clip_labels import data_dir

    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy", description=__doc__)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="landmark cache dir")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="page to write")
    parser.add_argument(
        "--posture-only",
        action="store_true",
        help="regenerate only the desk posture section of an existing page",
    )
    options = parser.parse_args(argv)
    data = data_dir()
    if not (data / "MANIFEST.md").is_file():
        print(f"shared clips not found at {data}; set BACKCOACH_TEST_DATA", file=sys.stderr)
        return 2
    if options.posture_only:
        if not options.output.is_file():
            print(f"{options.output} does not exist: run without --posture-only", file=sys.stderr)
            return 2
        rows = posture_rows(data)
        page = options.output.read_text(encoding="utf-8")
        options.output.write_text(with_posture_section(page, posture_section(rows)), "utf-8")
        _print_posture(rows)
        print(f"wrote the desk posture section of {options.output}")
        return 0
    analyzers = set(available())
    options_taken, exercise_required = analyze_options()
    steps = [
        *real_cases(data, options.cache, analyzers),
        *synthetic_cases(options.cache, analyzers),
        *hard_cases(options.cache, analyzers),
    ]
    outcomes: list[Outcome] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task("clips and exercises", total=len(steps))
        for step in steps:
            for case in step():
                progress.update(task, description=f"{case.name} / {case.analyzer}")
                outcomes.append(analyze(case))
            progress.advance(task)
        if "--reference" in options_taken:
            cases = [o.case for o in outcomes]
            demos = reference_cases(cases, pass_exercise=exercise_required)
            task = progress.add_task("counting against a demonstration", total=len(demos))
            for case in demos:
                outcomes.append(analyze(case))
                progress.advance(task)
    info = PageInfo(
        commit=_commit(),
        day=datetime.now(UTC).date().isoformat(),
        cache=options.cache,
        synthetic_reps=SYNTHETIC_REPS,
        conditions=tuple(CONDITIONS),
    )
    posture = posture_rows(data)
    page = with_posture_section(render_page(outcomes, info), posture_section(posture))
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(page, encoding="utf-8")
    for row in headline_rows([o for o in outcomes if o.case.suite == "real"]):
        print(
            f"real clips, {row.label}: {row.clips} clips, off-by-one {ratio(row.off_by_one)},"
            f" MAE {ratio(row.mae)}"
        )
    _print_posture(posture)
    print(f"wrote {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
