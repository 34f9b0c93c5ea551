"""The accuracy page's figures and markdown (``benchmarks/accuracy.py``) on a tiny input."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.accuracy import analyze, analyze_options, keraal_landmarks, reference_cases
from benchmarks.accuracy_page import (
    Case,
    Outcome,
    PageInfo,
    count_row,
    count_rows,
    form_rows,
    headline_rows,
    movement_rows,
    outcome_from_json,
    render_page,
)

from backcoach.content.loader import default_catalog
from backcoach.content.models import View
from backcoach.vision.landmarks import read_jsonl, write_jsonl
from tests.support.clip_labels import clip
from tests.support.synthetic import Render, generate, keyframe_script

FILE = Path("/cache/x.jsonl")


def case(
    name: str,
    analyzer: str,
    view: str,
    *,
    reps: int | None = None,
    hold_s: float | None = None,
    hold_min_s: float | None = None,
    form: str | None = None,
) -> Case:
    return Case(
        suite="real",
        name=name,
        analyzer=analyzer,
        view=view,
        landmarks=FILE,
        reps=reps,
        hold_s=hold_s,
        hold_min_s=hold_min_s,
        holds=int(hold_s is not None or hold_min_s is not None),
        form=form,
    )


def outcomes() -> list[Outcome]:
    return [
        Outcome(case("a", "squat", "side", reps=4), reps=4),
        Outcome(case("b", "squat", "front", reps=2), reps=3),
        Outcome(case("c", "squat", "front", reps=2, form="incorrect"), reps=0, fault_codes=("x",)),
        Outcome(case("d", "squat", "side", form="correct"), fault_codes=("x",)),
        Outcome(case("e", "squat", "side", form="correct")),
        Outcome(case("p", "plank", "side", reps=0, hold_s=4.0), held_s=3.0),
        Outcome(case("a", "generic", "side", reps=4), reps=2),
        Outcome(case("b", "generic", "front", reps=2), reps=2),
        Outcome(case("c", "generic", "front", reps=2), error="No person was seen"),
        Outcome(case("z", "generic", "front", reps=5), reps=5),
    ]


def test_count_row_figures() -> None:
    squats = [o for o in outcomes() if o.case.analyzer == "squat"]
    row = count_row("squat", "all", squats)
    assert row.clips == 5
    assert row.exact == pytest.approx(1 / 3)
    assert row.off_by_one == pytest.approx(2 / 3)
    assert row.mae == pytest.approx((0 + 0.5 + 1.0) / 3)
    assert row.hold_error_s is None


def test_hold_error_per_hold_and_shortfall_for_at_least_labels() -> None:
    assert count_row("plank", "side", outcomes()[5:6]).hold_error_s == pytest.approx(1.0)
    at_least = Outcome(case("b", "glute-bridge", "side", reps=1, hold_min_s=1.0), 1, 2.5)
    short = Outcome(case("b", "glute-bridge", "side", reps=1, hold_min_s=1.0), 1, 0.4)
    assert count_row("glute-bridge", "side", [at_least]).hold_error_s == 0.0
    assert count_row("glute-bridge", "side", [short]).hold_error_s == pytest.approx(0.6)


def test_rows_per_analyzer_and_view_with_generic_last() -> None:
    rows = [(row.label, row.view, row.clips) for row in count_rows(outcomes())]
    assert rows == [
        ("plank", "side", 1),
        ("squat", "front", 2),
        ("squat", "side", 3),
        ("squat", "all", 5),
        ("generic", "front", 3),
        ("generic", "side", 1),
        ("generic", "all", 4),
    ]


def test_headline_compares_generic_on_the_same_clips() -> None:
    rows = {row.label: row for row in headline_rows(outcomes())}
    assert rows["exercise analyzers"].names == ("a", "b", "c", "p")
    assert rows["generic, same clips"].names == ("a", "b", "c")
    # a failed analysis counts as 0 reps
    assert rows["generic, same clips"].off_by_one == pytest.approx(1 / 3)
    assert rows["generic, every counted clip"].clips == 4


def test_form_precision_and_recall() -> None:
    (row,) = form_rows(outcomes())
    assert (row.analyzer, row.incorrect, row.correct) == ("squat", 1, 2)
    assert row.recall == 1.0
    assert row.precision == 0.5
    assert row.quiet_on_correct == 0.5


def test_page_markdown() -> None:
    info = PageInfo("abc1234", "2026-11-29", Path("/cache"), 4, ("clean", "noisy"))
    page = render_page(outcomes(), info)
    assert page.startswith("# Counting and form accuracy\n")
    assert "at commit `abc1234` on 2026-11-29" in page
    assert "| squat | all | 5 | 0.33 | 0.67 | 0.50 | - | a, b, c, d, e |" in page
    assert "| exercise analyzers | all | 4 | 0.50 | 0.75 | 0.50 | 1.0 |" in page
    assert "| squat | 1 | 2 | 1.00 | 0.50 | 0.50 |" in page
    command = "`backcoach analyze --landmarks /cache/x.jsonl --exercise squat --json`"
    assert f"| b | front | squat | 2 | 3 | - | - | - | {command} |" in page
    assert "| c | front | generic | 2 | error: No person was seen |" in page
    assert "| p | side | plank | 0 | 0 | 4.0 | 3.0 |" in page
    for line in page.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            assert line.endswith(" |"), line
    assert "seen as" not in page  # no analyzer reports a view here
    assert "filmed *clean*, *noisy*." in page


def test_analysis_runs_the_cli_on_a_landmark_file(tmp_path: Path) -> None:
    script = keyframe_script(default_catalog().exercise("squat"), 3)
    clip = generate(script, Render(view=View.SIDE, noise=0.001, seed=2))
    path = tmp_path / "squats.jsonl"
    write_jsonl(path, clip.frames)
    outcome = analyze(
        Case(suite="synthetic", name="s", analyzer="squat", view="side", landmarks=path)
    )
    assert outcome.error == ""
    assert outcome.reps == len(clip.reps) == 3
    missing = analyze(Case("real", "m", "squat", "side", tmp_path / "missing.jsonl"))
    assert missing.error and missing.reps == 0


def test_outcome_reads_faults_of_the_result_and_its_reps() -> None:
    result = {
        "reps": 2,
        "rep_events": [{"faults": ["hips-sag"]}, {"faults": []}],
        "holds": [{"duration_s": 1.5}, {"duration_s": 2.0}],
        "faults": [{"code": "knees-in", "t_s": 1.0, "message": "..."}],
        "view": "front",
    }
    outcome = outcome_from_json(case("a", "squat", "front"), result)
    assert (outcome.reps, outcome.held_s) == (2, 3.5)
    assert outcome.fault_codes == ("hips-sag", "knees-in")
    assert outcome.seen_view == "front"


def test_keraal_json_becomes_a_landmark_file(shared_data: Path, tmp_path: Path) -> None:
    label = clip("keraal_ELK")
    out = keraal_landmarks(label.file(shared_data), tmp_path / "elk.jsonl")
    frames = list(read_jsonl(out))
    assert len(frames) == label.frames
    assert all(frame.landmarks is not None and len(frame.landmarks) == 33 for frame in frames)
    assert frames[1].t_s == pytest.approx(1 / 30, abs=1e-4)


def test_reference_cases_take_another_clip_of_the_same_exercise_as_demo() -> None:
    cases = [o.case for o in outcomes()]
    demos = reference_cases(cases, pass_exercise=False)
    assert [(c.name, c.reference) for c in demos] == [
        ("a (demo: b)", FILE),
        ("b (demo: a)", FILE),
        ("c (demo: a)", FILE),
    ]
    assert demos[0].command == (
        "backcoach analyze --landmarks /cache/x.jsonl --reference /cache/x.jsonl --json"
    )
    with_exercise = reference_cases(cases, pass_exercise=True)[0]
    assert with_exercise.args[-3:] == ("--exercise", "squat", "--json")
    page = render_page([*outcomes(), Outcome(demos[0], reps=4)], PageInfo("x", "d", FILE, 4, ()))
    assert "| reference | side | 1 | 1.00 | 1.00 | 0.00 | - | a (demo: b) |" in page
    assert "| exercise analyzers | all | 4 | 0.50 | 0.75 | 0.50 | 1.0 |" in page
    assert "| reference | all | 1 | 1.00 | 1.00 | 0.00 | - |" in page


def test_analyze_options_are_read_from_the_cli() -> None:
    names, _ = analyze_options()
    assert {"--landmarks", "--exercise", "--json"} <= names


def test_hard_suite_rows_per_movement_and_its_section() -> None:
    def hard(name: str, movement: str, reps: int, counted: int) -> Outcome:
        view = "any angle, normalised per frame"
        return Outcome(
            Case("hard", name, "generic", view, FILE, reps=reps, movement=movement), counted
        )

    hard_outcomes = [
        hard("l-0", "lunge", 8, 8),
        hard("l-1", "lunge", 10, 5),
        hard("s-2", "squat", 4, 5),
    ]
    rows = [(r.label, r.clips, r.off_by_one) for r in movement_rows(hard_outcomes)]
    assert rows == [("generic: lunge", 2, 0.5), ("generic: squat", 1, 1.0)]
    info = PageInfo("x", "d", Path("/cache"), 4, ())
    page = render_page([*outcomes(), *hard_outcomes], info)
    assert "## Hard synthetic suite: counting" in page
    assert (
        "| generic: lunge | any angle, normalised per frame | 2 | 0.50 | 0.50 | 0.25 | - |" in page
    )
    assert "## Hard synthetic suite" not in render_page(outcomes(), info)
